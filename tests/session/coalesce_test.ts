/** Output coalescing: one turn's output of one command and stream is one `out` message. */
import assert from "node:assert/strict";
import type { EngineListener } from "../../src/engine/engine.ts";
import type { Out, SessionEvent } from "../../src/protocol/messages.ts";
import { OutCoalescer } from "../../src/session/coalesce.ts";
import { Session } from "../../src/session/session.ts";
import { createFakeEngine } from "./fake_engine.ts";

const out = (text: string, stream: Out["stream"] = "console", seq: number | null = 1): Out => ({
  t: "out",
  seq,
  stream,
  text,
});

/** A coalescer whose end of turn the test decides. */
function manual(maxChars?: number) {
  const sent: Out[] = [];
  let endTurn: (() => void) | undefined;
  const c = new OutCoalescer((o) => sent.push(o), (f) => (endTurn = f), maxChars);
  return { c, sent, endTurn: () => endTurn?.() };
}

Deno.test("coalesce: lines of one stream in one turn are one message, sent at the turn's end", () => {
  const { c, sent, endTurn } = manual();
  c.add(out("a\n"));
  c.add(out("b\n"));
  c.add(out("c\n"));
  assert.equal(sent.length, 0, "nothing before the turn ends");
  endTurn();
  assert.deepEqual(sent, [out("a\nb\nc\n")]);
  c.add(out("d\n"));
  endTurn();
  assert.deepEqual(sent, [out("a\nb\nc\n"), out("d\n")], "the next turn is a new message");
});

Deno.test("coalesce: another stream or command starts a new message: the interleaving is kept", () => {
  const { c, sent, endTurn } = manual();
  c.add(out("1\n"));
  c.add(out("2\n"));
  c.add(out("oops\n", "error"));
  c.add(out("3\n"));
  c.add(out("next\n", "console", 2));
  c.add(out("between\n", "target", null));
  endTurn();
  assert.deepEqual(sent, [
    out("1\n2\n"),
    out("oops\n", "error"),
    out("3\n"),
    out("next\n", "console", 2),
    out("between\n", "target", null),
  ]);
});

Deno.test("coalesce: flush sends at once (before another event); a big run goes when it is big", () => {
  const { c, sent, endTurn } = manual(10);
  c.add(out("abc"));
  c.flush();
  assert.deepEqual(sent, [out("abc")]);
  c.add(out("0123456789")); // reaches maxChars: sent without waiting for the turn
  assert.deepEqual(sent, [out("abc"), out("0123456789")]);
  assert.ok(c.empty);
  endTurn();
  assert.equal(sent.length, 2, "nothing twice");
  // The caller's message is never changed under it.
  const mine = out("x");
  c.add(mine);
  c.add(out("y"));
  c.flush();
  assert.equal(mine.text, "x");
});

Deno.test("session: output held together is one out, never moved across a state or done", async () => {
  let listener!: EngineListener;
  const session = new Session({
    name: "srv",
    host: "lab1",
    makeEngine: (l) => createFakeEngine(listener = l),
  });
  const got: SessionEvent[] = [];
  let wake = () => {};
  session.join({
    who: { user: "a", host: "h", tool: "t" },
    via: "test",
    deliver: (e) => {
      got.push(e);
      wake();
    },
    close() {},
  });
  got.length = 0;
  // As gdb: lines of output, then a stop, then more output, all in one turn.
  listener({ type: "output", stream: "console", text: "line 1\n" });
  listener({ type: "output", stream: "console", text: "line 2\n" });
  listener({ type: "state", state: "stopped", info: { func: "main" } });
  listener({ type: "output", stream: "target", text: "hello\n" });
  listener({ type: "output", stream: "target", text: "world\n" });
  // The held output goes out on its own a moment later (OUT_WINDOW_MS).
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(JSON.stringify(got))), 5000);
    wake = () => {
      if (got.length < 3) return;
      clearTimeout(timer);
      resolve();
    };
    wake();
  });
  assert.deepEqual(got.map((e) => (e.t === "out" ? `${e.stream}:${e.text}` : e.t)), [
    "console:line 1\nline 2\n",
    "state",
    "target:hello\nworld\n",
  ]);
  // A late joiner's scrollback holds the turn's output too, in the same order.
  listener({ type: "output", stream: "console", text: "late\n" });
  const { scrollback } = session.join({
    who: { user: "b", host: "h", tool: "t" },
    via: "test",
    deliver() {},
    close() {},
  });
  assert.equal(scrollback.at(-2)?.t, "out");
  assert.deepEqual(scrollback.at(-1), { t: "out", seq: null, stream: "console", text: "late\n" });
  await session.end("test over");
});
