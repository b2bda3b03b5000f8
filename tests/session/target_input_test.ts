/** `.input` and `.eof`: typed to the program at once, seen by everyone, for operators only. */
import assert from "node:assert/strict";
import { targetInput } from "../../src/session/meta.ts";
import { doneOf, lab, whileRunning } from "./lab.ts";

Deno.test(".input and .eof go to the program at once, ahead of a continue waiting in the queue; everyone sees them with the issuer", async () => {
  const l = lab();
  const a = await l.join("alice");
  const b = await l.join("bob");
  await whileRunning(l, a, b);
  a.conn.command("print 1"); // waits behind continue
  b.conn.command(".input hello  world");
  b.conn.command(".input");
  b.conn.command(".eof");
  await a.until((e) => e.t === "echo" && e.text === ".eof");
  await b.until((e) => e.t === "done" && e.seq === 4);
  assert.deepEqual(l.engine.typed, ["hello  world\n", "\n", "<EOF>"]);
  assert.deepEqual(l.engine.executed, ["continue"], "continue still runs; print still waits");
  for (const c of [a, b]) {
    const echoes = c.events.filter((e) => e.t === "echo").map((e) =>
      e.t === "echo" ? `${e.from}> ${e.text}` : ""
    );
    assert.deepEqual(echoes, [
      "alice@h> continue",
      "bob@h> .input hello  world",
      "bob@h> .input",
      "bob@h> .eof",
    ]);
  }
  l.engine.release();
  await a.until(doneOf(5));
  assert.deepEqual(l.engine.executed, ["continue", "print 1"]);
  await l.session.end("test over");
});

Deno.test(".input with no program running is refused to the issuer alone; an observer's is refused", async () => {
  const l = lab();
  const a = await l.join("alice");
  const watcher = await l.join("olga", { observe: true });
  a.conn.command(".input too soon");
  const refused = await a.until((e) => e.t === "done");
  assert.ok(
    refused.t === "done" && refused.refused === true && !refused.ok,
    JSON.stringify(refused),
  );
  assert.match(refused.t === "done" ? refused.error ?? "" : "", /no program/);
  a.conn.command("run");
  await a.until(doneOf(1));
  watcher.conn.command(".input sneaky");
  const denied = await watcher.until((e) => e.t === "done" && e.refused === true);
  assert.match(denied.t === "done" ? denied.error ?? "" : "", /observer/);
  a.conn.command(".echo marker");
  await watcher.until((e) => e.t === "echo" && e.text === ".echo marker");
  assert.deepEqual(l.engine.typed, []);
  for (const c of [a, watcher]) {
    assert.ok(!c.events.some((e) => e.t === "echo" && /\.input/.test(e.text)));
  }
  await l.session.end("test over");
});

Deno.test("targetInput: the text after one space, then Enter; .eof is end of input", () => {
  assert.deepEqual(targetInput(".input a b "), { line: "a b \n" });
  assert.deepEqual(targetInput(".input"), { line: "\n" });
  assert.deepEqual(targetInput(".input   indented"), { line: "  indented\n" });
  assert.deepEqual(targetInput(".eof"), { eof: true });
  assert.deepEqual(targetInput(".ttysize 132x43"), { cols: 132, rows: 43 });
  for (const bad of [".ttysize", ".ttysize 0x10", ".ttysize 80 24", ".ttysize 2000x10"]) {
    assert.ok("error" in targetInput(bad), bad);
  }
});
