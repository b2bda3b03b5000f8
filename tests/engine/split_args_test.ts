import assert from "node:assert/strict";
import { splitArgs } from "../../src/engine/split_args.ts";

Deno.test("splitArgs: blanks split, quotes group, backslash escapes, nothing expands", () => {
  assert.deepEqual(splitArgs("  a  b\tc "), ["a", "b", "c"]);
  assert.deepEqual(splitArgs(`'two words' "x \\"y\\"" ''`), ["two words", 'x "y"', ""]);
  assert.deepEqual(splitArgs("a\\ b $HOME *.c"), ["a b", "$HOME", "*.c"]);
  assert.deepEqual(splitArgs("'it''s'"), ["its"]);
  assert.deepEqual(splitArgs(""), []);
});
