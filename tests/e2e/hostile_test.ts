/**
 * Hostile input against the compiled server, over every listener kind (tcp, npipe, ssl, http,
 * https, com), at least 10,000 inputs per kind, while a legitimate client works (issue #14).
 *
 * Inputs come from tests/support/hostile_inputs.ts, seeded (the seed is printed; HOSTILE_SEED=N
 * replays a run). Per kind:
 * - a logged-in observer sends thousands of well-framed messages with hostile contents on one
 *   connection; each must come back refused to it alone, exactly once;
 * - pre-login inputs (random bytes, truncated, oversized, malformed, wrongly typed, huge, deeply
 *   nested frames), each on a fresh connection (the server closes a peer at its first bad frame);
 *   on web endpoints also raw HTTP garbage and cross-origin upgrades;
 * - a flood of connections that never say anything, slow-loris peers dripping a frame, and
 *   replays of a recorded login.
 * Afterwards: every command of the legitimate client ran, in order, with its answer; no
 * unauthenticated peer got a byte of session data; the server never crashed; its peak RSS is
 * printed (and bounded).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { parseConnStr } from "../../src/connstr.ts";
import net from "node:net";
import type { Message } from "../../src/protocol/frame.ts";
import type { Channel, ChannelHandlers } from "../../src/transport/transport.ts";
import { createTransports } from "../../src/transport/transports.ts";
import {
  frame,
  helloMessage,
  observerInput,
  preLoginInput,
  prng,
  type Rand,
} from "../support/hostile_inputs.ts";
import {
  BINARY,
  buildSample,
  listeningAddress,
  memoryKiB,
  serialCable,
  within,
  withScratch,
} from "./harness.ts";
import { login, oneShot, Peer, pool } from "./hostile_peers.ts";

const PASSWORD = "hostile-s3cret";
const SEED = Number(Deno.env.get("HOSTILE_SEED") ?? 20261201);
const INPUTS_PER_KIND = 10_000;
/** What the legitimate client's commands print; an unauthenticated peer must never see it. */
const MARKER = /print 7\d{3}\+|alice@/;
/** Joins and leaves may come between a command and its answer. */
const NOTICES = String.raw`(?:\*\*\* .*\n)*`;

type Kind = "tcp" | "npipe" | "ssl" | "http" | "https" | "com";

interface Budget {
  /** Pre-login inputs, each on its own connection. */
  perConnection: number;
  /** Connections that never send a byte, held open together. */
  flood: number;
  slowLoris: number;
  replays: number;
}

const BUDGETS: Record<Kind, Budget> = {
  tcp: { perConnection: 300, flood: 200, slowLoris: 20, replays: 6 },
  npipe: { perConnection: 300, flood: 200, slowLoris: 20, replays: 6 },
  ssl: { perConnection: 120, flood: 60, slowLoris: 10, replays: 6 },
  http: { perConnection: 200, flood: 100, slowLoris: 10, replays: 6 },
  https: { perConnection: 120, flood: 60, slowLoris: 10, replays: 6 },
  com: { perConnection: 50, flood: 0, slowLoris: 0, replays: 2 },
};

interface Tally {
  observer: number;
  perConnection: number;
  rawHttp: number;
  flood: number;
  slowLoris: number;
  replays: number;
}

function total(t: Tally): number {
  return Object.values(t).reduce((a, b) => a + b, 0);
}

/**
 * Our end of a serial line, as channels: the line has no connections, so each "dial" takes over
 * the one stream from the peer before it, and ending a channel leaves the line open.
 */
function lineDialer(socketPath: string): () => Promise<Channel> {
  const socket = net.connect(socketPath);
  socket.on("error", () => {});
  let current: ChannelHandlers | undefined;
  socket.on("data", (chunk: Uint8Array) => current?.data(chunk));
  const release = () => {
    const h = current;
    current = undefined;
    h?.close();
  };
  return () => {
    release();
    return Promise.resolve({
      peer: `com:${socketPath}`,
      start: (h: ChannelHandlers) => (current = h),
      write: (chunk: Uint8Array) => void socket.write(chunk),
      pending: 0,
      end: release,
      destroy: release,
    });
  };
}

