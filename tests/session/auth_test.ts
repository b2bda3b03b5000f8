/** Password authentication over in-memory channels: the real peer and client code, no sockets. */
import assert from "node:assert/strict";
import { openClient } from "../../src/client/connection.ts";
import { ProtocolError } from "../../src/errors.ts";
import { deriveKey, newSalt, proof } from "../../src/protocol/auth.ts";
import { encodeFrame, FrameDecoder, type Message } from "../../src/protocol/frame.ts";
import { AuthLimiter, peerAddress } from "../../src/session/auth_limiter.ts";
import { type EndpointAuth, servePeer } from "../../src/session/peer.ts";
import { Session } from "../../src/session/session.ts";
import { memoryPair } from "../../src/transport/memory.ts";
import type { Channel } from "../../src/transport/transport.ts";
import type { SessionEvent } from "../../src/protocol/messages.ts";
import { within } from "../support/within.ts";
import { createFakeEngine } from "./fake_engine.ts";

const V = { protocol: "1.0", release: "0.1.0" };
const ITER = 1000; // the floor a client accepts; fast for tests

/** A client's hello, at this test's protocol, from `user@host` running `tool`. */
const hello = (user: string, host = "x", tool = "t"): Message => ({
  t: "hello",
  protocol: V.protocol,
  release: V.release,
  who: { user, host, tool },
});

function server(password: string, limiter = new AuthLimiter()) {
  const logs: string[] = [];
  const session = new Session({ name: "srv", host: "h", makeEngine: (l) => createFakeEngine(l) });
  const salt = newSalt();
  const auth: EndpointAuth = {
    key: deriveKey(password, salt, ITER),
    salt,
    iterations: ITER,
    limiter,
    failureDelayMs: 20,
  };
  let n = 0;
  /** `extra`: what the transport adds to the server's end (preauthenticated, authenticated). */
  const connect = (peer = `tcp:10.0.0.${++n}:4000`, extra: Partial<Channel> = {}) => {
    const [s, c] = memoryPair("mem:server", peer); // the first end is the server's: its peer is `peer`
    servePeer(session, Object.assign(s, extra), {
      version: V,
      helloTimeoutMs: 2000,
      log: (l) => logs.push(l),
      auth,
    });
    return c;
  };
  const join = (
    password?: string,
    peer?: string,
    extra?: Partial<Channel>,
    onEvent: (e: SessionEvent) => void = () => {},
  ) =>
    openClient(connect(peer, extra), {
      who: { user: "u", host: "h", tool: "t" },
      version: V,
      password,
      onEvent,
    });
  return { session, logs, connect, join, auth };
}

function refusedWith(code: string, pattern: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof ProtocolError, String(err));
    assert.equal(err.code, code);
    assert.match(err.message, pattern);
    return true;
  };
}

Deno.test("the right password gets in, and the server proves it knows it too", async () => {
  const s = server("hunter2");
  const conn = await s.join("hunter2");
  assert.equal(typeof conn.welcome.proof, "string");
  assert.equal(s.session.clients().length, 1);
  await s.session.end("done");
});

Deno.test("a wrong password is refused after a delay, logged, and joins nothing", async () => {
  const s = server("hunter2");
  const t0 = performance.now();
  await assert.rejects(s.join("hunter3"), refusedWith("E_AUTH", /wrong password/));
  assert.ok(performance.now() - t0 >= 15, "the refusal waited");
  assert.match(s.logs.join("\n"), /wrong password from u@h at tcp:10\.0\.0\.1:4000/);
  assert.doesNotMatch(s.logs.join("\n"), /hunter/);
  assert.equal(s.session.clients().length, 0);
  await s.session.end("done");
});

Deno.test("no password for a server that needs one: a clear message, nothing sent", async () => {
  const s = server("hunter2");
  await assert.rejects(s.join(undefined), refusedWith("E_AUTH", /needs a password/));
  await s.session.end("done");
});

