/**
 * Ad hoc clients and absent servers: fail fast by default (scripts get their
 * error), `--wait` / `--wait-max` wait saying for what, `--reconnect` rejoins a
 * server that went away; refusals that will not change are never retried.
 * Over pipes in a scratch directory, so no port can clash with anything.
 */
import assert from "node:assert/strict";
import { buildSample, step, withScratch, withServer } from "./harness.ts";

Deno.test("e2e: client --wait waits for a server that is not up yet, then works", async () => {
  // The client comes first: a scratch directory, the server later.
  await using tmp = withScratch();
  const program = buildSample(tmp.dir);
  const alice = tmp.spawn("alice", ["client", "--wait", "npipe:pipe=later"]);
  await alice.waitFor(
    /\*\*\* waiting for the server at npipe:pipe=later: no such pipe yet; retrying in 0\.\d s \(Ctrl\+C to give up\)/,
  );
  const s = tmp.startServer(program, { endpoint: "npipe:pipe=later" });
  await alice.waitFor("*** connected to", { timeoutMs: 20_000 });
  alice.send("print 20+22");
  await alice.waitFor(/> print 20\+22\n\$1 = 42/);
  alice.send("q");
  assert.equal((await alice.wait()).code, 0);
  assert.equal((await s.wait()).code, 0);
});

Deno.test("e2e: client --wait-max gives up after its bound; Ctrl+C gives up at once", async (t) => {
  await using tmp = withScratch();
  await step(t, "--wait-max 1 gives up after 1 s", async () => {
    const bounded = tmp.spawn("bounded", ["client", "--wait-max", "1", "npipe:pipe=never"]);
    assert.equal((await bounded.wait()).code, 1);
    assert.match(
      bounded.stderr,
      /error\[E_GAVE_UP\]: gave up waiting for the server at npipe:pipe=never after 1 s: no such pipe yet/,
    );
  });
  await step(t, "Ctrl+C gives up at once", async () => {
    const patient = tmp.spawn("patient", ["client", "--wait", "npipe:pipe=never"]);
    await patient.waitFor("waiting for the server");
    // (process.kill, not child.kill: Deno reports a child it signalled as killed, whatever its code.)
    process.kill(patient.child.pid!, "SIGINT");
    assert.equal((await patient.wait()).code, 1);
    assert.match(patient.stderr, /E_GAVE_UP\]: gave up waiting for the server/);
  });
  await step(t, "without --wait: fail at once, as scripts expect", async () => {
    const eager = tmp.spawn("eager", ["client", "npipe:pipe=never"]);
    assert.equal((await eager.wait()).code, 1);
    assert.doesNotMatch(eager.stdout, /waiting/);
  });
});

Deno.test("e2e: client --wait never retries a wrong password or a protocol mismatch (exit 3)", async (t) => {
  await using session = await withServer({
    endpoint: "npipe:pipe=locked,password_env=LAB_PW",
    env: { LAB_PW: "the right one" }, // 6 characters at least
  });
  await step(t, "a wrong password: exit 3 at once", async () => {
    const wrong = session.spawn("wrong", [
      "client",
      "--wait",
      "npipe:pipe=locked,password_env=LAB_PW",
    ], { LAB_PW: "wrong" });
    assert.equal((await wrong.wait(20_000)).code, 3);
    assert.match(wrong.stderr, /E_AUTH/);
    assert.doesNotMatch(wrong.stdout, /waiting/);
  });
  await step(t, "a protocol mismatch: exit 3 at once", async () => {
    const future = session.spawn("future", [
      "client",
      "--wait",
      "npipe:pipe=locked,password_env=LAB_PW",
    ], { DBGREMOTE_CLAIM_PROTOCOL: "2.0" });
    assert.equal((await future.wait(20_000)).code, 3);
    assert.match(future.stderr, /E_PROTOCOL_MISMATCH/);
    assert.doesNotMatch(future.stdout, /waiting/);
  });
});

Deno.test("e2e: client --reconnect rejoins a restarted server; without it, it says how", async () => {
  await using session = await withServer({ endpoint: "npipe:pipe=again" });
  const s = session.server;
  const alice = await session.join("alice", ["--reconnect"]);
  const bob = await session.join("bob");
  s.child.kill("SIGKILL");
  await s.exited;
  await alice.waitFor(
    /\*\*\* server `\S+` went away \(connection lost\); waiting for it to come back/,
  );
  // bob did not ask to reconnect: he is told the server is gone and how to wait next time.
  assert.equal((await bob.wait()).code, 1);
  assert.match(bob.stdout, /\*\*\* server `\S+` went away \(connection lost\)\n/);
  assert.match(bob.stdout, /next time: dbgremote client --reconnect/);
  const s2 = session.restart();
  await alice.waitFor(/reconnected to server `\S+`: this is a NEW session/, { timeoutMs: 20_000 });
  alice.send("print 1+1");
  await alice.waitFor(/> print 1\+1\n\$1 = 2/);
  alice.send("q");
  assert.equal((await alice.wait()).code, 0);
  assert.equal((await s2.wait()).code, 0);
});
