import assert from "node:assert/strict";
import { parsePdb } from "../../src/engine/pdb_words.ts";

Deno.test("pdb words: commands and their abbreviations", () => {
  assert.deepEqual(parsePdb("b demo.py:9"), { op: "break", args: "demo.py:9" });
  assert.deepEqual(parsePdb("break add, a > 1"), { op: "break", args: "add, a > 1" });
  assert.deepEqual(parsePdb("  c "), { op: "continue", args: "" });
  assert.deepEqual(parsePdb("n"), { op: "next", args: "" });
  assert.deepEqual(parsePdb("s"), { op: "step", args: "" });
  assert.deepEqual(parsePdb("r"), { op: "return", args: "" });
  assert.deepEqual(parsePdb("unt 20"), { op: "until", args: "20" });
  assert.deepEqual(parsePdb("bt"), { op: "where", args: "" });
  assert.deepEqual(parsePdb("u 2"), { op: "up", args: "2" });
  assert.deepEqual(parsePdb("d"), { op: "down", args: "" });
  assert.deepEqual(parsePdb("p x + 1"), { op: "print", args: "x + 1" });
  assert.deepEqual(parsePdb("pp {'a': 1}"), { op: "pp", args: "{'a': 1}" });
  assert.deepEqual(parsePdb("l 1, 5"), { op: "list", args: "1, 5" });
  assert.deepEqual(parsePdb("cl 1 2"), { op: "clear", args: "1 2" });
  assert.deepEqual(parsePdb("condition 1 x == 2"), { op: "condition", args: "1 x == 2" });
  assert.deepEqual(parsePdb("tbreak 12"), { op: "tbreak", args: "12" });
  assert.deepEqual(parsePdb("a"), { op: "args", args: "" });
  assert.deepEqual(parsePdb("ll"), { op: "longlist", args: "" });
  assert.deepEqual(parsePdb("longlist"), { op: "longlist", args: "" });
  assert.deepEqual(parsePdb("undisplay x"), { op: "undisplay", args: "x" });
  assert.deepEqual(parsePdb("restart"), { op: "restart", args: "" });
  assert.deepEqual(parsePdb("run a 'b c'"), { op: "restart", args: "a 'b c'" });
});

Deno.test("pdb words: anything else is Python, evaluated in the frame", () => {
  assert.deepEqual(parsePdb("x = 3"), { op: "exec", args: "x = 3" });
  assert.deepEqual(parsePdb("!n = 5"), { op: "exec", args: "n = 5" });
  assert.deepEqual(parsePdb("len(argv)"), { op: "exec", args: "len(argv)" });
  // A pdb word used as a Python name: `c = 1`, `n.bit_length()`, `p(1)` is the print command.
  assert.deepEqual(parsePdb("c = 1"), { op: "exec", args: "c = 1" });
  assert.deepEqual(parsePdb("n.bit_length()"), { op: "exec", args: "n.bit_length()" });
  assert.deepEqual(parsePdb("p(1)"), { op: "print", args: "(1)" });
  assert.deepEqual(parsePdb("frobnicate"), { op: "exec", args: "frobnicate" });
});

Deno.test("parsePdb: frame N is ours (the page's and editors' frame selection)", () => {
  assert.deepEqual(parsePdb("frame 2"), { op: "frame", args: "2" });
  assert.deepEqual(parsePdb("frame.f_lineno"), { op: "exec", args: "frame.f_lineno" });
});
