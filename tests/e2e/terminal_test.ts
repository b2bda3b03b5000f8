/**
 * End-to-end on the compiled binary: the program's own terminal (arguments, input typed by
 * anyone, end of input, its exit code, the same bytes on every console), resumes that fail
 * without freezing the session, Ctrl+C right behind continue, and secrets kept out of the
 * environment of what the server starts.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import { buildEcho, childrenOf, withServer } from "./harness.ts";

/** The program's own lines (`echo: ...`) in a console's output, in order. */
const targetLines = (stdout: string) =>
  stdout.split("\n").map((l) => l.replace(/^dbg> /, "")).filter((l) => l.startsWith("echo: "));

Deno.test("e2e: the program's own terminal: run ARGS while it reads stdin, .input, .eof, set args, the exit code; three clients see the same bytes", async () => {
  await using session = await withServer({ endpoint: "npipe:pipe=term-%d", program: buildEcho });
  const alice = await session.join("alice");
  const bob = await session.join("bob");
  const carol = await session.join("carol");
  await alice.waitFor(/carol@\S+ joined/);

  // Today's bug: the program read gdb's command pipe and the whole session hung.
  alice.send("run first-arg 'second arg'");
  await carol.waitFor("echo: 2 args: [first-arg] [second arg]\n");
  await alice.waitFor("echo: stdin is a terminal, 80x24, TERM=xterm-256color\n");
  // The debugger still answers while the program waits for its input.
  bob.send(".input hello there");
  await carol.waitFor(/bob@\S+> \.input hello there\n/);
  await alice.waitFor("echo: line 1: [hello there]\n");
  carol.send(".input");
  await bob.waitFor("echo: line 2: []\n");
  alice.send(".eof");
  await carol.waitFor("echo: end of input after 2 lines\n");
  for (const c of [alice, bob, carol]) await c.waitFor("-- program exited with code 42");

  bob.send("set args x");
  await alice.waitFor(/bob@\S+> set args x\n/);
  alice.send("run");
  await carol.waitFor("echo: 1 args: [x]\n");
  carol.send(".eof");
  for (const c of [alice, bob, carol]) await c.waitFor("-- program exited with code 40");

  // Nothing of the program's went anywhere but its terminal, and everyone saw the same.
  const expected = targetLines(alice.stdout);
  assert.equal(expected.length, 8, alice.stdout);
  assert.deepEqual(targetLines(bob.stdout), expected);
  assert.deepEqual(targetLines(carol.stdout), expected);

  // No program: .input is refused to its issuer only.
  bob.send(".input nobody reads");
  await bob.waitFor(/no program is running/);
  alice.send(".echo after");
  await carol.waitFor(/alice@\S+> \.echo after\n/);
  assert.doesNotMatch(carol.stdout + alice.stdout, /nobody reads/);
  await session.quit(alice);
});

Deno.test("e2e: a continue that gdb aborts (unusable breakpoint, the program killed at a breakpoint) fails with gdb's message; the session goes on, q works", async () => {
  await using session = await withServer({ endpoint: "npipe:pipe=abort-%d" });
  const alice = await session.join("alice");
  alice.send("break main");
  alice.send("run");
  await alice.waitFor(/-- stopped at .*demo\.c:\d+ in main/);
  alice.send("break *0x10");
  alice.send("continue");
  await alice.waitFor(/Cannot insert breakpoint 2\.[\s\S]*Command aborted\./);
  let from = alice.stdout.length;
  alice.send("print 6*7");
  await alice.waitFor(/\$1 = 42\n/, { from });
  // The program killed from outside at a breakpoint: continue ends too, and q still works.
  alice.send("delete 2"); // breakpoint 1 stays: gdb cannot put it back into a dead process
  alice.send("print (int)getpid()");
  const pid = Number((await alice.waitFor(/\$2 = (\d+)\n/, { from }))[1]);
  process.kill(pid, "SIGKILL");
  from = alice.stdout.length;
  alice.send("continue");
  // gdb's words vary with what it tried first; the command ends with the state gdb reports.
  await alice.waitFor(/\n-- (stopped|program exited)/, { from });
  alice.send(".echo still here");
  await alice.waitFor(/: still here\n/, { from });
  await session.quit(alice);
});

Deno.test("e2e: Ctrl+C right behind continue stops the program", async () => {
  await using session = await withServer({ endpoint: "npipe:pipe=intr-%d", args: ["loop"] });
  const alice = await session.join("alice");
  alice.send("break main");
  alice.send("run");
  await alice.waitFor(/-- stopped at .*demo\.c:\d+ in main/);
  const from = alice.stdout.length;
  alice.send("continue");
  await alice.waitFor(/> continue\n/, { from });
  // A console without a tty takes Ctrl+C as SIGINT (Deno's ChildProcess.kill would close stdin).
  process.kill(alice.child.pid!, "SIGINT");
  await alice.waitFor(/interrupted the target/, { from });
  await alice.waitFor(/-- stopped at .*\(SIGINT\)/, { from });
  alice.send("print 1");
  await alice.waitFor(/\$1 = 1\n/, { from });
  await session.quit(alice);
});

Deno.test("e2e: endpoint passwords stay out of the environment of gdb and the program, also one added with .server", async () => {
  const env = { LAB_PW: "lab-secret-1", WATCH_PW: "watch-secret-2", KEPT_VAR: "visible" };
  await using session = await withServer({
    endpoint: "npipe:pipe=env-%d,password_env=LAB_PW",
    program: buildEcho,
    serverEnv: env,
  });
  const { server } = session;
  const alice = await session.join("alice", { env: { LAB_PW: env.LAB_PW } });
  alice.send(".server npipe:pipe=watch-%d,observe,password_env=WATCH_PW");
  await alice.waitFor(/opened endpoint 1/);
  alice.send("run");
  await alice.waitFor("echo: 0 args:");
  const gdb = childrenOf(server.child.pid!).find((c) => c.comm === "gdb");
  assert.ok(gdb, "gdb runs as the server's child");
  const target = childrenOf(gdb.pid).find((c) => c.comm === "echo");
  assert.ok(target, "the program runs as gdb's child");
  const environ = (pid: number) => fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
  const gdbEnv = environ(gdb.pid);
  const programEnv = environ(target.pid);
  assert.ok(gdbEnv.includes("KEPT_VAR=visible") && programEnv.includes("KEPT_VAR=visible"));
  for (const e of [gdbEnv, programEnv]) {
    assert.ok(!e.some((v) => v.startsWith("LAB_PW=")), e.join("\n"));
  }
  // WATCH_PW became a secret after gdb started: gdb's own copy is beyond reach, but programs
  // started since never get it.
  assert.ok(!programEnv.some((v) => v.startsWith("WATCH_PW=")), programEnv.join("\n"));
  alice.send(".eof");
  await alice.waitFor("-- program exited with code 40");
  await session.quit(alice);
});
