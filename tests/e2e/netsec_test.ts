/**
 * Endpoint security between local users: a loopback port is reachable by every user of the
 * machine, so what protects it must tell them apart. The other user is uid 65534 (nobody),
 * through setpriv; the tests run as root.
 */
import assert from "node:assert/strict";
import { type Proc, withServer } from "./harness.ts";

const NOBODY = ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"];

/** The port a server printed for its endpoint of this transport. */
async function portOf(server: Proc, transport: "tcp" | "http"): Promise<number> {
  const m = await server.waitFor(
    transport === "tcp"
      ? /listening on tcp:\S*: dbgremote client tcp:server=127\.0\.0\.1,port=(\d+)/
      : /listening on http:\S*: open http:\/\/127\.0\.0\.1:(\d+)\//,
  );
  return Number(m[1]);
}

Deno.test("e2e: a loopback endpoint without a password is private to the server's user", async () => {
  await using session = await withServer({
    endpoints: ["tcp:port=0,server=127.0.0.1", "http:port=0,server=127.0.0.1"],
  });
  const { server } = session;
  const tcp = await portOf(server, "tcp");
  const http = await portOf(server, "http");
  assert.match(server.stdout, /listening on tcp:.*\(your user only: it takes a session token\)/);
  for (
    const address of [`tcp:server=127.0.0.1,port=${tcp}`, `http:server=127.0.0.1,port=${http}`]
  ) {
    // Another local user reaches the port but has no token: refused before seeing anything.
    const other = session.spawn("nobody", ["client", address], {}, { wrap: NOBODY });
    assert.equal((await other.wait()).code, 3, `${address}: ${other.stdout}${other.stderr}`);
    assert.match(other.stderr, /E_AUTH\].*needs a password/);
    assert.doesNotMatch(other.stdout, /connected/);
    // The server's own user types nothing: the token is found in its private directory.
    const me = await session.join("me", { address });
    me.send("print 6*7");
    await me.waitFor(/\$\d+ = 42/);
    me.send("\x02");
    assert.equal((await me.wait()).code, 0);
  }
  assert.doesNotMatch(server.stdout, /nobody@/, "the other user never joined");
});

Deno.test("e2e: wrong passwords lock out the local user who gave them, not every local user", async () => {
  await using session = await withServer({
    endpoint: "tcp:port=0,server=127.0.0.1,password_env=LAB_PW",
    env: { LAB_PW: "the right one" },
  });
  const { server } = session;
  const tcp = await portOf(server, "tcp");
  const address = `tcp:server=127.0.0.1,port=${tcp},password_env=LAB_PW`;
  const guess = { LAB_PW: "a wrong guess" };
  for (let i = 0; i < 5; i++) {
    const other = session.spawn(`nobody-${i}`, ["client", address], guess, { wrap: NOBODY });
    assert.equal((await other.wait()).code, 3, other.stderr);
    assert.match(other.stderr, /E_AUTH\].*wrong password/);
  }
  const locked = session.spawn("nobody-locked", ["client", address], guess, { wrap: NOBODY });
  assert.equal((await locked.wait()).code, 3);
  assert.match(locked.stderr, /E_AUTH_LOCKED/, `server's log:\n${server.stderr}`);
  // The server's user, on the same 127.0.0.1, is not locked out.
  const me = await session.join("me", { address });
  me.send("\x02");
  assert.equal((await me.wait()).code, 0);
});
