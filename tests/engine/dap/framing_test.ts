import assert from "node:assert/strict";
import { createDapDecoder, encodeDapMessage } from "../../../src/engine/dap/framing.ts";
import { EngineError } from "../../../src/errors.ts";

const enc = new TextEncoder();

Deno.test("DAP framing: a message round-trips; its length counts bytes, not characters", () => {
  const msg = { seq: 1, type: "event", event: "output", body: { output: "héllo ✓\n" } };
  const framed = encodeDapMessage(msg);
  const text = new TextDecoder().decode(framed);
  const body = JSON.stringify(msg);
  assert.ok(text.startsWith(`Content-Length: ${enc.encode(body).length}\r\n\r\n`));
  assert.notEqual(enc.encode(body).length, body.length);
  assert.deepEqual(createDapDecoder().push(framed), [msg]);
});

Deno.test("DAP framing: messages split anywhere, even inside a character, and glued together", () => {
  const msgs = [{ seq: 1, a: "✓✓✓" }, { seq: 2, b: [1, 2] }, { seq: 3 }];
  const all = new Uint8Array(msgs.flatMap((m) => [...encodeDapMessage(m)]));
  for (let size = 1; size <= all.length; size += 3) {
    const d = createDapDecoder();
    const got: unknown[] = [];
    for (let i = 0; i < all.length; i += size) got.push(...d.push(all.subarray(i, i + size)));
    assert.deepEqual(got, msgs, `chunks of ${size}`);
    assert.equal(d.pending, 0);
  }
});

Deno.test("DAP framing: other headers are ignored, the name's case too", () => {
  const body = enc.encode('{"seq":7}');
  const framed = enc.encode(
    `content-length: ${body.length}\r\nContent-Type: application/vscode-jsonrpc\r\n\r\n{"seq":7}`,
  );
  assert.deepEqual(createDapDecoder().push(framed), [{ seq: 7 }]);
});

Deno.test("DAP framing: malformed frames are refused with a stable code", () => {
  const cases: [string, RegExp][] = [
    ["Content-Length: x\r\n\r\n", /Content-Length "x"/],
    ["Content-Type: a\r\n\r\n{}", /no Content-Length/],
    ["garbage\r\n\r\n", /header line "garbage"/],
    ["Content-Length: 3\r\n\r\nabc", /not JSON/],
    ["Content-Length: 99999999999\r\n\r\n", /a message of/],
    ["x".repeat(9000), /longer than 8 KiB/],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => createDapDecoder().push(enc.encode(input)), (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.code, "E_ENGINE_DIED");
      assert.match(err.message, message);
      return true;
    });
  }
  const bad = new Uint8Array([...enc.encode("Content-Length: 2\r\n\r\n"), 0xff, 0xfe]);
  assert.throws(() => createDapDecoder().push(bad), /not UTF-8/);
});
