import assert from "node:assert/strict";
import { frame, observerInput, PRE_LOGIN_KINDS, preLoginInput, prng } from "./hostile_inputs.ts";

function preLogin(seed: number, n: number) {
  const rand = prng(seed);
  return Array.from({ length: n }, () => preLoginInput(rand));
}

Deno.test("hostile inputs: the same seed gives the same inputs, another seed others", () => {
  const a = preLogin(42, 300);
  const b = preLogin(42, 300);
  assert.deepEqual(a, b);
  assert.notDeepEqual(preLogin(43, 300).map((i) => i.bytes), a.map((i) => i.bytes));
  const ra = prng(7);
  const rb = prng(7);
  const oa = Array.from({ length: 300 }, (_, i) => JSON.stringify(observerInput(ra, i)));
  const ob = Array.from({ length: 300 }, (_, i) => JSON.stringify(observerInput(rb, i)));
  assert.deepEqual(oa, ob);
});

Deno.test("hostile inputs: every kind comes up, and complete ones are judged without more bytes", () => {
  const inputs = preLogin(1, 2000);
  assert.deepEqual(new Set(inputs.map((i) => i.kind)), new Set(PRE_LOGIN_KINDS));
  for (const input of inputs) {
    assert.ok(input.bytes.length > 0);
    if (input.kind === "truncated") assert.equal(input.complete, false);
    if (!input.complete || input.bytes.length < 4) continue;
    // A complete input is a header over the limit, or at least one whole frame.
    const declared = new DataView(input.bytes.buffer, input.bytes.byteOffset).getUint32(0);
    assert.ok(declared > 1024 * 1024 || declared + 4 <= input.bytes.length, input.kind);
  }
});

Deno.test("hostile inputs: observer messages are well-formed frames a server must answer", () => {
  const rand = prng(3);
  for (let i = 0; i < 500; i++) {
    const m = observerInput(rand, i);
    assert.ok(m.t === "cmd" || m.t === "interrupt");
    if (m.t === "cmd") {
      assert.equal(m.id, i);
      assert.ok(typeof m.text === "string" && m.text.startsWith("x"));
    }
    // Encodes to one frame that parses back to the same message type.
    const bytes = frame(m);
    const back = JSON.parse(new TextDecoder().decode(bytes.subarray(4)));
    assert.equal(back.t, m.t);
  }
});