Deno.test("a client with a password refuses a server that never asks for it", async () => {
  const session = new Session({ name: "open", host: "h", makeEngine: (l) => createFakeEngine(l) });
  const [srv, cli] = memoryPair("mem:c", "mem:s");
  servePeer(session, srv, { version: V });
  await assert.rejects(
    openClient(cli, {
      who: { user: "u", host: "h", tool: "t" },
      version: V,
      password: "x",
      onEvent: () => {},
    }),
    refusedWith("E_AUTH", /did not ask for the password/),
  );
  await session.end("done");
});

Deno.test("after 5 wrong passwords an address is locked out; other addresses are not", async () => {
  const s = server("hunter2", new AuthLimiter({ maxFailures: 5, windowMs: 60_000 }));
  for (let i = 0; i < 5; i++) {
    await assert.rejects(s.join("nope", "tcp:10.9.9.9:1"), refusedWith("E_AUTH", /wrong password/));
  }
  await assert.rejects(
    s.join("hunter2", "tcp:10.9.9.9:2"),
    refusedWith("E_AUTH_LOCKED", /too many wrong passwords from 10\.9\.9\.9/),
  );
  const other = await s.join("hunter2", "tcp:10.1.1.1:3");
  assert.ok(other.welcome.you > 0);
  await s.session.end("done");
});

Deno.test("a connection's identity is asked once, for the lockout's check and its count", async () => {
  const limiter = new AuthLimiter({ maxFailures: 1, windowMs: 60_000 });
  const s = server("hunter2", limiter);
  const asked: string[] = [];
  // On loopback an answer reads the kernel's socket table: once per connection is enough.
  Object.assign(s.auth, { identify: (peer: string) => (asked.push(peer), `who of ${peer}`) });
  await s.join("hunter2", "tcp:10.7.7.7:1");
  assert.deepEqual(asked, ["tcp:10.7.7.7:1"]);
  await assert.rejects(s.join("nope", "tcp:10.7.7.7:2"), refusedWith("E_AUTH", /wrong password/));
  assert.deepEqual(asked, ["tcp:10.7.7.7:1", "tcp:10.7.7.7:2"]);
  assert.ok(limiter.blockedFor("who of tcp:10.7.7.7:2") > 0, "the failure counts for its identity");
  await s.session.end("done");
});

