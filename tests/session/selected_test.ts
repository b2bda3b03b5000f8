/** The selected frame (up, down, frame N): live to clients that know it, in the welcome for late joiners. */
import assert from "node:assert/strict";
import { eventPrinter } from "../../src/client/console.ts";
import type { SessionEvent } from "../../src/protocol/messages.ts";
import { PROTOCOL } from "../../src/version.ts";
import { speaks } from "../../src/protocol/version_policy.ts";
import { doneOf, lab } from "./lab.ts";

const V12 = { protocol: "1.2", release: "0.1.0" };
const V11 = { protocol: "1.1", release: "0.1.0" };

Deno.test("up selects a frame for 1.2 clients only, before its done; a new stop resets it", async () => {
  assert.ok(speaks(PROTOCOL, "1.2"), "this release speaks 1.2");
  const l = lab();
  const selectedLevel = () => l.session.selected?.frame.level;
  const a = await l.join("alice", { version: V12 });
  const old = await l.join("olga", { version: V11 });
  a.conn.command("run");
  await a.until(doneOf(1));
  assert.equal(selectedLevel(), undefined, "a stop selects its own frame");
  a.conn.command("up");
  await a.until(doneOf(2));
  await old.until(doneOf(2));
  const up = a.events.findIndex((e) => e.t === "selected");
  assert.ok(up >= 0, "alice gets the selected frame");
  const sel = a.events[up];
  assert.ok(sel.t === "selected");
  assert.deepEqual(sel.frame, { level: 1, func: "main", file: "demo.c", line: 17 });
  assert.deepEqual(sel.source?.lines, ["{", "line 17", "}"]);
  // In gdb's order: its own words, then the selection, then done.
  assert.deepEqual(a.transcript().slice(-3), ["#1  main () at demo.c:17", "selected", "done"]);
  // A 1.1 client never sees an event type it does not know; it still gets gdb's words.
  assert.ok(!old.events.some((e) => e.t === "selected"), JSON.stringify(old.events));
  assert.deepEqual(old.transcript().slice(-2), ["#1  main () at demo.c:17", "done"]);
  assert.equal(selectedLevel(), 1);

  // A late joiner: the welcome says which frame is selected; scrollback does not replay it.
  const late = await l.join("carol", { version: V12 });
  assert.equal(late.conn.welcome.state, "stopped");
  assert.equal(late.conn.welcome.info?.func, "main");
  assert.deepEqual(late.conn.welcome.selected?.frame.level, 1);
  assert.deepEqual(late.conn.welcome.selected?.source?.lines, ["{", "line 17", "}"]);
  assert.ok(!late.conn.welcome.scrollback.some((e) => e.t === "selected"));

  a.conn.command("down");
  await late.until((e) => e.t === "selected" && e.frame.level === 0);
  assert.equal(selectedLevel(), 0);

  // A new stop selects its own frame: nothing in the next welcome.
  a.conn.command("up");
  await a.until(doneOf(4));
  a.conn.command("continue");
  await a.until(doneOf(5));
  assert.equal(selectedLevel(), undefined);
  const after = await l.join("dave", { version: V12 });
  assert.equal(after.conn.welcome.selected, undefined);
  assert.equal(after.conn.welcome.state, "stopped");
  await l.session.end("test over");
});

Deno.test("a console prints nothing for a selected frame (gdb printed it), nor for unknown events", () => {
  const printed: string[] = [];
  const print = eventPrinter((t) => printed.push(t));
  print({ t: "selected", frame: { level: 1, func: "main" } });
  print({ t: "from-the-future" } as unknown as SessionEvent);
  assert.deepEqual(printed.filter((t) => t !== ""), []);
  assert.ok(printed.every((t) => typeof t === "string"));
});
