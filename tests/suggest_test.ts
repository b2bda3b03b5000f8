import assert from "node:assert/strict";
import { didYouMean, editDistance } from "../src/suggest.ts";

Deno.test("editDistance counts inserts, deletes, substitutions and swaps", () => {
  assert.equal(editDistance("", ""), 0);
  assert.equal(editDistance("port", "port"), 0);
  assert.equal(editDistance("prot", "port"), 1);
  assert.equal(editDistance("conect", "connect"), 1);
  assert.equal(editDistance("kitten", "sitting"), 3);
});

Deno.test("didYouMean picks the closest within reach, case-insensitively", () => {
  assert.equal(didYouMean("Conect", ["connect", "listen"]), "connect");
  assert.equal(didYouMean("lisen", ["connect", "listen"]), "listen");
  assert.equal(didYouMean("zzz", ["connect", "listen"]), undefined);
  assert.equal(didYouMean("x", []), undefined);
});
