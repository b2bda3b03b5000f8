/**
 * End-to-end on the compiled binary: one gdb server, three console clients
 * (one joins late), a real debugging session on the sample program.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { PROTOCOL } from "../../src/version.ts";
import { buildSample, type Proc, step, withScratch, withServer } from "./harness.ts";

/** Lines of a client's stdout from the first echo on: the live transcript without the banner. */
function liveTranscript(stdout: string): string[] {
  const lines = stdout.split("\n").map((l) => l.replace(/^dbg> /, ""));
  const first = lines.findIndex((l) => /^\S+@\S+> /.test(l));
  return lines.slice(first).filter((l) => !l.startsWith("*** ") && l !== "");
}

Deno.test("e2e: three clients share one gdb session over tcp and npipe", async () => {
  await using session = await withServer({
    endpoints: ["tcp:port=0,server=127.0.0.1", "npipe:pipe=e2e-%d"],
    name: "lab",
  });
  const pipe = await session.addressOf("npipe");
  assert.match(pipe, /^npipe:pipe=e2e-\d+$/);

  const alice = await session.join("alice");
  const bob = await session.join("bob", { address: pipe });
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
  const carol = await session.join("carol");
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
  assert.equal((await session.server.wait()).code, 0);
});

Deno.test("e2e: a protocol mismatch is refused on both sides, a release mismatch warns", async () => {
  await using session = await withServer({ endpoint: "npipe:pipe=ver" });
  const { server, address: pipe } = session;

  const future = session.spawn("future", ["client", pipe], {
    DBGREMOTE_CLAIM_PROTOCOL: "2.0",
    DBGREMOTE_CLAIM_RELEASE: "9.0.0",
  });
  assert.equal((await future.wait()).code, 3);
  assert.match(future.stderr, /E_PROTOCOL_MISMATCH/);
  assert.match(future.stderr, new RegExp(PROTOCOL.replace(".", "\\.")));
  assert.match(future.stderr, /2\.0/);
  assert.match(future.stderr, /same dbgremote release on both ends/);
  await server.waitFor(/refused npipe:ver: protocol mismatch.*2\.0/, { stream: "stderr" });

  const newer = session.spawn("newer", ["client", pipe], { DBGREMOTE_CLAIM_RELEASE: "0.9.0" });
  await newer.waitFor("*** connected");
  assert.match(
    newer.stderr,
    /warning: release mismatch: this side is dbgremote 0\.9\.0, the server is 0\.1\.0/,
  );
  await server.waitFor(/release mismatch: this side is dbgremote 0\.1\.0, the client is 0\.9\.0/, {
    stream: "stderr",
  });
  await session.quit(newer);
});

Deno.test("e2e: the built-in lab runs with no file (server and console in one terminal)", async () => {
  await using tmp = withScratch();
  const demo = tmp.spawn("demo", ["run"]);
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
  const same = tmp.spawn("same-user", ["client", "--user", "me", address]);
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
  await using tmp = withScratch();
  const v = tmp.spawn("version", ["version"]);
  assert.equal((await v.wait()).code, 0);
  assert.match(
    v.stdout,
    new RegExp(`^dbgremote 0\\.1\\.0\\nprotocol ${PROTOCOL.replace(".", "\\.")}\\nruntime bun `),
  );
});

Deno.test("e2e: a password protects the session; the password itself never crosses the wire", async (t) => {
  await using session = await withServer({
    endpoints: ["tcp:port=0,password_env=LAB_PW", "npipe:pipe=pw,password_env=LAB_PW"],
    env: { LAB_PW: "correct horse battery staple" },
  });
  const { server, address: tcp } = session;
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
    let alice: Proc | undefined;
    await step(
      t,
      "a login through a relay: the challenge crosses, the password never",
      async () => {
        alice = await session.join("alice", {
          address: `tcp:server=127.0.0.1,port=${relayPort},password_env=LAB_PW`,
        });
        alice.send("print 2+2");
        await alice.waitFor("$1 = 4");
        const wire = Buffer.concat(seen).toString("latin1");
        assert.match(wire, /"t":"challenge"/);
        assert.doesNotMatch(wire, /correct horse/);
      },
    );
    const open = tcp.replace(",password_env=LAB_PW", "");
    await step(t, "a wrong password is refused (exit 3), and the server logs it", async () => {
      const wrong = session.spawn("mallory", ["client", `${open},password=guess`]);
      assert.equal((await wrong.wait()).code, 3);
      assert.match(wrong.stderr, /E_AUTH.*wrong password/);
      await server.waitFor(/wrong password from \S+ at tcp:127\.0\.0\.1:\d+/, {
        stream: "stderr",
      });
    });
    await step(t, "no password is refused (exit 3)", async () => {
      const none = session.spawn("nobody", ["client", open]);
      assert.equal((await none.wait()).code, 3);
      assert.match(none.stderr, /needs a password/);
    });
    await step(t, "refused clients never joined", () => {
      assert.ok(alice, "alice is in");
      assert.doesNotMatch(alice.stdout, /joined/, "refused clients never joined");
    });
    await step(t, "the pipe takes the same password; q ends the session", async () => {
      const bob = await session.join("bob", { address: await session.addressOf("npipe") });
      await session.quit(bob);
    });
  } finally {
    await new Promise((r) => relay.close(r));
  }
});

