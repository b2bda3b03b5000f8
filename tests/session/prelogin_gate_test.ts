import assert from "node:assert/strict";
import { PreloginGate } from "../../src/session/prelogin_gate.ts";

Deno.test("prelogin gate: caps handshakes per address and in all; a settled one frees its place once", () => {
  const gate = new PreloginGate({ perAddress: 2, total: 3 });
  const a1 = gate.enter("10.0.0.1");
  const a2 = gate.enter("10.0.0.1");
  assert.ok(a1 && a2);
  assert.equal(gate.enter("10.0.0.1"), undefined, "a third from one address is turned away");
  const b1 = gate.enter("10.0.0.2");
  assert.ok(b1, "another address still gets in");
  assert.equal(gate.enter("10.0.0.3"), undefined, "the total is reached");
  a1();
  a1(); // settling twice (login, then close) frees one place only
  assert.equal(gate.waiting(), 2);
  assert.equal(gate.waiting("10.0.0.1"), 1);
  assert.ok(gate.enter("10.0.0.3"));
  assert.equal(gate.enter("10.0.0.4"), undefined);
});
