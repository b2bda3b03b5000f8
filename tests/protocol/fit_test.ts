import assert from "node:assert/strict";
import { DEFAULT_MAX_FRAME, encodeFrame, FrameDecoder } from "../../src/protocol/frame.ts";
import {
  commandTooLong,
  encodedSize,
  encodeWelcome,
  fitEvent,
  fitWelcome,
  MAX_COMMAND_CHARS,
  MAX_EVENT_BYTES,
  splitOut,
  splitText,
} from "../../src/protocol/fit.ts";
import type { Out, SessionEvent, Welcome } from "../../src/protocol/messages.ts";
import { welcomeMessage } from "../support/samples.ts";

/** Text that costs every JSON width: ASCII, escapes, controls, 2-, 3- and 4-byte UTF-8. */
function mixed(n: number, seed = 1): string {
  const alphabet = [
    "a",
    "Z",
    "0",
    " ",
    '"',
    "\\",
    "\n",
    "\t",
    "\x01",
    "\x7f",
    "\u009b",
    "é",
    "€",
    "\u2028",
    "😀",
    "\ud800",
  ];
  let s = "";
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    s += alphabet[x % alphabet.length];
  }
  return s;
}

Deno.test("splitText: the pieces join to the text, each within the budget, no pair cut", () => {
  for (const [n, budget] of [[10_000, 64], [50_000, 997], [3, 6], [100_000, 65_536]]) {
    const text = mixed(n, n);
    const pieces = splitText(text, budget);
    assert.equal(pieces.join(""), text);
    for (const p of pieces) {
      const bytes = new TextEncoder().encode(JSON.stringify(p)).length - 2; // without the quotes
      assert.ok(bytes <= budget, `${bytes} > ${budget}`);
      assert.ok(p.length > 0);
      const last = p.charCodeAt(p.length - 1);
      const next = text.charCodeAt(text.indexOf(p) + p.length);
      assert.ok(!(last >= 0xd800 && last <= 0xdbff && next >= 0xdc00 && next <= 0xdfff));
    }
  }
  assert.deepEqual(splitText("", 64), [""]);
  assert.deepEqual(splitText("short", 64), ["short"]);
});

Deno.test("splitOut: a 5 MB line becomes frames that each fit, and decode back to it whole", () => {
  const line = mixed(5_000_000, 7) + "\n";
  const out: Out = { t: "out", seq: 3, stream: "console", text: line };
  assert.throws(() => encodeFrame(out), /over the 1048576-byte frame limit/);
  const pieces = splitOut(out);
  assert.ok(pieces.length > 1);
  const decoder = new FrameDecoder();
  let joined = "";
  for (const p of pieces) {
    assert.equal(p.seq, 3);
    assert.equal(p.stream, "console");
    const frame = encodeFrame(p);
    assert.ok(frame.length - 4 <= MAX_EVENT_BYTES, `${frame.length} bytes`);
    for (const m of decoder.push(frame)) joined += (m as Out).text;
  }
  assert.equal(joined, line, "joined without anything added");
  const small: Out = { t: "out", seq: null, stream: "target", text: "hello\n" };
  assert.deepEqual(splitOut(small), [small]);
});

Deno.test("fitEvent: other events are shortened visibly to fit; small ones pass as they are", () => {
  const huge = "\u009b".repeat(400_000);
  const cases: SessionEvent[] = [
    { t: "echo", from: "a@h", client: 1, id: 1, seq: 1, text: huge },
    { t: "notice", kind: "info", text: huge },
    { t: "done", client: 1, id: 1, seq: 1, ok: false, error: huge },
    { t: "end", reason: huge },
  ];
  for (const e of cases) {
    const [fitted, ...rest] = fitEvent(e);
    assert.equal(rest.length, 0);
    assert.equal(fitted.t, e.t);
    assert.ok(encodedSize(fitted) <= MAX_EVENT_BYTES);
    assert.match(JSON.stringify(fitted), /\[\.\.\. \d+ more characters not shown\]/);
  }
  const frames = Array.from({ length: 32 }, (_, level) => ({
    level,
    func: "f",
    file: "demo.c",
    line: level,
    args: [{ name: "s", value: "y".repeat(20_000) }],
  }));
  const [stop] = fitEvent({
    t: "state",
    state: "stopped",
    info: { file: "demo.c", line: 3, func: "main", frames },
  });
  assert.ok(stop.t === "state" && stop.info.line === 3 && stop.info.frames?.length === 32);
  assert.ok(encodedSize(stop) <= MAX_EVENT_BYTES);
  const small: SessionEvent = { t: "notice", kind: "info", text: "hi" };
  assert.deepEqual(fitEvent(small), [small]);
});

