/**
 * End-to-end on the compiled binary: one gdb server, three console clients
 * (one joins late), a real debugging session on the sample program.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { PROTOCOL } from "../../src/version.ts";
import {
  buildSample,
  endpointAddress,
  Proc,
  requireBinary,
  scratch,
  serverProc,
} from "./harness.ts";

/** Lines of a client's stdout from the first echo on: the live transcript without the banner. */
function liveTranscript(stdout: string): string[] {
  const lines = stdout.split("\n").map((l) => l.replace(/^dbg> /, ""));
  const first = lines.findIndex((l) => /^\S+@\S+> /.test(l));
  return lines.slice(first).filter((l) => !l.startsWith("*** ") && l !== "");
}

Deno.test("e2e: three clients share one gdb session over tcp and npipe", async () => {
  requireBinary();
  await using tmp = scratch();
  const program = buildSample(tmp.dir);
  await using server = serverProc(tmp, program, [
    "tcp:port=0,server=127.0.0.1",
    "npipe:pipe=e2e-%d",
  ], { name: "lab" });
  const tcp = await endpointAddress(server, "tcp");
  const pipe = await endpointAddress(server, "npipe");
  assert.match(pipe, /^npipe:pipe=e2e-\d+$/);

  await using alice = new Proc("alice", ["client", "--user", "alice", tcp], tmp.env);
  await alice.waitFor("*** connected to lab");
  await using bob = new Proc("bob", ["client", "--user", "bob", pipe], tmp.env);
  await bob.waitFor("*** connected to lab");
  await alice.waitFor(/\*\*\* bob@\S+ joined \(npipe:/);

  alice.send("break main");
  await bob.waitFor(/alice@\S+> break main\nBreakpoint 1 at/);
  bob.send("run");
  await alice.waitFor(/-- stopped at .*demo\.c:\d+ in main \(breakpoint-hit\)/);
  alice.send("next");
  await bob.waitFor(/alice@\S+> next\n/);
  await bob.waitFor(/end-stepping-range/);
  bob.send("print x");
  const printed = await alice.waitFor(/bob@\S+> print x\n\$1 = (\d+)/);

  // Carol joins late: she sees what happened before her, then the live session.
  await using carol = new Proc("carol", ["client", "--user", "carol", tcp], tmp.env);
  await carol.waitFor("*** recent output");
  await carol.waitFor(`$1 = ${printed[1]}`);
  await alice.waitFor(/carol@\S+ joined/);
  await bob.waitFor(/carol@\S+ joined/);

  carol.send("break add");
  await carol.waitFor(/Breakpoint 2 at/);
  carol.send("continue");
  await alice.waitFor(/-- stopped at .*demo\.c:\d+ in add \(breakpoint-hit\)/);
  alice.send("bt");
  await carol.waitFor(/#1 .*main.*demo\.c:\d+/);
  bob.send("continue");
  for (const c of [alice, bob, carol]) await c.waitFor("-- program exited with code 0");

  // Every client saw the same live transcript from the moment carol joined.
  const fromCarol = (p: Proc) => {
    const t = liveTranscript(p.stdout);
    return t.slice(t.findIndex((l) => /carol@\S+> break add/.test(l)));
  };
  const reference = fromCarol(carol);
  assert.ok(reference.length > 5, reference.join("\n"));
  assert.deepEqual(fromCarol(alice), reference);
  assert.deepEqual(fromCarol(bob), reference);
  assert.ok(reference.some((l) => /^#0 .*add/.test(l)), "bt output reached everyone");

  // Ctrl+B leaves: the others are told, the session goes on.
  bob.send("\x02");
  assert.equal((await bob.wait()).code, 0);
  await alice.waitFor(/\*\*\* bob@\S+ left/);
  alice.send("print 6*7");
  await carol.waitFor(/alice@\S+> print 6\*7\n\$\d+ = 42/);

  // q ends the session for everyone, and the server exits cleanly.
  carol.send("q");
  for (const c of [alice, carol]) {
    await c.waitFor(/\*\*\* session ended: carol@\S+ ended the session \(q\)/);
    assert.equal((await c.wait()).code, 0);
  }
  assert.equal((await server.wait()).code, 0);
});

Deno.test("e2e: a protocol mismatch is refused on both sides, a release mismatch warns", async () => {
  requireBinary();
  await using tmp = scratch();
  const program = buildSample(tmp.dir);
  await using server = serverProc(tmp, program, ["npipe:pipe=ver"]);
  const pipe = await endpointAddress(server, "npipe");

  await using future = new Proc("future", ["client", pipe], {
    ...tmp.env,
    DBGREMOTE_CLAIM_PROTOCOL: "2.0",
    DBGREMOTE_CLAIM_RELEASE: "9.0.0",
  });
  assert.equal((await future.wait()).code, 3);
  assert.match(future.stderr, /E_PROTOCOL_MISMATCH/);
  assert.match(future.stderr, new RegExp(PROTOCOL.replace(".", "\\.")));
  assert.match(future.stderr, /2\.0/);
  assert.match(future.stderr, /same dbgremote release on both ends/);
  await server.waitFor(/refused npipe:ver: protocol mismatch.*2\.0/, { stream: "stderr" });

  await using newer = new Proc("newer", ["client", pipe], {
    ...tmp.env,
    DBGREMOTE_CLAIM_RELEASE: "0.9.0",
  });
  await newer.waitFor("*** connected");
  assert.match(
    newer.stderr,
    /warning: release mismatch: this side is dbgremote 0\.9\.0, the server is 0\.1\.0/,
  );
  await server.waitFor(/release mismatch: this side is dbgremote 0\.1\.0, the client is 0\.9\.0/, {
    stream: "stderr",
  });
  newer.send("q");
  assert.equal((await server.wait()).code, 0);
});

Deno.test("e2e: the built-in lab runs with no file (server and console in one terminal)", async () => {
  requireBinary();
  await using tmp = scratch();
  await using demo = new Proc("demo", ["run"], tmp.env);
  await demo.waitFor("*** connected to demo", { timeoutMs: 30_000 });
  // The demo also serves loopback-only tcp and the browser client, each on the first free port.
  const tcp = await demo.waitFor(
    /listening on tcp:server=127\.0\.0\.1,port=5005:5015 \(took port (\d+)\)/,
  );
  // The browser URL carries the session token (only this user sees it printed).
  await demo.waitFor(
    /listening on http:\S+ \(took port \d+\): open http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43} in a browser/,
  );
  // The README's command works as it is for the same user: the token is found, nothing typed.
  const address = `tcp:server=127.0.0.1,port=${tcp[1]}`;
  await using same = new Proc("same-user", ["client", "--user", "me", address], tmp.env);
  await same.waitFor("*** connected to demo");
  same.send("\x02");
  assert.equal((await same.wait()).code, 0);
  demo.send("break main");
  demo.send("run");
  await demo.waitFor(/-- stopped at .*demo\.c:\d+ in main/);
  demo.send("next");
  demo.send("print x");
  await demo.waitFor(/> print x\n\$1 = \d+/);
  demo.send("bt");
  await demo.waitFor(/#0 +main/);
  demo.send("continue");
  await demo.waitFor("-- program exited with code 0");
  demo.send("q");
  assert.equal((await demo.wait()).code, 0);
});

Deno.test("e2e: version prints release and protocol", async () => {
  requireBinary();
  await using v = new Proc("version", ["version"]);
  assert.equal((await v.wait()).code, 0);
  assert.match(
    v.stdout,
    new RegExp(`^dbgremote 0\\.1\\.0\\nprotocol ${PROTOCOL.replace(".", "\\.")}\\nruntime bun `),
  );
});

Deno.test("e2e: a password protects the session; the password itself never crosses the wire", async () => {
  requireBinary();
  await using tmp = scratch();
  const program = buildSample(tmp.dir);
  const env = { ...tmp.env, LAB_PW: "correct horse battery staple" };
  await using server = serverProc(tmp, program, [
    "tcp:port=0,password_env=LAB_PW",
    "npipe:pipe=pw,password_env=LAB_PW",
  ], { env });
  const tcp = await endpointAddress(server, "tcp");
  assert.match(tcp, /^tcp:server=127\.0\.0\.1,port=\d+,password_env=LAB_PW$/);
  const port = Number(/port=(\d+)/.exec(tcp)![1]);

  // Watch the bytes of a real login through a relay: the password must not appear.
  const net = await import("node:net");
  const seen: Buffer[] = [];
  const relay = net.createServer((c) => {
    const up = net.connect(port, "127.0.0.1");
    c.on("data", (d) => (seen.push(d), up.write(d)));
    up.on("data", (d) => (seen.push(d), c.write(d)));
    c.on("close", () => up.destroy());
    up.on("close", () => c.destroy());
    c.on("error", () => {});
    up.on("error", () => {});
  });
  await new Promise<void>((r) => relay.listen(0, "127.0.0.1", r));
  const relayPort = (relay.address() as { port: number }).port;
  try {
    await using alice = new Proc("alice", [
      "client",
      "--user",
      "alice",
      `tcp:server=127.0.0.1,port=${relayPort},password_env=LAB_PW`,
    ], env);
    await alice.waitFor("*** connected");
    alice.send("print 2+2");
    await alice.waitFor("$1 = 4");
    const wire = Buffer.concat(seen).toString("latin1");
    assert.match(wire, /"t":"challenge"/);
    assert.doesNotMatch(wire, /correct horse/);

    await using wrong = new Proc("mallory", [
      "client",
      `${tcp.replace(",password_env=LAB_PW", "")},password=guess`,
    ], tmp.env);
    assert.equal((await wrong.wait()).code, 3);
    assert.match(wrong.stderr, /E_AUTH.*wrong password/);
    await using none = new Proc(
      "nobody",
      ["client", tcp.replace(",password_env=LAB_PW", "")],
      tmp.env,
    );
    assert.equal((await none.wait()).code, 3);
    assert.match(none.stderr, /needs a password/);
    await server.waitFor(/wrong password from \S+ at tcp:127\.0\.0\.1:\d+/, { stream: "stderr" });
    assert.doesNotMatch(alice.stdout, /joined/, "refused clients never joined");

    const pipe = await endpointAddress(server, "npipe");
    await using bob = new Proc("bob", ["client", "--user", "bob", pipe], env);
    await bob.waitFor("*** connected");
    bob.send("q");
    assert.equal((await server.wait()).code, 0);
  } finally {
    await new Promise((r) => relay.close(r));
  }
});

Deno.test("e2e: TLS endpoints (ssl and spipe) with a certificate from `dbgremote cert`", async () => {
  requireBinary();
  await using tmp = scratch();
  const program = buildSample(tmp.dir);
  await using cert = new Proc("cert", ["cert", "--out", tmp.dir, "--name", "lab"], tmp.env);
  assert.equal((await cert.wait()).code, 0, cert.stderr);
  const crt = path.join(tmp.dir, "lab.crt");
  const key = path.join(tmp.dir, "lab.key");
  assert.equal(fs.statSync(key).mode & 0o777, 0o600);
  const tls = `certfile=${crt},keyfile=${key}`;
  await using server = serverProc(tmp, program, [
    `ssl:port=0,server=127.0.0.1,${tls}`,
    `spipe:pipe=sp,${tls}`,
  ]);
  const ssl = (await server.waitFor(/listening on ssl:\S*: dbgremote client (\S+)/))[1];
  assert.match(
    ssl,
    new RegExp(`^ssl:server=127\\.0\\.0\\.1,port=\\d+,cafile=${crt.replaceAll(".", "\\.")}$`),
  );
  const spipe = (await server.waitFor(/listening on spipe:\S*: dbgremote client (\S+)/))[1];

  await using alice = new Proc("alice", ["client", "--user", "alice", ssl], tmp.env);
  await alice.waitFor("*** connected");
  await using bob = new Proc("bob", ["client", "--user", "bob", spipe], tmp.env);
  await bob.waitFor("*** connected");
  alice.send("print 3*3");
  await bob.waitFor(/alice@\S+> print 3\*3\n\$1 = 9/);

  await using untrusting = new Proc(
    "untrusting",
    ["client", ssl.replace(/,cafile=\S+$/, "")],
    tmp.env,
  );
  assert.equal((await untrusting.wait()).code, 1);
  assert.match(untrusting.stderr, /E_CONNECT.*TLS handshake .* failed/);
  assert.match(untrusting.stderr, /hint: .*cafile=FILE/);
  await using plain = new Proc("plain", [
    "client",
    ssl.replace(/^ssl:/, "tcp:").replace(/,cafile=\S+$/, ""),
  ], {
    ...tmp.env,
  });
  assert.notEqual(
    (await plain.wait(20_000)).code,
    0,
    "a plain client cannot talk to a TLS endpoint",
  );
  bob.send("q");
  assert.equal((await server.wait()).code, 0);
});

Deno.test("e2e: reverse connection (clicon): the server dials a waiting client, and again after it leaves", async () => {
  requireBinary();
  await using tmp = scratch();
  const program = buildSample(tmp.dir);
  const net = await import("node:net");
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));

  // A reverse connection needs the shared password, on loopback too (any local user could be
  // the one waiting there).
  const env = { ...tmp.env, LAB_PW: "reverse-secret" };
  await using alice = new Proc("alice", [
    "client",
    "--user",
    "alice",
    `tcp:clicon=127.0.0.1,port=${port},password_env=LAB_PW`,
  ], env);
  await alice.waitFor(`waiting for 127.0.0.1 to connect on tcp port ${port}`);
  await using server = serverProc(
    tmp,
    program,
    [`tcp:clicon=127.0.0.1,port=${port},password_env=LAB_PW`],
    { env },
  );
  await alice.waitFor("*** connected");
  assert.match(server.stdout, new RegExp(`listening on tcp:clicon=127\\.0\\.0\\.1,port=${port}`));
  alice.send("print 5*5");
  await alice.waitFor(/\$1 = 25/);
  alice.send("\x02");
  assert.equal((await alice.wait()).code, 0);

  // The server dials again: the next client waiting on that port gets the same session.
  await using bob = new Proc(
    "bob",
    ["client", "--user", "bob", `tcp:port=${port},password_env=LAB_PW`],
    env,
  );
  await bob.waitFor("*** connected", { timeoutMs: 20_000 });
  assert.match(bob.stdout, /alice@\S+> print 5\*5/, "bob sees the scrollback of the same session");
  bob.send("q");
  assert.equal((await server.wait()).code, 0);
});
