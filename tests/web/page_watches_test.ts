/** A page's watch list (src/web/page/watches.ts): adding, removing, and its stored form. */
import assert from "node:assert/strict";
import { MAX_EXPRESSION, MAX_WATCHES, Watches } from "../../src/web/page/watches.ts";

Deno.test("watches are added trimmed, once, and removed", () => {
  const w = new Watches();
  assert.ok(w.add("  p->x "));
  assert.equal(w.add("p->x"), false, "no duplicates");
  assert.equal(w.add("   "), false, "nothing to watch");
  assert.equal(w.add("a\nb"), false, "one line");
  assert.equal(w.add("x".repeat(MAX_EXPRESSION + 1)), false);
  assert.ok(w.add("sum"));
  w.remove("p->x");
  assert.deepEqual(w.items, ["sum"]);
});

Deno.test("the list is bounded, and survives its stored form; junk reads as empty", () => {
  const w = new Watches();
  for (let i = 0; i < MAX_WATCHES + 5; i++) w.add(`v${i}`);
  assert.equal(w.items.length, MAX_WATCHES);
  assert.deepEqual(Watches.parse(w.serialize()).items, w.items);
  assert.deepEqual(Watches.parse(null).items, []);
  assert.deepEqual(Watches.parse("{not json").items, []);
  assert.deepEqual(Watches.parse('{"a":1}').items, []);
  assert.deepEqual(Watches.parse('["a", 3, "", "b"]').items, ["a", "b"]);
});
