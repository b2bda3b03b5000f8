/**
 * End-to-end on the compiled binary: the session controls (.clients, .echo, .servers,
 * .server, .endsrv, .remote_exit) and observers, each typed into a real console client.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { buildSample, step, withScratch, withServer } from "./harness.ts";

/** A --noio server named lab debugging the sample program (looping) on the given endpoints. */
function labSession(endpoints: string[], serverEnv: Record<string, string> = {}) {
  return withServer({ endpoints, serverEnv, name: "lab", args: ["loop"] });
}

async function busyPort(): Promise<{ port: number; close(): Promise<void> }> {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
  return {
    port: (blocker.address() as net.AddressInfo).port,
    close: () => new Promise<void>((r) => blocker.close(() => r())),
  };
}

Deno.test("e2e: .clients shows roles, transports, endpoints and activity; .echo names the speaker", async () => {
  await using session = await labSession([
    "tcp:port=0,server=127.0.0.1",
    "npipe:pipe=watch,observe",
  ]);
  const s = session.server;
  const watch = await session.addressOf("npipe");
  assert.match(
    s.stdout,
    /listening on npipe:pipe=watch,observe: dbgremote client npipe:pipe=watch \(everyone who joins here is an observer\)/,
  );
  const alice = await session.join("alice");
  const walt = await session.join("walt", { address: watch });
  await alice.waitFor(/\*\*\* walt@\S+ joined \(npipe:\S+\) as an observer/);

  alice.send(".clients");
  await walt.waitFor(/alice@\S+> \.clients\n2 participants \(\* asked\):\n/);
  for (const p of [alice, walt]) {
    await p.waitFor(
      /\n {2}\* 1 +alice@\S+ +operator +tcp:127\.0\.0\.1:\d+ \(endpoint 0\) +dbgremote-console +since \d\d:\d\d:\d\d +idle 0s\n/,
    );
    await p.waitFor(
      /\n {4}2 +walt@\S+ +observer +npipe:\S+ \(endpoint 1\) +dbgremote-console +since \d\d:\d\d:\d\d +no commands yet\n/,
    );
  }

  walt.send(".echo coffee is ready");
  await alice.waitFor(/walt@\S+> \.echo coffee is ready\nwalt@\S+: coffee is ready\n/);
  await session.quit(alice);
});

Deno.test("e2e: .servers lists endpoints with ids, state and client addresses, secrets masked", async () => {
  await using session = await labSession([
    "tcp:port=0,server=127.0.0.1,password_env=LAB_PW",
    "npipe:pipe=ops-%d",
    "npipe:pipe=sec,password=hunter2",
  ], { LAB_PW: "correct horse" });
  const s = session.server;
  const tcp = session.address;
  const alice = await session.join("alice", { address: await session.addressOf("npipe", 0) });
  alice.send(".servers");
  const port = /port=(\d+)/.exec(tcp)![1];
  await alice.waitFor(
    new RegExp(
      `\\n {2}0 - tcp:server=127\\.0\\.0\\.1,port=0,password_env=LAB_PW +accepting +0 clients +join: dbgremote client tcp:server=127\\.0\\.0\\.1,port=${port},password_env=LAB_PW\\n`,
    ),
  );
  await alice.waitFor(
    /\n {2}1 - npipe:pipe=ops-%d +accepting +1 client +join: dbgremote client npipe:pipe=ops-\d+\n/,
  );
  await alice.waitFor(
    /\n {2}2 - npipe:pipe=sec,password=\* +accepting +0 clients +join: dbgremote client npipe:pipe=sec,password=\*\n/,
  );
  assert.doesNotMatch(alice.stdout + s.stdout + s.stderr, /hunter2|correct horse/);
  await session.quit(alice);
});

