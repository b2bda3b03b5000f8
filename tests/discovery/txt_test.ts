import assert from "node:assert/strict";
import { decodeTxt, encodeTxt, validTxtKey } from "../../src/discovery/txt.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

Deno.test("txt: one key=value string per pair (RFC 6763 §6.3)", () => {
  const strings = encodeTxt([["name", "crash lab"], ["clients", "2"], ["ep1", "tcp:port=5"]]);
  assert.deepEqual(strings.map(text), ["name=crash lab", "clients=2", "ep1=tcp:port=5"]);
});

Deno.test("txt: a value too long is cut to 255 bytes on a character boundary, with an ellipsis", () => {
  const [s] = encodeTxt([["program", "/ö".repeat(200)]]);
  assert.ok(s.length <= 255, `${s.length} bytes`);
  const t = text(s);
  assert.ok(t.startsWith("program=/ö/ö"));
  assert.ok(t.endsWith("…"));
  assert.ok(!t.includes("\uFFFD"), "no character cut in half");
  const [exact] = encodeTxt([["k", "x".repeat(253)]]); // "k=" + 253 = 255 bytes: kept whole
  assert.equal(text(exact), "k=" + "x".repeat(253));
});

Deno.test("txt: keys are printable ASCII without '=', 1 to 9 characters (§6.4)", () => {
  for (const good of ["name", "ep1", "txtvers", "a b"]) assert.ok(validTxtKey(good), good);
  for (const bad of ["", "a=b", "toolongkey", "ké", "\x01"]) assert.ok(!validTxtKey(bad), bad);
  assert.throws(() => encodeTxt([["a=b", "1"]]), /not a TXT key/);
});

Deno.test("txt: decoding follows §6.4: no case in keys, first wins, bare keys, '=...' ignored", () => {
  const txt = decodeTxt(["Name=one", "name=two", "flag", "=orphan", "empty=", "eq=a=b"].map(bytes));
  assert.deepEqual(
    [...txt],
    [["name", "one"], ["flag", ""], ["empty", ""], ["eq", "a=b"]],
  );
});
