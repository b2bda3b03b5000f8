import assert from "node:assert/strict";
import { encodedSize } from "../../src/protocol/fit.ts";
import type { Out } from "../../src/protocol/messages.ts";
import { Scrollback } from "../../src/session/scrollback.ts";

const out = (i: number, size = 10): Out => ({
  t: "out",
  seq: i,
  stream: "console",
  text: String(i).padEnd(size, "."),
});

Deno.test("scrollback keeps the most recent events, at most so many", () => {
  const s = new Scrollback(3, 1 << 20);
  for (let i = 1; i <= 5; i++) s.add(out(i));
  assert.deepEqual(s.events(), [out(3), out(4), out(5)]);
});

Deno.test("scrollback is bounded in bytes too: the most recent that fit, with no gap", () => {
  const size = encodedSize(out(5000, 1000));
  const s = new Scrollback(10_000, size * 3);
  for (let i = 1; i <= 5000; i++) s.add(out(i, 1000));
  assert.deepEqual(s.events(), [out(4998, 1000), out(4999, 1000), out(5000, 1000)]);
  assert.ok(s.bytes <= size * 3);
  // An event larger than the whole bound leaves nothing older before it: a tail never has a gap.
  s.add(out(5001, size * 4));
  assert.deepEqual(s.events(), []);
  s.add(out(5002, 1000));
  assert.deepEqual(s.events(), [out(5002, 1000)]);
});

Deno.test("scrollback of 0 keeps nothing", () => {
  const s = new Scrollback(0);
  s.add(out(1));
  assert.deepEqual(s.events(), []);
});