Deno.test("e2e: TLS endpoints (ssl and spipe) with a certificate from `dbgremote cert`", async (t) => {
  // The certificate comes before the server that uses it: a scratch directory first.
  await using tmp = withScratch();
  const program = buildSample(tmp.dir);
  const cert = tmp.spawn("cert", ["cert", "--out", tmp.dir, "--name", "lab"]);
  assert.equal((await cert.wait()).code, 0, cert.stderr);
  const crt = path.join(tmp.dir, "lab.crt");
  const key = path.join(tmp.dir, "lab.key");
  assert.equal(fs.statSync(key).mode & 0o777, 0o600);
  const tls = `certfile=${crt},keyfile=${key}`;
  const server = tmp.startServer(program, {
    endpoints: [`ssl:port=0,server=127.0.0.1,${tls}`, `spipe:pipe=sp,${tls}`],
  });
  const ssl = (await server.waitFor(/listening on ssl:\S*: dbgremote client (\S+)/))[1];
  assert.match(
    ssl,
    new RegExp(`^ssl:server=127\\.0\\.0\\.1,port=\\d+,cafile=${crt.replaceAll(".", "\\.")}$`),
  );
  const spipe = (await server.waitFor(/listening on spipe:\S*: dbgremote client (\S+)/))[1];

  let bob: Proc | undefined;
  await step(t, "ssl and spipe clients share the session", async () => {
    const alice = tmp.spawn("alice", ["client", "--user", "alice", ssl]);
    await alice.waitFor("*** connected");
    bob = tmp.spawn("bob", ["client", "--user", "bob", spipe]);
    await bob.waitFor("*** connected");
    alice.send("print 3*3");
    await bob.waitFor(/alice@\S+> print 3\*3\n\$1 = 9/);
  });
  await step(
    t,
    "a client that does not trust the certificate is refused, with a hint",
    async () => {
      const untrusting = tmp.spawn("untrusting", ["client", ssl.replace(/,cafile=\S+$/, "")]);
      assert.equal((await untrusting.wait()).code, 1);
      assert.match(untrusting.stderr, /E_CONNECT.*TLS handshake .* failed/);
      assert.match(untrusting.stderr, /hint: .*cafile=FILE/);
    },
  );
  await step(t, "a plain client cannot talk to a TLS endpoint", async () => {
    const plain = tmp.spawn("plain", [
      "client",
      ssl.replace(/^ssl:/, "tcp:").replace(/,cafile=\S+$/, ""),
    ]);
    assert.notEqual(
      (await plain.wait(20_000)).code,
      0,
      "a plain client cannot talk to a TLS endpoint",
    );
  });
  await step(t, "q ends the session", async () => {
    assert.ok(bob, "bob is in");
    bob.send("q");
    assert.equal((await server.wait()).code, 0);
  });
});

Deno.test("e2e: reverse connection (clicon): the server dials a waiting client, and again after it leaves", async () => {
  // The client waits before the server starts: a scratch directory first.
  await using tmp = withScratch({ LAB_PW: "reverse-secret" });
  const program = buildSample(tmp.dir);
  const net = await import("node:net");
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));

  // A reverse connection needs the shared password, on loopback too (any local user could be
  // the one waiting there).
  const alice = tmp.spawn("alice", [
    "client",
    "--user",
    "alice",
    `tcp:clicon=127.0.0.1,port=${port},password_env=LAB_PW`,
  ]);
  await alice.waitFor(`waiting for 127.0.0.1 to connect on tcp port ${port}`);
  const server = tmp.startServer(program, {
    endpoint: `tcp:clicon=127.0.0.1,port=${port},password_env=LAB_PW`,
  });
  await alice.waitFor("*** connected");
  assert.match(server.stdout, new RegExp(`listening on tcp:clicon=127\\.0\\.0\\.1,port=${port}`));
  alice.send("print 5*5");
  await alice.waitFor(/\$1 = 25/);
  alice.send("\x02");
  assert.equal((await alice.wait()).code, 0);

  // The server dials again: the next client waiting on that port gets the same session.
  const bob = tmp.spawn("bob", ["client", "--user", "bob", `tcp:port=${port},password_env=LAB_PW`]);
  await bob.waitFor("*** connected", { timeoutMs: 20_000 });
  assert.match(bob.stdout, /alice@\S+> print 5\*5/, "bob sees the scrollback of the same session");
  bob.send("q");
  assert.equal((await server.wait()).code, 0);
});