/** The server's endpoint for `kind`, and a client address for it. */
function endpointFor(kind: Kind, dir: string, tty?: string): string {
  const cert = `certfile=${dir}/dbgremote-lab.crt,keyfile=${dir}/dbgremote-lab.key`;
  const pw = "password_env=LAB_PW";
  switch (kind) {
    case "tcp":
      return `tcp:port=0,server=127.0.0.1,${pw}`;
    case "npipe":
      return `npipe:pipe=hostile,${pw}`;
    case "ssl":
      return `ssl:port=0,server=127.0.0.1,${cert},${pw}`;
    case "http":
      return `http:port=0,server=127.0.0.1,${pw}`;
    case "https":
      return `https:port=0,server=127.0.0.1,${cert},${pw}`;
    case "com":
      return `com:port=${tty},baud=115200,${pw}`;
  }
}

/** Raw HTTP requests a hostile page or scanner may send to a web endpoint. */
function httpGarbage(rand: Rand, port: number): { bytes: Uint8Array; crossOrigin: boolean } {
  const r = Math.floor(rand() * 4);
  return { bytes: httpRequest(rand, port, r), crossOrigin: r === 0 };
}

function httpRequest(rand: Rand, port: number, r: number): Uint8Array {
  const host = `127.0.0.1:${port}`;
  const enc = new TextEncoder();
  switch (r) {
    case 0: // another site's page trying to open the session's WebSocket
      return enc.encode(
        `GET /ws HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n` +
          `Origin: http://evil.example\r\n\r\n`,
      );
    case 1: // a login with a made-up body, from the right origin
      return enc.encode(
        `POST /api/login HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://${host}\r\n` +
          `Content-Type: application/json\r\nContent-Length: 40\r\n\r\n` +
          `{"ticket":"${"A".repeat(20)}"}`.padEnd(40, " "),
      );
    case 2: // a request line and headers gone wrong
      return enc.encode(
        `GET /${"%".repeat(Math.floor(rand() * 9000))} HTTP/1.1\r\nHost: \0\r\n\r\n`,
      );
    default: // bytes that are not HTTP at all
      return preLoginInput(rand).bytes;
  }
}

