/**
 * End-to-end on the compiled binary: the session record (`.logopen`, `server --log`) read back
 * by `dbgremote log show`, as text and as an asciicast, and intact after the server is killed
 * with SIGKILL.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import {
  buildSample,
  endpointAddress,
  type Proc,
  step,
  type TestScratch,
  withScratch,
  withServer,
} from "./harness.ts";
import { reportSkip } from "./netns.ts";

/** Why a full disk cannot be made here (a tmpfs in a mount namespace of its own needs root). */
function tmpfsUnavailable(): string | undefined {
  try {
    execFileSync("unshare", ["-m", "--propagation", "private", "true"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "this sandbox cannot make a mount namespace (unshare -m): no tiny tmpfs for a full disk";
  }
}
const noTmpfs = tmpfsUnavailable();
reportSkip(noTmpfs, "the full-disk record test");

/** A server named rec on loopback tcp, with `flags` (`--log FILE`), in a scratch directory. */
function recServer(tmp: TestScratch, program: string, flags: string[] = [], wrap?: string[]) {
  return tmp.startServer(program, {
    endpoint: "tcp:port=0,server=127.0.0.1",
    name: "rec",
    flags,
    wrap,
  });
}

async function logShow(tmp: TestScratch, args: string[]): Promise<Proc> {
  const show = tmp.spawn("log show", ["log", "show", ...args]);
  const exit = await show.wait();
  assert.equal(exit.code, 0, `log show ${args.join(" ")}:\n${show.stdout}\n${show.stderr}`);
  return show;
}

Deno.test("e2e: .logopen records the session; log show prints it as the console did, and as an asciicast", async (t) => {
  await using session = await withServer({ endpoint: "tcp:port=0,server=127.0.0.1", name: "rec" });
  const file = path.join(session.dir, "session.jsonl");
  const alice = await session.join("alice");
  alice.send(`.logopen ${file}`);
  await alice.waitFor(/alice@\S+ records the session to \S+session\.jsonl/);
  const bob = await session.join("bob");
  bob.send("break add");
  await alice.waitFor(/Breakpoint 1 at/);
  alice.send("run");
  await bob.waitFor(/-- stopped at .*demo\.c:\d+ in add \(breakpoint-hit\)/);
  bob.send("print a");
  await alice.waitFor(/bob@\S+> print a\n\$1 = (\d+)/);
  await session.quit(alice);

  await step(
    t,
    "log show prints the record as the console showed it, private to its owner",
    async () => {
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      const show = await logShow(session, [file]);
      assert.equal(show.stderr, "");
      const text = show.stdout;
      assert.match(
        text,
        /^\*\*\* record of rec on \S+ \(session [0-9a-f-]+\): gdb .*; opened \S+Z, by alice@/,
      );
      assert.match(text, /\*\*\* bob@\S+ joined \(tcp:/);
      assert.match(
        text,
        /bob@\S+> break add\nBreakpoint 1 at 0x[0-9a-f]+: file .*demo\.c, line \d+\.\n/,
      );
      assert.match(text, /alice@\S+> run\n/);
      assert.match(text, /-- stopped at .*demo\.c:\d+ in add \(breakpoint-hit\)\n/);
      assert.match(text, /bob@\S+> print a\n\$1 = \d+\n/);
      assert.match(
        text,
        /alice@\S+> q\n\*\*\* session ended: alice@\S+ ended the session \(q\)\n$/,
      );
      // What alice saw live from her .logopen on is what the record shows.
      const live = alice.stdout.slice(alice.stdout.indexOf("*** alice@")).replace(/dbg> /g, "");
      const recorded = text.slice(text.indexOf("*** alice@"));
      assert.equal(recorded, live.slice(0, recorded.length));
    },
  );
  await step(t, "log show --times stamps every line", async () => {
    const times = await logShow(session, ["--times", file]);
    for (const line of times.stdout.trimEnd().split("\n")) {
      assert.match(line, /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] /);
    }
  });
  await step(t, "log show --asciicast makes a cast of the same session", async () => {
    const cast = await logShow(session, ["--asciicast", file]);
    const [head, ...events] = cast.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
    assert.equal(head.version, 2);
    assert.ok(events.some((e) => e[1] === "m" && /^bob@\S+ joined/.test(e[2])));
    assert.ok(events.some((e) => e[1] === "m" && /^stopped at .*in add/.test(e[2])));
    assert.ok(events.some((e) => e[1] === "o" && /> print a\r\n/.test(e[2])));
  });
});

Deno.test("e2e: server --log; a server killed with SIGKILL leaves every line written so far intact", async () => {
  // The record's path is known before the server starts: the scratch directory's own.
  await using tmp = withScratch();
  const program = buildSample(tmp.dir);
  const file = path.join(tmp.dir, "killed.jsonl");
  const srv = recServer(tmp, program, ["--log", file]);
  await srv.waitFor(/recording the session to \S+killed\.jsonl/, { stream: "stderr" });
  const tcp = await endpointAddress(srv, "tcp");
  const alice = tmp.spawn("alice", ["client", "--user", "alice", tcp]);
  await alice.waitFor("*** connected to rec");
  alice.send("break add");
  await alice.waitFor(/Breakpoint 1 at/);
  alice.send("run");
  await alice.waitFor(/-- stopped at .*in add/);
  alice.send("print b");
  await alice.waitFor(/\$1 = \d+/);
  srv.child.kill("SIGKILL");
  assert.equal((await srv.wait()).signal, "SIGKILL");

  const raw = fs.readFileSync(file, "utf8");
  assert.ok(raw.endsWith("\n"), "every line whole");
  const lines = raw.trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines[0].record.by, "the server (--log)");
  const show = await logShow(tmp, [file]);
  assert.match(show.stdout, /alice@\S+> break add\n/);
  assert.match(show.stdout, /-- stopped at .*in add \(breakpoint-hit\)\n/);
  assert.match(show.stdout, /alice@\S+> print b\n\$1 = \d+\n/);

  // A writer killed mid-line leaves a partial last line: skipped, with a warning.
  fs.appendFileSync(file, '{"time":"2026-12-01T00:00:00.000Z","ev');
  const partial = await logShow(tmp, [file]);
  assert.match(partial.stderr, /^warning: \S+killed\.jsonl:\d+: skipped an unfinished last line/);
  assert.equal(partial.stdout, show.stdout);
});

Deno.test("e2e: bad input: --log FILE that cannot be written stops the start; log show on a non-record names the line", async () => {
  await using tmp = withScratch();
  const program = buildSample(tmp.dir);
  const srv = recServer(tmp, program, ["--log", path.join(tmp.dir, "no", "such", "dir.jsonl")]);
  const exit = await srv.wait();
  assert.equal(exit.code, 2);
  assert.match(
    srv.stderr,
    /error\[E_RECORD\]: cannot write the session record \S+dir\.jsonl: ENOENT/,
  );
  assert.doesNotMatch(srv.stdout, /listening on/);

  const notRecord = path.join(tmp.dir, "notes.txt");
  fs.writeFileSync(notRecord, "just some notes\n");
  const show = tmp.spawn("log show", ["log", "show", notRecord]);
  assert.equal((await show.wait()).code, 2);
  assert.match(
    show.stderr,
    /^error\[E_RECORD\]: \S+notes\.txt:1: not a dbgremote session record \(its first line is not JSON/,
  );
});

Deno.test({
  name:
    "e2e: a full disk while recording: one notice to everyone, the record stops, the session goes on",
  ignore: noTmpfs !== undefined,
  async fn() {
    await using tmp = withScratch();
    const program = buildSample(tmp.dir);
    const disk = path.join(tmp.dir, "disk");
    fs.mkdirSync(disk);
    // The server sees a 64 KiB tmpfs at `disk`, in a mount namespace of its own: nobody else does.
    const mountThen = 'mount -t tmpfs -o size=64k,mode=0700 tmpfs "$0" && exec "$@"';
    const srv = recServer(
      tmp,
      program,
      ["--log", path.join(disk, "full.jsonl")],
      ["unshare", "-m", "--propagation", "private", "sh", "-c", mountThen, disk],
    );
    const tcp = await endpointAddress(srv, "tcp");
    const alice = tmp.spawn("alice", ["client", "--user", "alice", tcp]);
    await alice.waitFor("*** connected to rec");
    const bob = tmp.spawn("bob", ["client", "--user", "bob", tcp]);
    await bob.waitFor("*** connected to rec");
    // Each .echo is recorded twice (the command and what it says): 20 of them fill 64 KiB.
    const filler = "x".repeat(4000);
    for (let i = 0; i < 20; i++) alice.send(`.echo ${i} ${filler}`);
    await bob.waitFor(new RegExp(`alice@\\S+: 19 x{4000}\n`), { timeoutMs: 30_000 });
    const stopped =
      /\*\*\* the session record \S+full\.jsonl stopped: [^\n]*ENOSPC[^\n]*the session goes on unrecorded/g;
    for (const p of [alice, bob]) await p.waitFor(stopped);
    alice.send("print 6*7");
    await bob.waitFor(/alice@\S+> print 6\*7\n\$1 = 42\n/);
    bob.send(".logfile");
    await alice.waitFor(/no session record is open/);
    for (const p of [alice, bob]) {
      assert.equal(p.stdout.match(stopped)?.length, 1, p.stdout.slice(-2000));
    }
  },
});