Deno.test("fitWelcome: the oldest scrollback is left out until the welcome fits a frame", () => {
  const piece = (i: number): Out => ({
    t: "out",
    seq: i,
    stream: "console",
    text: `${i}:` + "z".repeat(200_000),
  });
  const welcome = welcomeMessage({
    protocol: "1.3",
    server: { name: "s", engine: "gdb", host: "h" },
    session: "x",
    scrollback: Array.from({ length: 10 }, (_, i) => piece(i)),
  }) as Welcome;
  const fitted = fitWelcome(welcome);
  assert.ok(encodeFrame(fitted).length - 4 <= DEFAULT_MAX_FRAME);
  assert.ok(fitted.scrollback.length >= 4 && fitted.scrollback.length < 10);
  assert.deepEqual(fitted.scrollback.at(-1), piece(9), "the most recent is kept");
  const seqs = fitted.scrollback.map((e) => (e as Out).seq);
  assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => 10 - seqs.length + i));
});

Deno.test("encodeWelcome: one frame; a welcome that fits is sent whole, one that does not is fitted", () => {
  const decode = (frame: Uint8Array) => new FrameDecoder(DEFAULT_MAX_FRAME + 4).push(frame);
  const piece = (i: number): Out => ({ t: "out", seq: i, stream: "console", text: "z".repeat(i) });
  const small = welcomeMessage({
    scrollback: Array.from({ length: 3 }, (_, i) => piece(i)),
  }) as Welcome;
  assert.deepEqual(encodeWelcome(small), encodeFrame(small));
  assert.deepEqual(decode(encodeWelcome(small)), [small]);
  const big = welcomeMessage({
    scrollback: Array.from({ length: 10 }, (_, i) => ({ ...piece(i), text: "y".repeat(200_000) })),
  }) as Welcome;
  const [fitted] = decode(encodeWelcome(big)) as Welcome[];
  assert.deepEqual(fitted, fitWelcome(big));
  const list = new TextEncoder().encode("[]");
  assert.deepEqual(decode(encodeWelcome(big, DEFAULT_MAX_FRAME, list)), [fitted]);
  assert.ok(fitted.scrollback.length < 10);
});

Deno.test("encodeWelcome: the participants' list given as JSON is put in as it is", () => {
  const clients = [
    { id: 1, who: { user: 'a"b', host: "h", tool: "t" }, via: "console" },
    { id: 2, who: { user: "c", host: "h", tool: "t" }, via: "tcp:1.2.3.4:5", role: "observer" },
  ];
  const welcome = welcomeMessage({
    server: { name: '"clients":[]', engine: "gdb", host: "h" },
    clients,
    scrollback: [{ t: "notice", kind: "info", text: '"clients":[]' }],
  }) as Welcome;
  const list = new TextEncoder().encode(JSON.stringify(clients));
  const frame = encodeWelcome(welcome, DEFAULT_MAX_FRAME, list);
  assert.deepEqual(frame, encodeFrame(welcome));
});

Deno.test("commandTooLong: up to the limit is fine; beyond, E_TOO_LONG with a hint", () => {
  assert.equal(commandTooLong("x".repeat(MAX_COMMAND_CHARS)), undefined);
  const err = commandTooLong("x".repeat(MAX_COMMAND_CHARS + 1));
  assert.equal(err?.code, "E_TOO_LONG");
  assert.ok(err?.hint);
});
