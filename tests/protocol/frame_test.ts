import assert from "node:assert/strict";
import {
  DEFAULT_MAX_FRAME,
  encodeFrame,
  FrameDecoder,
  type Message,
} from "../../src/protocol/frame.ts";
import { FrameError } from "../../src/errors.ts";

const msgs: Message[] = [
  { t: "hello", protocol: "1.0", release: "0.1.0", who: { user: "a", host: "h", tool: "t" } },
  { t: "out", seq: 1, stream: "console", text: "café ☕ \u{1F41E}\n" },
  { t: "done", client: 1, id: 1, seq: 1, ok: true },
];

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function frameError(code: string): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof FrameError, String(err));
    assert.equal(err.code, code);
    return true;
  };
}

Deno.test("a frame is a 4-byte big-endian length and UTF-8 JSON", () => {
  const f = encodeFrame({ t: "bye" });
  assert.deepEqual([...f.subarray(0, 4)], [0, 0, 0, 11]);
  assert.equal(new TextDecoder().decode(f.subarray(4)), '{"t":"bye"}');
});

Deno.test("round trip: several frames merged into one chunk", () => {
  const d = new FrameDecoder();
  assert.deepEqual(d.push(concat(msgs.map((m) => encodeFrame(m)))), msgs);
  assert.equal(d.pending, 0);
});

Deno.test("byte by byte, including multi-byte UTF-8 split across chunks", () => {
  const bytes = concat(msgs.map((m) => encodeFrame(m)));
  const d = new FrameDecoder();
  const got: Message[] = [];
  for (let i = 0; i < bytes.length; i++) got.push(...d.push(bytes.subarray(i, i + 1)));
  assert.deepEqual(got, msgs);
});

Deno.test("split at every offset into two chunks", () => {
  const bytes = concat(msgs.map((m) => encodeFrame(m)));
  for (let cut = 0; cut <= bytes.length; cut++) {
    const d = new FrameDecoder();
    const got = [...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut))];
    assert.deepEqual(got, msgs, `cut at ${cut}`);
  }
});

Deno.test("pending counts the bytes of an incomplete frame", () => {
  const f = encodeFrame({ t: "bye" });
  const d = new FrameDecoder();
  assert.deepEqual(d.push(f.subarray(0, 7)), []);
  assert.equal(d.pending, 7);
  assert.deepEqual(d.push(f.subarray(7)), [{ t: "bye" }]);
  assert.equal(d.pending, 0);
});

Deno.test("a frame near the limit, in 1000 pieces", () => {
  const text = "x".repeat(DEFAULT_MAX_FRAME - 100);
  const f = encodeFrame({ t: "out", text });
  const d = new FrameDecoder();
  const step = Math.ceil(f.length / 1000);
  const got: Message[] = [];
  for (let i = 0; i < f.length; i += step) got.push(...d.push(f.subarray(i, i + step)));
  assert.equal(got.length, 1);
  assert.equal((got[0].text as string).length, text.length);
});

Deno.test("a length over the limit fails as soon as the header arrives", () => {
  const d = new FrameDecoder(1024);
  assert.deepEqual(d.push(new Uint8Array([0, 0])), []);
  assert.throws(() => d.push(new Uint8Array([4, 1])), frameError("E_FRAME_TOO_LARGE"));
});

Deno.test("malformed bodies: bad JSON, bad UTF-8, not a message", () => {
  const frame = (body: Uint8Array) => concat([new Uint8Array([0, 0, 0, body.length]), body]);
  const enc = new TextEncoder();
  for (
    const body of [
      enc.encode("{nope"),
      new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
      enc.encode("[1,2]"),
      enc.encode('{"t":3}'),
      enc.encode("null"),
    ]
  ) {
    assert.throws(() => new FrameDecoder().push(frame(body)), frameError("E_FRAME_MALFORMED"));
  }
});

Deno.test("encodeFrame refuses a message over the limit", () => {
  assert.throws(
    () => encodeFrame({ t: "out", text: "x".repeat(2000) }, 1000),
    frameError("E_FRAME_TOO_LARGE"),
  );
});
