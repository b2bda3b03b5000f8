/**
 * Output of any size, limits on what participants send, slow clients told why,
 * and what happens to a departed client's commands: over the real peer and
 * client code (in-memory channels, the fake engine).
 */
import assert from "node:assert/strict";
import { worthReconnecting } from "../../src/client/reconnect.ts";
import { MAX_COMMAND_CHARS } from "../../src/protocol/fit.ts";
import type { SessionEvent } from "../../src/protocol/messages.ts";
import { blob } from "./fake_engine.ts";
import { doneOf, lab, stalledClient, whileRunning } from "./lab.ts";

const outText = (events: SessionEvent[], seq: number) =>
  events.filter((e) => e.t === "out" && e.seq === seq).map((e) => e.t === "out" ? e.text : "")
    .join("");

Deno.test("a 5 MB line reaches every client whole, and a late joiner still gets a welcome", async () => {
  const l = lab();
  const a = await l.join("alice");
  const b = await l.join("bob");
  a.conn.command("blob 5000000");
  await a.until(doneOf(1), 20_000);
  await b.until(doneOf(1), 20_000);
  const line = blob(5_000_000) + "\n";
  assert.equal(outText(a.events, 1), line, "joined as it came, nothing added");
  assert.equal(outText(b.events, 1), line);
  assert.ok(a.events.filter((e) => e.t === "out").length > 1, "it came in several messages");
  // The output stays in scrollback only as far as a welcome can carry it: joins go on working.
  const c = await l.join("carol");
  assert.ok(c.conn.welcome.scrollback.length > 0);
  const tail = outText(c.conn.welcome.scrollback, 1);
  assert.ok(line.endsWith(tail), "the scrollback holds the most recent part of the output");
  c.conn.command("print 42");
  await a.until((e) => e.t === "out" && e.text === "$1 = 42\n");
  await l.session.end("test over");
});

Deno.test("an over-long command is refused to its sender alone (E_TOO_LONG); joins still work", async () => {
  const l = lab();
  const a = await l.join("alice");
  const o = await l.join("olga", { observe: true });
  // 200,000 × U+009B: what an observer's .echo poisoned the session with (issue #14).
  o.send({ t: "cmd", id: 7, text: ".echo " + "\u009b".repeat(200_000) });
  const refused = await o.until((e) => e.t === "done" && e.id === 7);
  assert.ok(refused.t === "done");
  assert.equal(refused.refused, true);
  assert.equal(refused.code, "E_TOO_LONG");
  assert.match(refused.error ?? "", /^error\[E_TOO_LONG\]: the command is 200006 characters long/);
  a.send({ t: "cmd", id: 1, text: "print " + "1".repeat(1_000_000) });
  const mine = await a.until((e) => e.t === "done" && e.id === 1);
  assert.ok(mine.t === "done" && mine.code === "E_TOO_LONG");
  // The client refuses it itself, sending nothing.
  assert.throws(() => a.conn.command("x".repeat(MAX_COMMAND_CHARS + 1)), /E_TOO_LONG|over the/);
  // Nobody else saw any of it, nothing ran, and the session goes on.
  assert.deepEqual(l.engine.executed, []);
  assert.ok(!a.events.some((e) => e.t === "echo"));
  const c = await l.join("carol");
  assert.ok(!c.conn.welcome.scrollback.some((e) => e.t === "echo"));
  // The longest allowed .echo, every character shown visibly, still reaches everyone.
  o.conn.command(".echo " + "\u009b".repeat(MAX_COMMAND_CHARS - 6));
  const said = await c.until((e) => e.t === "done" && e.client === o.conn.welcome.you, 10_000);
  assert.ok(said.t === "done" && said.ok);
  assert.equal(
    outText(c.events, said.seq),
    `olga@h: ${"<U+009B>".repeat(MAX_COMMAND_CHARS - 6)}\n`,
  );
  await l.session.end("test over");
});

Deno.test("a dropped slow client learns why after its backlog, by code, and would not come back", async () => {
  const { l, a, slow } = await stalledClient();
  await a.until((e) => e.t === "notice" && e.kind === "drop");
  assert.ok(l.logs.some((line) => /^dropping mem:slow: not reading/.test(line)), l.logs.join("\n"));
  slow.resume();
  await slow.conn.closed;
  const told = slow.events.at(-1)!;
  assert.ok(told.t === "notice" && told.kind === "drop");
  assert.equal(told.client?.id, slow.conn.welcome.you, "the notice names the client itself");
  assert.equal(told.code, "E_SLOW_CLIENT");
  assert.match(told.text, /^disconnected by the server: not reading \(\d+ bytes queued\)/);
  const ended = slow.conn.ending();
  assert.equal(ended.kind, "dropped");
  assert.equal(ended.kind === "dropped" && ended.error.code, "E_SLOW_CLIENT");
  assert.equal(worthReconnecting(ended), false);
  // What it read before the notice is the session's output, in order, whole frames.
  const outs = slow.events.filter((e) => e.t === "out");
  assert.ok(outs.every((e, i) => e.t === "out" && e.seq === i + 1 && e.text.length === 10001));
  await l.session.end("test over");
});

Deno.test("a dropped client that never reads again is cut off after the grace period", async () => {
  const l = lab({ maxPending: 64 * 1024 });
  const a = await l.join("alice");
  const slow = await l.join("slow", { dropGraceMs: 50 });
  slow.stall();
  for (let i = 1; i <= 20; i++) a.conn.command("big 10000");
  await a.until((e) => e.t === "notice" && e.kind === "drop");
  await slow.conn.closed; // destroyed: it never learns why, and memory is not held for it
  assert.equal(slow.conn.ending().kind, "lost");
  await l.session.end("test over");
});

Deno.test("commands queued by a client that left do not run, and everyone is told", async () => {
  const l = lab();
  const a = await l.join("alice");
  const b = await l.join("bob");
  await whileRunning(l, a);
  b.conn.command("print 1");
  b.conn.command("print 2");
  a.conn.command("print 3");
  b.conn.leave();
  const told = await a.until((e) => e.t === "notice" && e.kind === "info");
  assert.ok(told.t === "notice");
  assert.equal(
    told.text,
    "2 commands bob@h queued will not run (they are gone): `print 1`, `print 2`",
  );
  l.engine.release();
  await a.until((e) => e.t === "done" && e.client === a.conn.welcome.you && e.id === 2);
  assert.deepEqual(l.engine.executed, ["continue", "print 3"]);
  assert.ok(!a.events.some((e) => e.t === "echo" && e.client === b.conn.welcome.you));
  await l.session.end("test over");
});
