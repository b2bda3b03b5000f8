/**
 * topologies/multi-host-lab.toml run for real: five test hosts (network
 * namespaces with their own names), each running the same compiled binary with
 * the same lab file via `run`, each in a directory of its own like a machine's
 * disk. Clients start before their servers and wait; servers go away and come
 * back, and clients that say `reconnect = true` rejoin.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { type Proc, withScratch } from "./harness.ts";
import { NetLab, netnsUnavailable, reportSkip } from "./netns.ts";

const skip = netnsUnavailable();
reportSkip(skip, "multi-host lab tests (tests/e2e/lab_test.ts)");

const LAB_FILE = path.resolve(import.meta.dirname!, "../../topologies/multi-host-lab.toml");
const LAB = "multi-host-lab.toml";
const HOSTS = ["lab1", "lab2", "dev1", "dev2", "dev3"];

/**
 * The lab's five hosts, each with its own directory holding the lab file (and, on
 * lab1, the certificate and key `dbgremote cert` made there; dev1 gets the certificate).
 */
async function fiveHosts(tmp: { dir: string; env: Record<string, string> }) {
  const lab = await NetLab.create(HOSTS);
  const dirs: Record<string, string> = {};
  for (const h of HOSTS) {
    dirs[h] = path.join(tmp.dir, h);
    fs.mkdirSync(dirs[h]);
    fs.copyFileSync(LAB_FILE, path.join(dirs[h], LAB));
  }
  const cert = lab.spawn("lab1", ["cert", "--name", "lab", "--out", dirs.lab1]);
  assert.equal((await cert.wait()).code, 0, cert.stderr);
  assert.match(cert.stdout, /valid 365 days for lab1, localhost/);
  fs.copyFileSync(path.join(dirs.lab1, "lab.crt"), path.join(dirs.dev1, "lab.crt"));
  const env = { ...tmp.env, LAB_PW: "correct horse battery" };
  /** `dbgremote run multi-host-lab.toml [ARGS]` on `host`, in its own directory. */
  const run = (host: string, ...args: string[]): Proc =>
    lab.spawn(host, ["run", LAB, ...args], { env, cwd: dirs[host], name: `${host}: run` });
  return { lab, dirs, run };
}

/** Everything after `from` in a process's stdout. */
function since(p: Proc, from: number): string {
  return p.stdout.slice(from);
}

Deno.test({
  name: "lab: five hosts run one lab file; each client reaches its server the way the lab says",
  ignore: skip !== undefined,
  async fn() {
    await using tmp = withScratch();
    const { lab, run } = await fiveHosts(tmp);
    await using _lab = lab;

    // Clients first: their servers are not up yet, so they wait, saying for what.
    const alice = run("dev1");
    const bob = run("dev2");
    await alice.waitFor(
      /\*\*\* waiting for server `store` at ssl:server=lab1,port=5006,password_env=LAB_PW,cafile=lab\.crt: connection refused; retrying in [\d.]+ s \(Ctrl\+C to give up\)/,
    );
    await bob.waitFor(
      /waiting for server `store` at tcp:server=lab1,port=5005,password_env=LAB_PW: connection refused/,
    );

    // lab1 picks its node by host name; lab2 is told which with --node.
    const store = run("lab1");
    const cache = run("lab2", "--node", "cache");
    await store.waitFor("listening on ssl:port=5006");
    await cache.waitFor("listening on tcp:port=5005");
    assert.doesNotMatch(store.stdout, /server cache/);
    const carol = run("dev3");

    await alice.waitFor("*** connected to store on lab1", { timeoutMs: 20_000 });
    await bob.waitFor("*** connected to store on lab1", { timeoutMs: 20_000 });
    await carol.waitFor("*** connected to cache on lab2");

    // alice's command: bob sees who typed it and its output; carol (another server) does not.
    const b0 = bob.stdout.length;
    alice.send("break add");
    await bob.waitFor(/alice@dev1> break add\nBreakpoint 1 at 0x[0-9a-f]+: file .*demo\.c/, {
      from: b0,
    });
    const a0 = alice.stdout.length;
    bob.send("run");
    await alice.waitFor(/bob@dev2> run\n[\s\S]*-- stopped at .*demo\.c:\d+ in add/, { from: a0 });
    carol.send("print 6*7");
    await carol.waitFor(/carol@dev3> print 6\*7\n\$1 = 42/);

    // Each client came in on the endpoint its node resolved to: alice over TLS, bob over tcp.
    const a1 = alice.stdout.length;
    alice.send(".clients");
    await alice.waitFor(/\* \d+ +alice@dev1 +operator +ssl:198\.18\.0\.3:\d+/, { from: a1 });
    await alice.waitFor(/ {3}\d+ +bob@dev2 +operator +tcp:198\.18\.0\.4:\d+/, { from: a1 });
    assert.doesNotMatch(since(alice, a1), /carol/);
    const c1 = carol.stdout.length;
    carol.send("info breakpoints");
    await carol.waitFor(/carol@dev3> info breakpoints\nNo breakpoints or watchpoints/, {
      from: c1,
    });
    assert.doesNotMatch(carol.stdout, /alice@dev1|bob@dev2/);

    // q on each server's session ends it for its clients, and only them.
    bob.send("q");
    for (const p of [alice, bob, store]) assert.equal((await p.wait()).code, 0, p.name);
    assert.match(alice.stdout, /session ended: bob@dev2 ended the session \(q\)/);
    // bob has reconnect = true, but q is a decision, not an accident: no waiting.
    assert.doesNotMatch(bob.stdout.split("ended the session (q)")[1], /went away|waiting/);
    carol.send("print 1");
    await carol.waitFor("$2 = 1");
    carol.send("q");
    for (const p of [carol, cache]) assert.equal((await p.wait()).code, 0, p.name);
  },
});

