import assert from "node:assert/strict";
import { createDapWireDecoder, encodeDapMessage } from "../../src/dap/wire.ts";
import { DbgRemoteError } from "../../src/errors.ts";

const text = (s: string) => new TextEncoder().encode(s);

Deno.test("wire: messages split and merged arbitrarily come out whole, in order", () => {
  const bytes = new Uint8Array([
    ...encodeDapMessage({ seq: 1, type: "request", command: "initialize" }),
    ...encodeDapMessage({ seq: 2, type: "request", command: "attach", arguments: { user: "ünï" } }),
  ]);
  const d = createDapWireDecoder(1024);
  const out = [];
  for (let i = 0; i < bytes.length; i += 7) out.push(...d.push(bytes.subarray(i, i + 7)));
  assert.deepEqual(out.map((m) => m.ok && m.message.seq), [1, 2]);
});

Deno.test("wire: a body that is not JSON (or not an object) costs only that message", () => {
  const d = createDapWireDecoder(1024);
  const items = d.push(
    new Uint8Array([
      ...text("Content-Length: 5\r\n\r\nhello"),
      ...text("Content-Length: 2\r\n\r\n[]"),
      ...encodeDapMessage({ seq: 3 }),
    ]),
  );
  assert.deepEqual(items.map((i) => i.ok), [false, false, true]);
});

Deno.test("wire: a malformed Content-Length, a header without one, an endless header, an oversized message break the framing", () => {
  const cases = [
    ["Content-Length: -3\r\n\r\n", "E_FRAME_MALFORMED"],
    ["Content-Length: 12abc\r\n\r\n", "E_FRAME_MALFORMED"],
    ["Content-Type: json\r\n\r\n{}", "E_FRAME_MALFORMED"],
    ["garbage\r\n\r\n", "E_FRAME_MALFORMED"],
    ["X".repeat(2000), "E_FRAME_MALFORMED"],
    ["Content-Length: 5000\r\n\r\n", "E_FRAME_TOO_LARGE"],
  ];
  for (const [input, code] of cases) {
    const d = createDapWireDecoder(1024);
    assert.throws(
      () => d.push(text(input)),
      (e: unknown) => e instanceof DbgRemoteError && e.code === code,
      input.slice(0, 30),
    );
  }
});
