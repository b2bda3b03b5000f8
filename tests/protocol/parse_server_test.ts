/** Server messages are checked into a discriminated union: right ones narrowed, wrong ones named. */
import assert from "node:assert/strict";
import type { Message } from "../../src/protocol/frame.ts";
import { parseServerMessage } from "../../src/protocol/parse_server.ts";
import { welcomeMessage } from "../support/samples.ts";

const who = { user: "ann", host: "h", tool: "t" };
const stop = {
  file: "/w/demo.c",
  line: 10,
  func: "add",
  reason: "breakpoint-hit",
  frames: [{ level: 0, func: "add", file: "/w/demo.c", line: 10, args: [{ name: "a" }] }],
  source: { path: "/w/demo.c", first: 9, lines: ["{", "  sum", "}"] },
};
const welcome = welcomeMessage({
  session: "s1",
  you: 2,
  clients: [{ id: 2, who, via: "http:127.0.0.1:1", role: "operator" }],
  scrollback: [{ t: "echo", from: "ann@h", client: 2, id: 1, seq: 1, text: "bt" }],
  state: "stopped",
  info: stop,
  selected: { frame: { level: 1, func: "main" } },
  role: "operator",
});

const good: Message[] = [
  { t: "challenge", nonce: "n", salt: "s", iterations: 100_000 },
  welcome,
  { t: "error", code: "E_AUTH", message: "wrong password", hint: "check it" },
  { t: "echo", from: "ann@h", client: 2, id: 1, seq: 1, text: "bt" },
  { t: "out", seq: null, stream: "target", text: "hi\n" },
  { t: "state", state: "stopped", info: stop },
  { t: "notice", kind: "join", text: "ann joined", client: { id: 2, who, via: "x" } },
  { t: "done", client: 2, id: 1, seq: 1, ok: false, error: "No symbol", refused: false },
  { t: "end", reason: "q", cause: "quit" },
  { t: "selected", frame: { level: 1, func: "main", file: "demo.c", line: 17 } },
];

Deno.test("every server message type parses, narrowed on t, with its fields", () => {
  for (const m of good) {
    const parsed = parseServerMessage(m);
    assert.ok(parsed.ok, `${m.t}: ${parsed.ok ? "" : parsed.error}`);
    assert.equal(parsed.msg.t, m.t);
  }
  const done = parseServerMessage(good[7]);
  // Narrowed by t: no cast to read a done's fields.
  assert.equal(done.ok && done.msg.t === "done" ? done.msg.error : undefined, "No symbol");
});

Deno.test("a field of the wrong shape refuses the message, and says which", () => {
  const bad: [Message, RegExp][] = [
    [{ t: "challenge", nonce: "n", iterations: 5 }, /challenge needs nonce, salt/],
    [{ t: "error", code: 3, message: "x" }, /error needs a code/],
    [{ t: "echo", from: "a", client: 1, id: 1, text: "bt" }, /echo needs/],
    [{ t: "out", seq: 1, stream: "stdout", text: "x" }, /out needs/],
    [{ t: "state", state: "paused", info: {} }, /state needs/],
    [{ t: "state", state: "stopped", info: { frames: [{ func: "f" }] } }, /state needs/],
    [{ t: "notice", kind: "join", text: "x", client: { id: 1 } }, /notice needs/],
    [{ t: "done", client: 1, id: 1, seq: 1, ok: "yes" }, /done needs/],
    [{ t: "end" }, /end needs/],
    [{ t: "selected", frame: { func: "main" } }, /selected needs/],
    [{ ...welcome, you: "2" }, /welcome needs/],
    [{ ...welcome, clients: [{ id: 1 }] }, /clients/],
    [{ ...welcome, scrollback: [{ t: "out", text: 5 }] }, /scrollback/],
    [{ ...welcome, state: "gone" }, /state/],
    [{ ...welcome, role: "admin" }, /role/],
    [{ ...welcome, proof: 1 }, /proof/],
  ];
  for (const [m, why] of bad) {
    const parsed = parseServerMessage(m);
    assert.ok(!parsed.ok, `accepted ${JSON.stringify(m)}`);
    assert.equal(parsed.unknown, false);
    assert.match(parsed.error, why);
  }
});

Deno.test("a newer server's message type is unknown, not wrong; its fields pass through", () => {
  const parsed = parseServerMessage({ t: "input-echo", text: "x" });
  assert.ok(!parsed.ok);
  assert.equal(parsed.unknown, true);
  // Optional fields a newer minor version adds are kept for whoever knows them.
  const out = parseServerMessage({ t: "out", seq: 1, stream: "console", text: "x", part: 2 });
  assert.ok(out.ok);
  assert.equal(out.msg.part, 2);
  // In a welcome's scrollback, a newer event is dropped, as it is skipped live.
  const w = parseServerMessage({
    ...welcome,
    scrollback: [{ t: "input-echo", text: "x" }, ...welcome.scrollback],
  });
  assert.ok(w.ok && w.msg.t === "welcome");
  assert.deepEqual(w.msg.scrollback, welcome.scrollback);
});
