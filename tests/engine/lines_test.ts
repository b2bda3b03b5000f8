import assert from "node:assert/strict";
import { lineSplitter } from "../../src/engine/lines.ts";

Deno.test("lineSplitter: lines whole whatever the chunks, the rest kept for later", () => {
  const text = "first\nsecond line\n\nthird, long: " + "x".repeat(10_000) + "\nrest";
  for (const size of [1, 3, 7, 64, 4096, text.length]) {
    const s = lineSplitter();
    const got: string[] = [];
    for (let i = 0; i < text.length; i += size) got.push(...s.push(text.slice(i, i + size)));
    assert.deepEqual(got, ["first", "second line", "", "third, long: " + "x".repeat(10_000)]);
    assert.equal(s.rest, "rest");
  }
});

Deno.test("lineSplitter: a 5 MB line in 4 KiB writes is cut once, at its end", () => {
  const s = lineSplitter();
  const piece = "0123456789abcdef".repeat(256);
  let lines: string[] = [];
  for (let i = 0; i < 1300; i++) lines = lines.concat(s.push(piece));
  assert.deepEqual(lines, []);
  const [line] = s.push("!\nnext");
  assert.equal(line.length, 1300 * 4096 + 1);
  assert.equal(s.rest, "next");
});