/** A raw peer that speaks frames by hand, to replay or skip steps. */
function rawPeer(s: ReturnType<typeof server>, peer: string, extra?: Partial<Channel>) {
  const ch = s.connect(peer, extra);
  const decoder = new FrameDecoder();
  const got: Message[] = [];
  let closed = false;
  let arrived = () => {};
  ch.start({
    data: (c) => {
      got.push(...decoder.push(c));
      arrived();
    },
    close: () => (closed = true),
  });
  return {
    got,
    send: (m: Message) => ch.write(encodeFrame(m)),
    get closed() {
      return closed;
    },
    /** The first message of type `t`, as soon as it arrives (within 1 s). */
    async next(t: string): Promise<Message> {
      const deadline = Date.now() + 1000;
      while (true) {
        const m = got.find((x) => x.t === t);
        if (m) return m;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no ${t}; got ${JSON.stringify(got)}`);
        let timer: ReturnType<typeof setTimeout> | undefined;
        await new Promise<void>((r) => {
          arrived = r;
          timer = setTimeout(r, left);
        });
        clearTimeout(timer);
      }
    },
  };
}

Deno.test("a replayed answer fails: every challenge has a fresh nonce", async () => {
  const s = server("hunter2");
  const eve = hello("eve");
  // A legitimate exchange, recorded.
  const a = rawPeer(s, "tcp:10.0.0.50:1");
  a.send(eve);
  const ch1 = await a.next("challenge");
  const key = deriveKey("hunter2", ch1.salt as string, ITER);
  const answer = {
    t: "auth",
    nonce: "Y2xpZW50",
    proof: proof(key, "client", ch1.nonce as string, "Y2xpZW50"),
  };
  a.send(answer);
  await a.next("welcome");
  // The same answer replayed on a new connection.
  const e = rawPeer(s, "tcp:10.0.0.66:1");
  e.send(eve);
  const ch2 = await e.next("challenge");
  assert.notEqual(ch2.nonce, ch1.nonce);
  e.send(answer);
  const err = await e.next("error");
  assert.equal(err.code, "E_AUTH");
  assert.ok(!e.got.some((m) => m.t === "welcome" || m.t === "echo" || m.t === "out"));
  await s.session.end("done");
});

Deno.test("an unauthenticated peer sees no session output and cannot run commands", async () => {
  const s = server("hunter2");
  const answered: number[] = [];
  let heard = () => {};
  const member = await s.join("hunter2", undefined, undefined, (e) => {
    if (e.t === "done") answered.push(e.id);
    heard();
  });
  const eve = rawPeer(s, "tcp:10.0.0.77:1");
  eve.send(hello("eve"));
  await eve.next("challenge");
  eve.send({ t: "cmd", id: 1, text: "print 666" });
  const err = await eve.next("error");
  assert.match(String(err.message), /expected auth during the handshake, got "cmd"/);
  // A barrier: the member's command and its answer go to everyone in the session at once, so
  // once the member has its answer, eve would have had the same by then.
  const id = member.command("print 1");
  await within(
    new Promise<void>((r) => {
      heard = () => answered.includes(id) && r();
      heard();
    }),
    1000,
    () => "the member's print 1 was never answered",
  );
  assert.deepEqual(eve.got.map((m) => m.t), ["challenge", "error"]);
  await s.session.end("done");
});

Deno.test("the transport hears of a proven password, never of a wrong one", async () => {
  const s = server("hunter2");
  const told: string[] = [];
  await s.join("hunter2", "http:10.0.0.9:1", { authenticated: () => told.push("right") });
  await assert.rejects(
    s.join("nope", "http:10.0.0.9:2", { authenticated: () => told.push("wrong") }),
    refusedWith("E_AUTH", /wrong password/),
  );
  assert.deepEqual(told, ["right"]);
  await s.session.end("done");
});

Deno.test("a peer the transport vouches for (a live browser login) is admitted unasked", async () => {
  const s = server("hunter2");
  const page = rawPeer(s, "http:10.0.0.8:1", { preauthenticated: true });
  page.send(hello("ann", "browser", "dbgremote-web"));
  const welcome = await page.next("welcome");
  assert.ok(!page.got.some((m) => m.t === "challenge"));
  assert.equal(welcome.proof, undefined, "nothing to prove without a challenge");
  // Without that word from the transport, the same peer is challenged.
  const other = rawPeer(s, "http:10.0.0.8:2");
  other.send(hello("bob", "browser", "dbgremote-web"));
  await other.next("challenge");
  await s.session.end("done");
});

Deno.test("peerAddress takes the host part", () => {
  assert.equal(peerAddress("tcp:10.0.0.7:40312"), "10.0.0.7");
  assert.equal(peerAddress("ssl:10.0.0.7:40312"), "10.0.0.7");
  assert.equal(peerAddress("http:10.0.0.8:1234"), "10.0.0.8");
  assert.equal(peerAddress("https:[::1]:443"), "[::1]");
  assert.equal(peerAddress("tcp:[::1]:5"), "[::1]");
  assert.equal(peerAddress("npipe:demo"), "npipe");
});

Deno.test("AuthLimiter forgets failures after the window and on success", () => {
  let now = 0;
  const l = new AuthLimiter({ maxFailures: 2, windowMs: 100, now: () => now });
  l.fail("a");
  l.fail("a");
  assert.equal(l.blockedFor("a"), 100);
  now = 50;
  assert.equal(l.blockedFor("a"), 50);
  now = 101;
  assert.equal(l.blockedFor("a"), 0);
  l.fail("b");
  l.succeed("b");
  l.fail("b");
  assert.equal(l.blockedFor("b"), 0);
});

Deno.test("a right password that arrives after the session ended is refused, not a crash", async () => {
  const s = server("hunter2");
  const late = rawPeer(s, "tcp:10.0.0.66:1");
  late.send(hello("late"));
  const ch = await late.next("challenge");
  await s.session.end("q");
  const nonce = "c".repeat(32);
  late.send({
    t: "auth",
    nonce,
    proof: proof(s.auth.key, "client", String(ch.nonce), nonce),
  });
  const err = await late.next("error");
  assert.equal(err.code, "E_SESSION_ENDED");
  assert.ok(!late.got.some((m) => m.t === "welcome"));
});