Deno.test({
  name: "lab: a server that goes away is announced; reconnecting clients rejoin its new session",
  ignore: skip !== undefined,
  async fn() {
    await using tmp = withScratch();
    const { lab, run } = await fiveHosts(tmp);
    await using _lab = lab;
    const store = run("lab1");
    let cache = run("lab2");
    await store.waitFor("listening on tcp:port=5005");
    await cache.waitFor("listening on tcp:port=5005");
    const bob = run("dev2");
    const carol = run("dev3");
    const alice = run("dev1");
    await bob.waitFor("*** connected to store on lab1");
    await carol.waitFor("*** connected to cache on lab2");
    await alice.waitFor("*** connected to store on lab1");
    carol.send("break add");
    await carol.waitFor("Breakpoint 1 at");

    // cache dies without a word (kill -9): carol hears it is gone and waits for it.
    const c0 = carol.stdout.length;
    cache.child.kill("SIGKILL");
    await cache.exited;
    await carol.waitFor(
      /\*\*\* server `cache` went away \(connection lost\); waiting for it to come back \(Ctrl\+C to give up\)/,
      { from: c0 },
    );
    await carol.waitFor(
      /waiting for server `cache` at tcp:server=lab2,port=5005,password_env=LAB_PW: connection refused; retrying in/,
      { from: c0 },
    );
    // Typed while it is away: refused, not queued for whatever comes back.
    carol.send("info breakpoints");
    await carol.waitFor("not connected: `info breakpoints` was not sent", { from: c0 });

    cache = run("lab2");
    await carol.waitFor(
      /\*\*\* reconnected to server `cache`: this is a NEW session \(id [0-9a-f]{8}, was [0-9a-f]{8}\)/,
      { from: c0, timeoutMs: 20_000 },
    );
    await carol.waitFor("*** connected to cache on lab2", { from: c0 });
    const c1 = carol.stdout.length;
    carol.send("info breakpoints");
    // A new gdb: the old breakpoint is gone, and the session works.
    await carol.waitFor(/carol@dev3> info breakpoints\nNo breakpoints or watchpoints/, {
      from: c1,
    });

    // store is stopped politely (SIGTERM): its clients are told it is shutting down. bob
    // (reconnect = true) waits for it; alice (no reconnect) leaves, and says how to wait.
    const b0 = bob.stdout.length;
    // (process.kill, not child.kill: Deno reports a child it signalled as killed, whatever its code.)
    process.kill(store.child.pid!, "SIGTERM");
    const stopped = await store.wait();
    assert.equal(stopped.code, 0, `${JSON.stringify(stopped)}\n${store.stdout}\n${store.stderr}`);
    await bob.waitFor(
      /session ended: the server was stopped \(SIGTERM\)\n\*\*\* server `store` went away \(shutting down\); waiting for it to come back/,
      { from: b0 },
    );
    assert.equal((await alice.wait()).code, 0);
    assert.match(alice.stdout, /session ended: the server was stopped \(SIGTERM\)/);
    assert.doesNotMatch(alice.stdout, /waiting for it to come back/);

    const store2 = run("lab1");
    await bob.waitFor(/reconnected to server `store`: this is a NEW session/, {
      from: b0,
      timeoutMs: 20_000,
    });
    // Rejoining shows the new session's welcome, as on a first connect.
    await bob.waitFor(/reconnected to server `store`[^\n]*\n\*\*\* connected to store on lab1/, {
      from: b0,
    });
    bob.send("print 2+3");
    await bob.waitFor(/bob@dev2> print 2\+3\n\$1 = 5/, { from: b0 });

    // A second client of the new session sees bob's earlier command in its scrollback.
    const alice2 = run("dev1");
    await alice2.waitFor(/recent output[\s\S]*bob@dev2> print 2\+3\n\$1 = 5\n[\s\S]*\*\*\* live:/);
    alice2.send("q");
    for (const p of [alice2, bob, store2]) assert.equal((await p.wait()).code, 0, p.name);
    assert.doesNotMatch(since(bob, b0).split("ended the session (q)")[1] ?? "", /waiting/);
    carol.send("q");
    for (const p of [carol, cache]) assert.equal((await p.wait()).code, 0, p.name);
  },
});
