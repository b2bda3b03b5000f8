import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { encodeHeader, parseRecord, RECORD_FORMAT } from "../../src/record/format.ts";
import { openRecordFile } from "../../src/record/writer.ts";
import { timestampedName } from "../../src/record/session_record.ts";
import type { SessionEvent } from "../../src/protocol/messages.ts";
import { doneSeq, recordLab } from "./session_lab.ts";

/** A scratch directory, removed when the test's `using` ends. */
function tmpDir(): { path: string } & Disposable {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-record-"));
  return { path: dir, [Symbol.dispose]: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

const isNotice = (text: RegExp) => (e: SessionEvent) => e.t === "notice" && text.test(e.text);

Deno.test(".logopen records every later event, one JSON line each, in a 0600 file", async () => {
  using tmp = tmpDir();
  const dir = tmp.path;
  const file = path.join(dir, "s.jsonl");
  const l = recordLab();
  const alice = l.join("alice");
  const bob = l.join("bob");
  alice.say("print 1"); // before the record: not in it
  await alice.until(doneSeq(1));
  alice.say(`.logopen ${file}`);
  await bob.until(isNotice(/alice@h records the session to .*s\.jsonl/));
  bob.say("print 2");
  await alice.until(doneSeq(3));
  alice.say(".logfile");
  const where = await bob.until((e) => e.t === "out" && /^session record: /.test(e.text));
  assert.match((where as { text: string }).text, /s\.jsonl \(opened by alice@h at .*; \d+ events/);
  alice.say(".logclose");
  await bob.until(isNotice(/alice@h closed the session record/));
  bob.say("print 3"); // after the record: not in it
  await alice.until(doneSeq(6));

  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  const text = fs.readFileSync(file, "utf8");
  assert.ok(text.endsWith("\n"));
  for (const line of text.trimEnd().split("\n")) {
    assert.match(JSON.parse(line).time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }
  const { entries, warnings } = parseRecord(text, file);
  assert.deepEqual(warnings, []);
  const first = entries[0];
  assert.ok("header" in first);
  assert.equal(first.header.server, "srv");
  assert.equal(first.header.by, "alice@h");
  assert.equal(first.header.session, l.session.id);
  const events = entries.flatMap((e) => ("event" in e ? [e.event] : []));
  const echoes = events.flatMap((e) => (e.t === "echo" ? [`${e.from}> ${e.text}`] : []));
  assert.deepEqual(echoes, ["bob@h> print 2", "alice@h> .logfile", "alice@h> .logclose"]);
  assert.ok(events.some((e) => e.t === "out" && e.text === "$1 = 2\n"));
  assert.ok(events.some((e) => e.t === "done" && e.seq === 3 && e.ok));
  assert.ok(!text.includes("print 1") && !text.includes("print 3"));
  // The record says it closed: the closing notice is its last line.
  const last = events.at(-1);
  assert.ok(last?.t === "notice" && /closed the session record/.test(last.text));
  await l.session.end("test over");
});

Deno.test(".logopen while open, or on a path that cannot be written: an error to the issuer alone", async () => {
  using tmp = tmpDir();
  const dir = tmp.path;
  const file = path.join(dir, "a.jsonl");
  const l = recordLab();
  const alice = l.join("alice");
  const bob = l.join("bob");
  alice.say(`.logopen ${path.join(dir, "no-such-dir", "x.jsonl")}`);
  const err = await alice.until(doneSeq(1));
  assert.equal(err.t === "done" && err.ok, false);
  assert.ok(
    alice.events.some((e) =>
      e.t === "out" && e.stream === "error" && /error\[E_RECORD\]: cannot write/.test(e.text)
    ),
  );
  await bob.until(doneSeq(1));
  assert.ok(!bob.events.some((e) => e.t === "out" && e.stream === "error"), "bob sees no error");
  alice.say(".logfile");
  await alice.until((e) => e.t === "out" && /^no session record is open/.test(e.text));

  alice.say(`.logopen ${file}`);
  await alice.until(doneSeq(3));
  const before = fs.readFileSync(file, "utf8");
  bob.say(`.logopen ${path.join(dir, "b.jsonl")}`);
  await bob.until((e) =>
    e.t === "out" && /error\[E_USAGE\]: the session is already recorded to .*a\.jsonl/.test(e.text)
  );
  assert.ok(!fs.existsSync(path.join(dir, "b.jsonl")), "no second file");
  bob.say(".logfile");
  await bob.until((e) => e.t === "out" && /^session record: .*a\.jsonl/.test(e.text));
  assert.ok(fs.readFileSync(file, "utf8").length > before.length, "still recording a.jsonl");
  await l.session.end("test over");
});

Deno.test("the record commands are for operators: an observer's is refused and opens nothing", async () => {
  using tmp = tmpDir();
  const dir = tmp.path;
  const l = recordLab();
  const watcher = l.join("carol", "observer");
  watcher.say(`.logopen ${path.join(dir, "c.jsonl")}`);
  const done = await watcher.until((e) => e.t === "done");
  assert.ok(done.t === "done" && done.refused === true);
  assert.deepEqual(fs.readdirSync(dir), []);
  await l.session.end("test over");
});

Deno.test("a write that fails (a full disk): one notice to everyone, the record stops, the session goes on", async () => {
  let writes = 0;
  let failAfter = Infinity;
  const lines: string[] = [];
  const l = recordLab({
    openFile: (p) => ({
      path: p,
      write(line) {
        if (++writes > failAfter) {
          throw new Error("ENOSPC: no space left on device, write");
        }
        lines.push(line);
      },
      close() {},
    }),
  });
  const alice = l.join("alice");
  const bob = l.join("bob");
  alice.say(".logopen /full/s.jsonl");
  await alice.until(doneSeq(1));
  failAfter = writes; // the disk is full from now on
  bob.say("print 7");
  await alice.until(doneSeq(2));
  alice.say("print 8");
  await bob.until(doneSeq(3));
  for (const m of [alice, bob]) {
    const stops = m.events.filter(isNotice(/the session record \/full\/s\.jsonl stopped/));
    assert.equal(stops.length, 1, "one notice");
    assert.equal(stops[0].t === "notice" && stops[0].kind, "warning");
    assert.match((stops[0] as { text: string }).text, /ENOSPC.*the session goes on unrecorded/);
  }
  assert.deepEqual(l.engine().executed, ["print 7", "print 8"]);
  alice.say(".logfile");
  await alice.until((e) => e.t === "out" && /^no session record is open/.test(e.text));
  assert.ok(lines.every((line) => line.endsWith("\n")));
  await l.session.end("test over");
});

Deno.test(".logopen /t puts the server's pid and the time in the name; .logappend adds to a record", async () => {
  using tmp = tmpDir();
  const dir = tmp.path;
  let now = Date.parse("2026-12-01T16:50:14.123Z");
  const l = recordLab({ now: () => now });
  const alice = l.join("alice");
  alice.say(`.logopen /t ${path.join(dir, "s.log")}`);
  await alice.until(doneSeq(1));
  const stamped = path.join(dir, "s_4242_2026-12-01_16-50-14-123.log");
  assert.deepEqual(fs.readdirSync(dir), ["s_4242_2026-12-01_16-50-14-123.log"]);
  alice.say(".logclose");
  await alice.until(doneSeq(2));
  now += 60_000;
  alice.say(`.logappend ${stamped}`);
  await alice.until(doneSeq(3));
  await l.session.end("test over");
  const { entries } = parseRecord(fs.readFileSync(stamped, "utf8"), stamped);
  const headers = entries.filter((e) => "header" in e);
  assert.deepEqual(headers.map((h) => h.time), [now - 60_000, now]);
  const tail = entries.at(-1);
  assert.ok(tail && "event" in tail && tail.event.t === "end", "the end is recorded, then closed");
  assert.equal(timestampedName("noext", 7, 0), "noext_7_1970-01-01_00-00-00-000");
});

Deno.test("the record file: created 0600 (an existing file narrowed), appended line by line", () => {
  using tmp = tmpDir();
  const dir = tmp.path;
  const p = path.join(dir, "r.jsonl");
  const old = encodeHeader(0, {
    format: RECORD_FORMAT,
    version: 1,
    server: "s",
    host: "h",
    session: "x",
    engine: "gdb",
    by: "a@b",
  });
  fs.writeFileSync(p, old, { mode: 0o644 });
  const f = openRecordFile(p, true);
  f.write("one\n");
  f.write("two\n");
  f.close();
  f.close(); // twice is harmless
  assert.equal(fs.statSync(p).mode & 0o777, 0o600);
  assert.equal(fs.readFileSync(p, "utf8"), `${old}one\ntwo\n`);
  const g = openRecordFile(p, false);
  g.close();
  assert.equal(fs.readFileSync(p, "utf8"), "", ".logopen starts the file over, as WinDbg's");
  assert.throws(() => openRecordFile(dir, false), /E_RECORD|cannot write the session record/);
});

Deno.test(".logappend adds only to a record (or a new or empty file): another file is left alone", () => {
  using tmp = tmpDir();
  const dir = tmp.path;
  const notes = path.join(dir, "notes.txt");
  fs.writeFileSync(notes, "my notes\n");
  assert.throws(
    () => openRecordFile(notes, true),
    /E_RECORD|is not a session record: appending to it would spoil it/,
  );
  assert.equal(fs.readFileSync(notes, "utf8"), "my notes\n");
  const fresh = openRecordFile(path.join(dir, "new.jsonl"), true);
  fresh.close();
  assert.equal(fs.statSync(path.join(dir, "new.jsonl")).mode & 0o777, 0o600);
});

Deno.test("record command mistakes: no file name, .logclose with none open; a name may hold spaces", async () => {
  using tmp = tmpDir();
  const dir = tmp.path;
  const l = recordLab();
  const alice = l.join("alice");
  alice.say(".logopen");
  await alice.until((e) => e.t === "out" && /E_USAGE\]: \.logopen needs a file name/.test(e.text));
  alice.say(".logopen /t   ");
  await alice.until(doneSeq(2));
  alice.say(".logclose");
  await alice.until((e) => e.t === "out" && /E_USAGE\]: no session record is open/.test(e.text));
  assert.deepEqual(fs.readdirSync(dir), []);
  alice.say(`.logopen ${path.join(dir, "my  session.jsonl")}`);
  await alice.until(doneSeq(4));
  assert.deepEqual(fs.readdirSync(dir), ["my  session.jsonl"]);
  await l.session.end("test over");
});

Deno.test("secrets are masked in the record as everywhere: a .server password never reaches the file", async () => {
  using tmp = tmpDir();
  const file = path.join(tmp.path, "s.jsonl");
  const l = recordLab();
  const alice = l.join("alice");
  alice.say(`.logopen ${file}`);
  await alice.until(doneSeq(1));
  alice.say(".server tcp:port=5007,password=hunter2");
  await alice.until(doneSeq(2));
  await l.session.end("test over");
  const text = fs.readFileSync(file, "utf8");
  assert.ok(!text.includes("hunter2"), text);
  assert.match(text, /"text":"\.server tcp:port=5007,password=\*"/);
});
