/**
 * `log show` and `--asciicast` against golden files: testdata/sample.jsonl is a record whose
 * writer was killed mid-line. To update the goldens after a deliberate change:
 * UPDATE_GOLDEN=1 deno test -A tests/record/show_test.ts, then read the diff.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import process from "node:process";
import { toAsciicast } from "../../src/record/asciicast.ts";
import { parseRecord } from "../../src/record/format.ts";
import { showRecord } from "../../src/record/show.ts";

const DATA = path.join(import.meta.dirname!, "testdata");
const SAMPLE = path.join(DATA, "sample.jsonl");

function golden(name: string, actual: string): void {
  const file = path.join(DATA, name);
  if (process.env.UPDATE_GOLDEN) fs.writeFileSync(file, actual);
  assert.equal(actual, fs.readFileSync(file, "utf8"), `differs from ${file}`);
}

const sample = () => parseRecord(fs.readFileSync(SAMPLE, "utf8"), "sample.jsonl");

Deno.test("a record shows as the console showed the session; the unfinished last line is skipped", () => {
  const { entries, warnings } = sample();
  assert.deepEqual(warnings, [
    "sample.jsonl:18: skipped an unfinished last line (74 bytes): the writer stopped while writing it",
  ]);
  golden("sample.txt", showRecord(entries));
});

Deno.test("--times: every line starts with the time of the event that began it", () => {
  const text = showRecord(sample().entries, { times: true });
  golden("sample-times.txt", text);
  // Target output that arrived in two pieces is one line, with the first piece's time.
  assert.ok(text.includes("[2026-12-01T09:24:11.200Z] sum so far: 0\n"));
});

Deno.test("asciicast v2: a header, then output events and markers at stops and joins", () => {
  const cast = toAsciicast(sample().entries);
  golden("sample.cast", cast);
  const [head, ...lines] = cast.trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.equal(head.version, 2);
  assert.equal(head.timestamp, Date.parse("2026-12-01T09:24:08Z") / 1000);
  assert.ok(lines.every((l) => Array.isArray(l) && typeof l[0] === "number"));
  assert.deepEqual(
    lines.filter((l) => l[1] === "m").map((l) => [l[0], l[2]]),
    [[1.25, "bob@dev2 joined (tcp:198.18.0.4:42414)"], [
      3.401,
      "stopped at demo.c:10 in add (breakpoint-hit)",
    ]],
  );
  const times = lines.map((l) => l[0]);
  assert.deepEqual(times, times.toSorted((a, b) => a - b), "times never go back");
  assert.ok(lines.filter((l) => l[1] === "o").every((l) => !/[^\r]\n/.test(l[2])), "CRLF only");
});
