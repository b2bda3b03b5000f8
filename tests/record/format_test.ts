import assert from "node:assert/strict";
import { DbgRemoteError } from "../../src/errors.ts";
import { encodeEvent, encodeHeader, parseRecord, RECORD_FORMAT } from "../../src/record/format.ts";

const HEADER = encodeHeader(0, {
  format: RECORD_FORMAT,
  version: 1,
  server: "s",
  host: "h",
  session: "id",
  engine: "gdb",
  by: "a@b",
});
const EVENT = encodeEvent(1500, { t: "notice", kind: "info", text: "hi" });

function refused(text: string, pattern: RegExp): void {
  assert.throws(
    () => parseRecord(text, "f.jsonl"),
    (err) => err instanceof DbgRemoteError && err.code === "E_RECORD" && pattern.test(err.message),
  );
}

Deno.test("encode and parse round-trip, with ISO times to the millisecond", () => {
  assert.equal(
    EVENT,
    '{"time":"1970-01-01T00:00:01.500Z","event":{"t":"notice","kind":"info","text":"hi"}}\n',
  );
  const { entries, warnings } = parseRecord(HEADER + EVENT, "f.jsonl");
  assert.deepEqual(warnings, []);
  assert.equal(entries.length, 2);
  assert.deepEqual(entries[1], { time: 1500, event: { t: "notice", kind: "info", text: "hi" } });
  // A complete last line without its newline is still a line.
  assert.equal(parseRecord(HEADER + EVENT.trimEnd(), "f.jsonl").entries.length, 2);
});

Deno.test("a file that is not a record: a clear error naming the line", () => {
  refused(
    "hello world\n",
    /^f\.jsonl:1: not a dbgremote session record \(its first line is not JSON/,
  );
  refused(
    EVENT,
    /^f\.jsonl:1: not a dbgremote session record: it does not start with a record header/,
  );
  refused(
    HEADER + EVENT + "garbage\n" + EVENT,
    /^f\.jsonl:3: line 3 is not a record line: not JSON/,
  );
  refused(
    HEADER + '{"time":"yesterday","event":{"t":"out"}}\n',
    /^f\.jsonl:2: .*no ISO 8601 `time`/,
  );
  refused(
    HEADER + '{"time":"2026-01-01T00:00:00Z","other":1}\n',
    /^f\.jsonl:2: .*neither a header/,
  );
  refused(HEADER.replace('"version":1', '"version":9'), /^f\.jsonl:1: .*record version 9/);
  refused("", /^f\.jsonl: empty/);
  refused('{"time":', /^f\.jsonl:1: not a dbgremote session record \(one unfinished line\)/);
});

Deno.test("an unfinished last line (a writer killed mid-line) is skipped with a warning", () => {
  const { entries, warnings } = parseRecord(HEADER + EVENT + EVENT.slice(0, 20), "f.jsonl");
  assert.equal(entries.length, 2);
  assert.deepEqual(warnings, [
    "f.jsonl:3: skipped an unfinished last line (20 bytes): the writer stopped while writing it",
  ]);
});
