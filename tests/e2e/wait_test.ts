/**
 * Ad hoc clients and absent servers: fail fast by default (scripts get their
 * error), `--wait` / `--wait-max` wait saying for what, `--reconnect` rejoins a
 * server that went away; refusals that will not change are never retried.
 * Over pipes in a scratch directory, so no port can clash with anything.
 */
import assert from "node:assert/strict";
import { buildSample, Proc, requireBinary, scratch, serverProc } from "./harness.ts";

Deno.test("e2e: client --wait waits for a server that is not up yet, then works", async () => {
  requireBinary();
  await using tmp = scratch();
  const program = buildSample(tmp.dir);
  await using alice = new Proc("alice", ["client", "--wait", "npipe:pipe=later"], tmp.env);
  await alice.waitFor(
    /\*\*\* waiting for the server at npipe:pipe=later: no such pipe yet; retrying in 0\.\d s \(Ctrl\+C to give up\)/,
  );
  await using s = serverProc(tmp, program, ["npipe:pipe=later"]);
  await alice.waitFor("*** connected to", { timeoutMs: 20_000 });
  alice.send("print 20+22");
  await alice.waitFor(/> print 20\+22\n\$1 = 42/);
  alice.send("q");
  assert.equal((await alice.wait()).code, 0);
  assert.equal((await s.wait()).code, 0);
});

Deno.test("e2e: client --wait-max gives up after its bound; Ctrl+C gives up at once", async () => {
  requireBinary();
  await using tmp = scratch();
  await using bounded = new Proc(
    "bounded",
    ["client", "--wait-max", "1", "npipe:pipe=never"],
    tmp.env,
  );
  assert.equal((await bounded.wait()).code, 1);
  assert.match(
    bounded.stderr,
    /error\[E_GAVE_UP\]: gave up waiting for the server at npipe:pipe=never after 1 s: no such pipe yet/,
  );
  await using patient = new Proc("patient", ["client", "--wait", "npipe:pipe=never"], tmp.env);
  await patient.waitFor("waiting for the server");
  // (process.kill, not child.kill: Deno reports a child it signalled as killed, whatever its code.)
  process.kill(patient.child.pid!, "SIGINT");
  assert.equal((await patient.wait()).code, 1);
  assert.match(patient.stderr, /E_GAVE_UP\]: gave up waiting for the server/);
  // Without --wait: fail at once, as scripts expect.
  await using eager = new Proc("eager", ["client", "npipe:pipe=never"], tmp.env);
  assert.equal((await eager.wait()).code, 1);
  assert.doesNotMatch(eager.stdout, /waiting/);
});

Deno.test("e2e: client --wait never retries a wrong password or a protocol mismatch (exit 3)", async () => {
  requireBinary();
  await using tmp = scratch();
  const program = buildSample(tmp.dir);
  const env = { ...tmp.env, LAB_PW: "the right one" }; // 6 characters at least
  await using s = serverProc(tmp, program, ["npipe:pipe=locked,password_env=LAB_PW"], { env });
  await s.waitFor("listening on npipe");
  await using wrong = new Proc("wrong", [
    "client",
    "--wait",
    "npipe:pipe=locked,password_env=LAB_PW",
  ], { ...env, LAB_PW: "wrong" });
  assert.equal((await wrong.wait(20_000)).code, 3);
  assert.match(wrong.stderr, /E_AUTH/);
  assert.doesNotMatch(wrong.stdout, /waiting/);
  await using future = new Proc("future", [
    "client",
    "--wait",
    "npipe:pipe=locked,password_env=LAB_PW",
  ], { ...env, DBGREMOTE_CLAIM_PROTOCOL: "2.0" });
  assert.equal((await future.wait(20_000)).code, 3);
  assert.match(future.stderr, /E_PROTOCOL_MISMATCH/);
  assert.doesNotMatch(future.stdout, /waiting/);
});

Deno.test("e2e: client --reconnect rejoins a restarted server; without it, it says how", async () => {
  requireBinary();
  await using tmp = scratch();
  const program = buildSample(tmp.dir);
  await using s = serverProc(tmp, program, ["npipe:pipe=again"]);
  await s.waitFor("listening on npipe");
  await using alice = new Proc("alice", ["client", "--reconnect", "npipe:pipe=again"], tmp.env);
  await using bob = new Proc("bob", ["client", "npipe:pipe=again"], tmp.env);
  await alice.waitFor("*** connected to");
  await bob.waitFor("*** connected to");
  s.child.kill("SIGKILL");
  await s.exited;
  await alice.waitFor(
    /\*\*\* server `\S+` went away \(connection lost\); waiting for it to come back/,
  );
  // bob did not ask to reconnect: he is told the server is gone and how to wait next time.
  assert.equal((await bob.wait()).code, 1);
  assert.match(bob.stdout, /\*\*\* server `\S+` went away \(connection lost\)\n/);
  assert.match(bob.stdout, /next time: dbgremote client --reconnect/);
  await using s2 = serverProc(tmp, program, ["npipe:pipe=again"], { proc: "server again" });
  await alice.waitFor(/reconnected to server `\S+`: this is a NEW session/, { timeoutMs: 20_000 });
  alice.send("print 1+1");
  await alice.waitFor(/> print 1\+1\n\$1 = 2/);
  alice.send("q");
  assert.equal((await alice.wait()).code, 0);
  assert.equal((await s2.wait()).code, 0);
});
