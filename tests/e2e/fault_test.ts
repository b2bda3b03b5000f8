/**
 * The fault suite (issue #14), on the compiled binary: kill -9 of a client, of gdb, of the
 * program, of the server (with `--reconnect` clients rejoining a restarted server), and SIGSTOP of
 * a client under heavy output. For each: what every remaining participant sees, and that two
 * healthy clients saw the same session, line by line.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { type Proc, transcriptBetween, withServer } from "./harness.ts";

/** The pids of `parent`'s children named `name` (pgrep -P). */
function children(parent: number, name?: string): number[] {
  try {
    const args = name ? ["-P", String(parent), name] : ["-P", String(parent)];
    return execFileSync("pgrep", args).toString().trim().split("\n").map(Number);
  } catch {
    return []; // pgrep exits 1 when there is none
  }
}

function gdbOf(server: Proc): number {
  const [gdb] = children(server.child.pid!, "gdb");
  assert.ok(gdb, "the server runs gdb");
  return gdb;
}

/** Mark a point of the session everyone sees (`.echo`), and wait until each client saw it. */
async function mark(by: Proc, text: string, everyone: Proc[]): Promise<void> {
  by.send(`.echo ${text}`);
  for (const p of everyone) await p.waitFor(new RegExp(`: ${text}$`, "m"));
}

/** Two healthy clients saw the same stretch of the session, line by line. */
function sameTranscript(a: Proc, b: Proc, start: string, end: string): string[] {
  const seenByA = transcriptBetween(a.stdout, start, end);
  const seenByB = transcriptBetween(b.stdout, start, end);
  assert.deepEqual(seenByA, seenByB, `${a.name} and ${b.name} saw different sessions`);
  assert.ok(seenByA.length > 0);
  return seenByA;
}

Deno.test("fault: kill -9 of a client; the others are told, and go on seeing the same session", async () => {
  await using session = await withServer();
  const alice = await session.join("alice");
  const bob = await session.join("bob");
  const carol = await session.join("carol");
  await mark(alice, "fault-start", [alice, carol]);
  alice.send("break main");
  alice.send("run");
  await carol.waitFor(/-- stopped at .* in main/);

  process.kill(bob.child.pid!, "SIGKILL");
  assert.equal((await bob.wait()).signal, "SIGKILL");
  for (const p of [alice, carol]) await p.waitFor(/\*\*\* bob@\S+ (disconnected|connection lost)/);

  carol.send("next");
  carol.send("print x");
  await alice.waitFor(/carol@\S+> print x\n\$1 = 1/);
  await mark(carol, "fault-end", [alice, carol]);
  const seen = sameTranscript(alice, carol, "fault-start", "fault-end");
  assert.ok(seen.some((l) => /bob@\S+ (disconnected|connection lost)/.test(l)));
  await session.quit(alice);
  assert.equal((await carol.wait()).code, 0);
});

Deno.test("fault: kill -9 of gdb ends the session for everyone, with the reason", async () => {
  await using session = await withServer();
  const alice = await session.join("alice");
  const bob = await session.join("bob");
  await mark(alice, "fault-start", [alice, bob]);
  alice.send("break main");
  alice.send("run");
  await bob.waitFor(/-- stopped at .* in main/);

  process.kill(gdbOf(session.server), "SIGKILL");
  const ended = /\*\*\* session ended: the debugger \(gdb\) exited unexpectedly \(signal SIGKILL\)/;
  for (const p of [alice, bob]) await p.waitFor(ended);
  assert.equal((await session.server.wait()).code, 1);
  // Both saw the same session up to its end, the end included.
  const seenByAlice = transcriptBetween(alice.stdout + "\nEOF", "fault-start", "EOF");
  const seenByBob = transcriptBetween(bob.stdout + "\nEOF", "fault-start", "EOF");
  assert.deepEqual(seenByAlice, seenByBob);
  assert.ok(seenByAlice.some((l) => ended.test(l)));
  // A debugger that died is a runtime failure: the clients exit 1.
  // needs: pty (a console client exits 0 when gdb dies)
  assert.equal((await alice.wait()).code, 1);
  assert.equal((await bob.wait()).code, 1);
});