async function attackKind(kind: Kind, seedOffset: number): Promise<void> {
  await using tmp = withScratch({ LAB_PW: PASSWORD });
  const program = buildSample(tmp.dir);
  const env = tmp.env;
  if (kind === "ssl" || kind === "https") {
    execFileSync(BINARY, ["cert", "--out", tmp.dir], { env: { ...process.env, ...env } });
  }
  // socat makes a pty (the server's end) joined to a Unix socket (ours), so the test process
  // writes raw bytes to the line without a tty of its own.
  const cable = kind === "com" ? await serialCable(tmp, "socket") : undefined;
  // On a serial line one client at a time: the legitimate client comes in through a pipe.
  const endpoints = [endpointFor(kind, tmp.dir, cable?.tty)];
  if (kind === "com") endpoints.push("npipe:pipe=legit,password_env=LAB_PW");
  const server = tmp.startServer(program, { endpoints });
  const cafile = `cafile=${tmp.dir}/dbgremote-lab.crt`;
  const extra = kind === "https" ? `${cafile},password_env=LAB_PW` : "password_env=LAB_PW";
  if (cable) await server.waitFor(/listening on com:/);
  const address = cable ? undefined : await listeningAddress(server, kind, extra);
  const legitAddress = address ?? await listeningAddress(server, "npipe");

  const transports = createTransports({ pipeDir: tmp.env.DBGREMOTE_PIPE_DIR });
  const spec = address === undefined ? undefined : parseConnStr(address, "connect");
  const dial = cable
    ? lineDialer(cable.other)
    : () => transports[spec!.transport].connect(spec!, { timeoutMs: 15_000 });
  // Web endpoints are also plain tcp (or TLS) sockets that anyone may send raw HTTP to.
  const port = (spec as { port?: number } | undefined)?.port;
  const rawSpec = kind === "http"
    ? parseConnStr(`tcp:server=127.0.0.1,port=${port}`, "connect")
    : kind === "https"
    ? parseConnStr(`ssl:server=127.0.0.1,port=${port},${cafile}`, "connect")
    : undefined;
  const dialRaw = () => transports[rawSpec!.transport].connect(rawSpec!, { timeoutMs: 15_000 });

  const alice = tmp.spawn("alice", ["client", "--user", "alice", legitAddress]);
  await alice.waitFor("*** connected");
  alice.send("break main");
  alice.send("run");
  await alice.waitFor(/-- stopped at .* in main/);
  let legit = 0;
  const legitCommands = (n: number) => {
    for (let i = 0; i < n; i++) alice.send(`print 7000+${++legit}`);
  };
  legitCommands(5);

  const seed = SEED + seedOffset;
  const rand = prng(seed);
  const budget = BUDGETS[kind];
  const tally: Tally = {
    observer: 0,
    perConnection: 0,
    rawHttp: 0,
    flood: 0,
    slowLoris: 0,
    replays: 0,
  };
  let leaked = 0;
  const before = memoryKiB(server.child.pid!);

  // 1. A logged-in observer: hostile contents, well framed, thousands on one connection.
  const watcher = new Peer(await dial());
  const recorded = await login(watcher, PASSWORD, "eve", true);
  const observerBudget = INPUTS_PER_KIND - budget.perConnection - budget.flood -
    budget.slowLoris - budget.replays;
  const isOurReply = (m: Message) =>
    (m.t === "done" && m.client === recorded.you) ||
    (m.t === "notice" && m.kind === "warning");
  for (let sent = 0; sent < observerBudget;) {
    const from = watcher.frames.length;
    const batch = Math.min(1000, observerBudget - sent);
    for (let i = 0; i < batch; i++) watcher.send(observerInput(rand, sent + i));
    sent += batch;
    await watcher.waitFrames(isOurReply, batch, from, 60_000);
    tally.observer += batch;
    legitCommands(1);
  }
  const ours = watcher.frames.filter(isOurReply);
  assert.equal(ours.length, tally.observer, "exactly one reply per observer input");
  assert.ok(
    ours.every((m) => m.t === "notice" || m.refused === true),
    "every command of an observer was refused, none ran",
  );
  assert.equal(
    watcher.frames.filter((m) => m.t === "echo" && m.client === recorded.you).length,
    0,
    "no observer input was echoed to the session",
  );
  watcher.send({ t: "bye" });
  await alice.waitFor(/\*\*\* eve@\S+ left/);
  // A serial line stays open after its client leaves: the server waits there for the next one.
  if (kind !== "com") {
    await within(watcher.closed, 15_000, () => "the observer's bye was not answered by a close");
  }

  // 2. Pre-login inputs, each on a fresh connection, with a flood and slow-loris peers around.
  const flood: Peer[] = [];
  for (let i = 0; i < budget.flood; i++) {
    flood.push(new Peer(await (rawSpec ? dialRaw() : dial()), !rawSpec));
    tally.flood++;
  }
  const loris = Array.from({ length: budget.slowLoris }, async () => {
    const p = new Peer(await dial());
    const hello = frame(helloMessage("loris"));
    // The header promises the whole hello; the body comes a byte at a time, never finishing.
    p.channel.write(hello.subarray(0, 5));
    for (let i = 5; i < 25; i++) {
      await new Promise((r) => setTimeout(r, 50));
      p.channel.write(hello.subarray(i, i + 1));
    }
    p.channel.end();
    await within(p.closed, 15_000, () => "a slow-loris peer was never closed");
    tally.slowLoris++;
    return p;
  });
  // A peer that has not logged in gets no room for big frames: a header promising 256 KiB is
  // refused at once, before any of it is buffered (awaited at the end, so it costs no time).
  const bigHeader = kind === "com" ? undefined : pastTheCap(async () => {
    const p = new Peer(await dial());
    const header = new Uint8Array(5);
    new DataView(header.buffer).setUint32(0, 256 * 1024);
    header[4] = 0x7b;
    p.channel.write(header);
    const [reply] = await p.waitFrames((m) => m.t === "error", 1, 0, 20_000);
    p.channel.destroy();
    return { peer: p, reply };
  }).then(({ reply }) => reply);
  const oneShots: Peer[] = [];
  let line: Peer | undefined;
  let listening: (() => Promise<void>) | undefined;
  if (kind === "com") {
    // A serial line has no connections: after answering a peer the server ends that
    // conversation and takes the bytes that follow as the next peer's, but only once its answer
    // is flushed. A hello says when it listens again (a challenge comes back; a hello sent too
    // early is dropped with the old conversation, and is sent again). The input comes next, where
    // the server expects the password's answer, so each one is answered (an error) at once.
    line = new Peer(await dial());
    listening = async () => {
      for (let tries = 1;; tries++) {
        const from = line!.frames.length;
        line!.send(helloMessage("probe"));
        try {
          await line!.waitFrames((m) => m.t === "challenge", 1, from, 1000);
          return;
        } catch (err) {
          if (tries === 20) throw err;
        }
      }
    };
    let n = 0;
    while (n < budget.perConnection) {
      const input = preLoginInput(rand);
      if (!input.complete || input.kind === "random") continue;
      await listening();
      const from = line.frames.length;
      line.channel.write(input.bytes);
      await line.waitFrames((m) => m.t === "error", 1, from);
      n++;
      tally.perConnection++;
      if (n % 20 === 0) legitCommands(1);
    }
    // The first challenge opened this peer's conversation: what came before it was the observer's,
    // sent before its bye and still on the wire.
    line.conversationStart = line.frames.findIndex((m) => m.t === "challenge");
    oneShots.push(line);
  } else {
    const jobs = Array.from({ length: budget.perConnection }, (_, i) => i);
    await pool(jobs, 16, async (i) => {
      if (rawSpec && i % 2 === 1) {
        const request = httpGarbage(rand, port!);
        const peer = await oneShot(dialRaw, request.bytes, false);
        // A hostile page never gets the WebSocket: no upgrade answered for another origin.
        if (request.crossOrigin) assert.doesNotMatch(peer.raw, /^HTTP\/1\.1 101/);
        oneShots.push(peer);
        tally.rawHttp++;
      } else {
        oneShots.push(await oneShot(dial, preLoginInput(rand).bytes));
        tally.perConnection++;
      }
      if (i % 200 === 0) legitCommands(1);
    });
  }
  const lorisPeers = await Promise.all(loris);
  for (const p of flood) p.channel.destroy();
  await Promise.all(flood.map((p) => p.closed));
  legitCommands(5);

  // 3. Replays of the observer's recorded login: fresh nonces make them worthless.
  const replies: Message[] = [];
  const replays: Peer[] = [];
  if (line && listening) {
    // On the line, one after the other: a hello to begin, then the recorded answer.
    for (let i = 0; i < budget.replays; i++) {
      await listening();
      const from = line.frames.length;
      line.channel.write(recorded.sent[1]);
      replies.push(...await line.waitFrames((m) => m.t === "error" || m.t === "welcome", 1, from));
      tally.replays++;
    }
  } else {
    replays.push(
      ...await Promise.all(
        Array.from({ length: budget.replays }, async () => {
          const { peer, reply } = await pastTheCap(async () => {
            const p = new Peer(await dial());
            for (const bytes of recorded.sent) p.channel.write(bytes);
            const [reply] = await p.waitFrames(
              (m) => m.t === "error" || m.t === "welcome",
              1,
              0,
              20_000,
            );
            p.channel.destroy();
            return { peer: p, reply };
          });
          replies.push(reply);
          tally.replays++;
          return peer;
        }),
      ),
    );
  }
  for (const reply of replies) {
    assert.equal(reply.t, "error", "a replayed login was refused");
    assert.match(reply.code as string, /^E_AUTH/);
  }
  assert.match(server.stderr, /wrong password from \S+@attacker/, "the server logged the replays");

  // The legitimate client: every command ran, in order, each with its answer.
  legitCommands(5);
  await alice.waitFor(
    new RegExp(`> print 7000\\+${legit}\\n${NOTICES}\\$\\d+ = ${7000 + legit}\\n`),
    {
      timeoutMs: 60_000,
    },
  );
  let at = 0;
  let lost = 0;
  for (let i = 1; i <= legit; i++) {
    const re = new RegExp(
      `alice@\\S+> print 7000\\+${i}\\n${NOTICES}\\$\\d+ = ${7000 + i}\\n`,
      "g",
    );
    re.lastIndex = at;
    const m = re.exec(alice.stdout);
    if (m) at = m.index + m[0].length;
    else lost++;
  }

  const leaks: string[] = [];
  for (const p of [...oneShots, ...flood, ...lorisPeers, ...replays]) {
    const n = p.leakedBytes(MARKER);
    leaked += n;
    if (n) leaks.push(p.raw ? p.raw.slice(0, 300) : JSON.stringify(p.leakedFrames()).slice(0, 600));
  }
  for (const p of oneShots.filter((p) => p.raw)) {
    assert.doesNotMatch(p.raw, /Set-Cookie: (__Host-)?dbgremote/, "no login cookie for garbage");
  }

  const crashed = server.child.exitCode !== null || server.child.signalCode !== null ? 1 : 0;
  const after = memoryKiB(server.child.pid!);
  console.log(
    `hostile ${kind} (seed ${seed}): ${total(tally)} inputs tried ${JSON.stringify(tally)}; ` +
      `crashes ${crashed}; commands lost ${lost} of ${legit}; ` +
      `bytes leaked to unauthenticated peers ${leaked}; server RSS ${
        (before.rss / 1024).toFixed(0)
      } MiB before, peak ${(after.peak / 1024).toFixed(0)} MiB`,
  );
  assert.ok(total(tally) >= INPUTS_PER_KIND, `${total(tally)} inputs tried`);
  assert.equal(crashed, 0, `the server crashed:\n${server.stderr}`);
  assert.equal(lost, 0, `the legitimate client lost ${lost} commands:\n${alice.stdout}`);
  assert.equal(leaked, 0, `session data leaked to unauthenticated peers:\n${leaks.join("\n")}`);
  assert.equal(
    (alice.stdout.match(/ joined /g) ?? []).length,
    1,
    "only the observer that logged in ever joined",
  );
  assert.ok(after.peak < 512 * 1024, `server peak RSS ${after.peak} KiB`);

  if (bigHeader) {
    // The pre-login frame limit is checked on the header: the body is never waited for.
    assert.equal((await bigHeader).code, "E_FRAME_TOO_LARGE");
  }

  alice.send("q");
  assert.equal((await server.wait(20_000)).code, 0);
}

/**
 * Tries `attempt` until the server hears it: the flood around it fills its address's handshake
 * places (the server turns the rest away at once, E_TOO_MANY_UNAUTHENTICATED), and a flood peer
 * just closed may hold its place a moment longer. Bounded; the point is what the input gets once
 * it is heard.
 */
async function pastTheCap<T extends { reply: Message }>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1;; tries++) {
    const result = await attempt();
    if (result.reply.code !== "E_TOO_MANY_UNAUTHENTICATED" || tries === 100) return result;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const KINDS: Kind[] = ["tcp", "npipe", "ssl", "http", "https", "com"];
KINDS.forEach((kind, i) => {
  Deno.test(`e2e: hostile input over ${kind}: the session and its client never notice`, () =>
    attackKind(kind, i));
});