Deno.test("e2e: .server opens an endpoint for everyone; its mistakes reach the issuer only", async (t) => {
  const busy = await busyPort();
  try {
    await using session = await labSession(["npipe:pipe=ops"]);
    const s = session.server;
    const alice = await session.join("alice");
    const bob = await session.join("bob");

    alice.send(".server npipe:pipe=extra");
    await bob.waitFor(
      /\*\*\* alice@\S+ opened endpoint 1: npipe:pipe=extra; join with: dbgremote client npipe:pipe=extra\n/,
    );
    await s.waitFor(/endpoint 1 opened by alice@\S+: npipe:pipe=extra/, { stream: "stderr" });
    const carol = await session.join("carol", { address: "npipe:pipe=extra" });
    await bob.waitFor(/carol@\S+ joined/);

    // Each mistake: a clear error to alice; bob sees only the command; nothing opens.
    const mistakes: [string, RegExp][] = [
      [
        ".server tcp:port=0",
        /error\[E_INSECURE\]: tcp:port=0 would let anyone who reaches every interface control the debugger: it has no password\n {2}hint: add password_env=VAR/,
      ],
      [
        `.server tcp:port=${busy.port},server=127.0.0.1`,
        new RegExp(
          `error\\[E_ADDR_IN_USE\\]: tcp port ${busy.port} on 127\\.0\\.0\\.1 is already in use\\n {2}hint: pick another port`,
        ),
      ],
      [
        ".server tcp:prot=5009",
        // A value under an unknown key may be a mistyped secret: masked, as everyone saw it echoed.
        /error\[E_CONNSTR\]: bad connection string "tcp:prot=\*": unknown option "prot" for tcp\n {2}hint: did you mean "port"\?/,
      ],
      [
        ".server npipe:pipe=w,password_env=UNSET_PW",
        /error\[E_SECRET_MISSING\]: npipe:pipe=w,password_env=UNSET_PW takes its password from \$UNSET_PW, which is not set/,
      ],
    ];
    // One step a mistake: one that is not caught does not hide the others.
    for (const [command, error] of mistakes) {
      await step(t, command, async () => {
        alice.send(command);
        await alice.waitFor(error);
      });
    }
    alice.send(".server tcp:port=0,server=127.0.0.1,password=hunter2");
    await bob.waitFor(
      /opened endpoint 2: tcp:server=127\.0\.0\.1,port=0,password=\*; join with: dbgremote client tcp:server=127\.0\.0\.1,port=\d+,password=\*\n/,
    );
    bob.send("print 20+22");
    await alice.waitFor(/bob@\S+> print 20\+22\n\$1 = 42\n/);
    assert.doesNotMatch(bob.stdout + carol.stdout, /error\[E_/, "mistakes reach the issuer only");
    assert.match(bob.stdout, /alice@\S+> \.server tcp:port=0\n/, "the others see the command");
    assert.match(
      bob.stdout,
      /alice@\S+> \.server tcp:prot=\*\n/,
      "an unknown key's value is masked",
    );
    assert.doesNotMatch(
      alice.stdout + bob.stdout + carol.stdout + s.stdout + s.stderr,
      /hunter2/,
      "an inline password never shows",
    );
    alice.send(".servers");
    await alice.waitFor(/\n {2}2 - tcp:server=127\.0\.0\.1,port=0,password=\* +accepting/);
    assert.doesNotMatch(alice.stdout, /\n {2}3 - /, "failed opens added nothing");
    await session.quit(alice);
  } finally {
    await busy.close();
  }
});

Deno.test("e2e: .endsrv stops accepting on an endpoint; its clients stay; a bad id lists the valid ones", async () => {
  await using session = await labSession(["tcp:port=0,server=127.0.0.1", "npipe:pipe=ops"]);
  const tcp = session.address;
  const ops = await session.addressOf("npipe");
  const alice = await session.join("alice");
  const bob = await session.join("bob", { address: ops });

  alice.send(".endsrv 0");
  await bob.waitFor(
    /\*\*\* alice@\S+ closed endpoint 0 \(tcp:server=127\.0\.0\.1,port=0\): nobody new can join there; 1 client who came in through it stays\n/,
  );
  const late = session.spawn("late", ["client", tcp]);
  assert.equal((await late.wait()).code, 1);
  assert.match(late.stderr, /E_CONNECT/);
  alice.send("print 6*7");
  await bob.waitFor(/alice@\S+> print 6\*7\n\$1 = 42\n/);

  alice.send(".endsrv 5");
  await alice.waitFor(
    /error\[E_USAGE\]: \.endsrv 5: there is no endpoint 5\n {2}hint: endpoints accepting now: 1 \(npipe:pipe=ops\) \(\.servers lists them all\)\n/,
  );
  alice.send(".servers");
  await alice.waitFor(/\n {2}0 - tcp:server=127\.0\.0\.1,port=0 +closed by alice@\S+ +1 client\n/);
  assert.doesNotMatch(bob.stdout, /E_USAGE/);

  bob.send(".endsrv 1");
  await alice.waitFor(/no endpoint accepts new clients now \(\.server CONNSTR opens one\)\n/);
  const later = session.spawn("later", ["client", ops]);
  assert.equal((await later.wait()).code, 1);
  await session.quit(bob);
});

Deno.test("e2e: .remote_exit leaves; the others are told and go on", async () => {
  await using session = await labSession(["npipe:pipe=ops"]);
  const alice = await session.join("alice");
  const bob = await session.join("bob");
  bob.send(".remote_exit");
  assert.equal((await bob.wait()).code, 0);
  assert.match(bob.stdout, /\*\*\* leaving the session \(it goes on for the others\)/);
  await alice.waitFor(/\*\*\* bob@\S+ left\n/);
  alice.send("print 1+2");
  await alice.waitFor(/\$1 = 3/);
  await session.quit(alice);
});

Deno.test("e2e: observers see everything; their commands and Ctrl+C are refused to them alone", async () => {
  await using session = await labSession([
    "npipe:pipe=ops",
    "npipe:pipe=watch,observe,password_env=WATCH_PW",
  ], { WATCH_PW: "watchers only" });
  const watch = await session.addressOf("npipe", 1);
  assert.equal(watch, "npipe:pipe=watch,password_env=WATCH_PW");
  const alice = await session.join("alice");
  const walt = await session.join("walt", { address: watch, env: { WATCH_PW: "watchers only" } });
  const vera = await session.join("vera", ["--observe"]);
  for (const o of [walt, vera]) {
    assert.match(
      o.stdout,
      /\*\*\* you are an observer: you see everything, commands are refused\n/,
    );
  }
  assert.doesNotMatch(alice.stdout, /you are an observer/);

  walt.send("print 1");
  await walt.waitFor(/refused: you are an observer: you see everything, but "print 1" did not run/);
  vera.send("q");
  await vera.waitFor(/refused: you are an observer: you see everything, but "q" did not run/);
  alice.send("run");
  await walt.waitFor(/alice@\S+> run\n/);
  await vera.waitFor("demo: x is 50");
  // Ctrl+C (SIGINT without a terminal) from an observer: refused; the target runs on.
  process.kill(walt.child.pid!, "SIGINT");
  await walt.waitFor(/\*\*\* refused: you are an observer: Ctrl\+C \(interrupt\) is for operators/);
  process.kill(alice.child.pid!, "SIGINT");
  await vera.waitFor(/\*\*\* alice@\S+ interrupted the target\n/);
  await vera.waitFor(/-- stopped .*\(SIGINT\)/);
  assert.doesNotMatch(alice.stdout, /print 1|> q\n|refused/, "refusals stay private");
  assert.doesNotMatch(vera.stdout, /print 1|Ctrl\+C/, "walt's refusals are his alone");
  assert.doesNotMatch(walt.stdout, /"q" did not run/, "vera's refusal is hers alone");
  assert.equal(
    (alice.stdout.match(/interrupted the target/g) ?? []).length,
    1,
    "only alice's Ctrl+C interrupted",
  );
  // Reading and speaking are allowed.
  walt.send(".echo nice catch");
  await alice.waitFor(/walt@\S+: nice catch\n/);
  await session.quit(alice);
});

Deno.test("e2e: a lab's observer node joins through the server's observe endpoint", async () => {
  await using tmp = withScratch();
  const program = buildSample(tmp.dir);
  const lab = path.join(tmp.dir, "lab.toml");
  fs.writeFileSync(
    lab,
    `[lab]
name = "watch-lab"

[nodes.lab]
engine = { kind = "gdb", program = "${program}" }
listen = ["npipe:pipe=ops", "npipe:pipe=watch,observe"]
noio = true

[nodes.boss]
connect = "lab"
observer = true

[nodes.dev]
connect = "lab"
`,
  );
  const target = tmp.spawn("target", ["run", lab, "--node", "lab"]);
  await target.waitFor(/listening on npipe:pipe=watch,observe/);
  const boss = tmp.spawn("boss", ["run", lab, "--node", "boss"]);
  await boss.waitFor("*** client boss: connecting to node lab at npipe:pipe=watch");
  await boss.waitFor("*** you are an observer: you see everything, commands are refused");
  const dev = tmp.spawn("dev", ["run", lab, "--node", "dev"]);
  await dev.waitFor("*** client dev: connecting to node lab at npipe:pipe=ops");
  await dev.waitFor(/\*\*\* connected to lab[^]*also here: \S+ \(observer\)/);
  dev.send("q");
  assert.equal((await target.wait()).code, 0);

  // One process runs the server and the observer (`run` joins the in-process server's own
  // observe endpoint).
  const solo = path.join(tmp.dir, "solo.toml");
  fs.writeFileSync(
    solo,
    fs.readFileSync(lab, "utf8").replace(/\[nodes\.dev\][^]*$/, ""),
  );
  const both = tmp.spawn("both", ["run", solo]);
  await both.waitFor("*** client boss: connecting to node lab at npipe:pipe=watch");
  await both.waitFor("*** you are an observer: you see everything, commands are refused");
  both.send("print 1");
  await both.waitFor(/refused: you are an observer: you see everything, but "print 1" did not run/);
  both.send("\x02");
  assert.equal((await both.wait()).code, 0);
});