Deno.test("fault: kill -9 of the program at a breakpoint; continue reports it, the session goes on", async () => {
  await using session = await withServer();
  const alice = await session.join("alice");
  const bob = await session.join("bob");
  await mark(alice, "fault-start", [alice, bob]);
  alice.send("break add");
  alice.send("run");
  await bob.waitFor(/-- stopped at .* in add \(breakpoint-hit\)/);

  const [program] = children(gdbOf(session.server));
  assert.ok(program, "gdb runs the program");
  process.kill(program, "SIGKILL");
  bob.send("continue");
  // gdb finds out as it resumes: it cannot write the breakpoints back into a dead process, or
  // cannot read its registers any more (which of the two depends on when the kernel reaps it),
  // or sees it die at once; each way everyone is told.
  const told =
    /Command aborted\.|Couldn't get registers: No such process\.|-- program exited on signal SIGKILL/;
  for (const p of [alice, bob]) await p.waitFor(told);
  // The session is not frozen: the next commands run, for everyone.
  // needs: pty (a failed `continue` freezes the session)
  alice.send("print 20+22");
  await bob.waitFor(/alice@\S+> print 20\+22\n\$\d+ = 42/);
  bob.send("run");
  for (const p of [alice, bob]) {
    await p.waitFor(/-- stopped at .* in add \(breakpoint-hit\)[\s\S]*-- stopped at .* in add/);
  }
  await mark(bob, "fault-end", [alice, bob]);
  sameTranscript(alice, bob, "fault-start", "fault-end");
  await session.quit(alice);
});

Deno.test("fault: kill -9 of the server; --reconnect clients rejoin the restarted one", async () => {
  await using session = await withServer({ endpoint: "npipe:pipe=restart", name: "box" });
  const alice = await session.join("alice", ["--reconnect"]);
  const bob = await session.join("bob", ["--reconnect"]);
  alice.send("break main");
  await bob.waitFor(/alice@\S+> break main/);

  const gdb = gdbOf(session.server);
  process.kill(session.server.child.pid!, "SIGKILL");
  process.kill(gdb, "SIGKILL"); // its debugger would otherwise outlive it for a moment
  await session.server.wait();
  for (const p of [alice, bob]) await p.waitFor(/\*\*\* server `box` went away \(connection lost/);
  const before = alice.stdout.length;

  // The same address, a new server: both clients rejoin it on their own.
  const again = session.restart();
  const rejoined = /\*\*\* reconnected to server `box`: this is a NEW session/;
  for (const p of [alice, bob]) await p.waitFor(rejoined, { timeoutMs: 30_000 });
  await mark(alice, "fault-start", [alice, bob]);
  bob.send("break add");
  bob.send("run");
  for (const p of [alice, bob]) await p.waitFor(/-- stopped at .* in add \(breakpoint-hit\)/);
  await mark(bob, "fault-end", [alice, bob]);
  sameTranscript(alice, bob, "fault-start", "fault-end");
  assert.doesNotMatch(alice.stdout.slice(before), /not connected/);
  alice.send("q");
  assert.equal((await again.wait(20_000)).code, 0);
  for (const p of [alice, bob]) assert.equal((await p.wait()).code, 0);
});

Deno.test("fault: SIGSTOP of a client under heavy output; it is dropped, the others see everything", async () => {
  // The program prints 150,000 lines (about 14 MB): far past the 8 MiB the server queues for a
  // client that stopped reading. (The program's own output: gdb's console output is slower.)
  const lines = 150_000;
  await using session = await withServer({
    program: "/usr/bin/seq",
    args: ["-f", `heavy %06.0f ${"x".repeat(80)}`, "0", String(lines - 1)],
  });
  const alice = await session.join("alice");
  const bob = await session.join("bob", ["--reconnect"]);
  const carol = await session.join("carol");
  await mark(alice, "fault-start", [alice, bob, carol]);

  process.kill(bob.child.pid!, "SIGSTOP");
  alice.send("run");
  const dropped = /\*\*\* bob@\S+ was disconnected: not reading/;
  // needs: output (on this branch a burst of target output this size cuts even healthy clients
  // off: they print "server went away (connection lost)" while the server runs on)
  for (const p of [alice, carol]) {
    await p.waitFor(/-- program exited with code 0/, { timeoutMs: 120_000 });
    await p.waitFor(dropped);
  }
  alice.send("print 1+1");
  await carol.waitFor(/alice@\S+> print 1\+1\n\$1 = 2/);
  await mark(carol, "fault-end", [alice, carol]);
  const seen = sameTranscript(alice, carol, "fault-start", "fault-end");
  assert.equal(seen.filter((l) => l.startsWith("heavy ")).length, lines, "no line lost");

  // Bob, woken up, is told why he was cut off, and does not come back on his own.
  process.kill(bob.child.pid!, "SIGCONT");
  // needs: output (a dropped slow client is told "connection lost" instead of why)
  await bob.waitFor(/disconnected by the server: not reading/, { timeoutMs: 30_000 });
  // needs: output (--reconnect rejoins a client the server dropped on purpose)
  assert.equal((await bob.wait(30_000)).code, 1);
  assert.doesNotMatch(bob.stdout, /reconnected/);
  await session.quit(alice);
});
