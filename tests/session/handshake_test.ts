/**
 * The peer's handshake, phase by phase, over in-memory channels with raw frames: what each phase
 * does with a message out of turn, and the moves between phases (servePeer, peer_phase.ts).
 */
import assert from "node:assert/strict";
import { deriveKey, newSalt, proof } from "../../src/protocol/auth.ts";
import { encodeFrame, FrameDecoder, type Message } from "../../src/protocol/frame.ts";
import { type EndpointAuth, PRELOGIN_MAX_BYTES, servePeer } from "../../src/session/peer.ts";
import { Session } from "../../src/session/session.ts";
import { memoryPair } from "../../src/transport/memory.ts";
import { createFakeEngine } from "./fake_engine.ts";

const V = { protocol: "1.3", release: "0.1.0" };
const HELLO = {
  t: "hello",
  protocol: "1.3",
  release: "0.1.0",
  who: { user: "u", host: "h", tool: "t" },
};
const ITER = 1000;

/** A raw peer: sends frames, collects what the server says, knows when it is closed. */
function rawPeer(options: { password?: string; maxFrame?: number } = {}) {
  const session = new Session({ name: "srv", host: "h", makeEngine: (l) => createFakeEngine(l) });
  const logs: string[] = [];
  let auth: EndpointAuth | undefined;
  if (options.password !== undefined) {
    const salt = newSalt();
    auth = {
      key: deriveKey(options.password, salt, ITER),
      salt,
      iterations: ITER,
      failureDelayMs: 10,
    };
  }
  const [server, client] = memoryPair("mem:server", "mem:peer");
  let settled = 0;
  const gone = servePeer(session, server, {
    version: V,
    helloTimeoutMs: 2000,
    maxFrame: options.maxFrame,
    log: (l) => logs.push(l),
    auth,
    onSettled: () => settled++,
  });
  const decoder = new FrameDecoder(1 << 24);
  const got: Message[] = [];
  let wake = () => {};
  let ended = false;
  const closed = new Promise<void>((resolve) =>
    client.start({
      data(chunk) {
        got.push(...decoder.push(chunk));
        wake();
      },
      close() {
        ended = true;
        resolve();
        wake();
      },
    })
  );
  /** The next message of type `t` (taken from `got`); fails once the peer closed, or after 5 s. */
  const next = async (t: string): Promise<Message> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, 5000)));
    try {
      while (true) {
        const i = got.findIndex((m) => m.t === t);
        if (i >= 0) return got.splice(i, 1)[0];
        if (ended) break;
        const woken = new Promise<boolean>((resolve) => (wake = () => resolve(true)));
        if (!(await Promise.race([woken, timedOut.then(() => false)]))) break;
      }
    } finally {
      clearTimeout(timer);
    }
    throw new Error(`no ${t} (got ${JSON.stringify(got)})`);
  };
  const send = (m: Message) => client.write(encodeFrame(m));
  /** Answer a challenge with `password`. */
  const answer = (challenge: Message, password: string) => {
    const key = deriveKey(password, challenge.salt as string, challenge.iterations as number);
    const nonce = "Y2xpZW50";
    send({ t: "auth", nonce, proof: proof(key, "client", challenge.nonce as string, nonce) });
  };
  return {
    session,
    logs,
    got,
    send,
    answer,
    next,
    closed,
    gone,
    client,
    settled: () => settled,
  };
}

/** The error that closed the peer. */
async function closedWith(p: ReturnType<typeof rawPeer>, code: string, pattern?: RegExp) {
  const error = await p.next("error");
  await p.closed;
  assert.equal(error.code, code, JSON.stringify(error));
  if (pattern) assert.match(error.message as string, pattern);
  assert.ok(!p.got.some((m) => m.t === "welcome"), "never joined");
}

Deno.test("awaitHello: anything but a hello is out of turn", async () => {
  const p = rawPeer();
  p.send({ t: "cmd", id: 1, text: "run" });
  await closedWith(p, "E_HANDSHAKE", /expected hello during the handshake, got "cmd"/);
  assert.equal(p.session.clients().length, 0);
  await p.session.end("test over");
});

Deno.test("awaitHello: an auth before any hello (auth then hello) is refused", async () => {
  const p = rawPeer({ password: "pw" });
  p.send({ t: "auth", nonce: "bm9uY2U=", proof: "cHJvb2Y=" });
  p.send(HELLO);
  await closedWith(p, "E_HANDSHAKE", /expected hello during the handshake, got "auth"/);
  assert.ok(!p.got.some((m) => m.t === "challenge"), "the hello after it is not read");
  await p.session.end("test over");
});

Deno.test("awaitHello → joined: no password, the welcome comes and the peer is settled", async () => {
  const p = rawPeer();
  p.send(HELLO);
  const welcome = await p.next("welcome");
  assert.equal(welcome.role, "operator");
  assert.equal(p.settled() >= 1, true);
  assert.equal(p.session.clients().length, 1);
  await p.session.end("test over");
});

Deno.test("awaitAuth: a second hello, or a command, instead of the answer is out of turn", async () => {
  for (const m of [HELLO, { t: "cmd", id: 1, text: "run" }, { t: "bye" }]) {
    const p = rawPeer({ password: "pw" });
    p.send(HELLO);
    await p.next("challenge");
    p.send(m);
    await closedWith(
      p,
      "E_HANDSHAKE",
      new RegExp(`expected auth during the handshake, got "${m.t}"`),
    );
    assert.equal(p.session.clients().length, 0);
    await p.session.end("test over");
  }
});

Deno.test("awaitAuth → joined: the right answer joins, with the server's proof", async () => {
  const p = rawPeer({ password: "pw" });
  p.send(HELLO);
  p.answer(await p.next("challenge"), "pw");
  const welcome = await p.next("welcome");
  assert.equal(typeof welcome.proof, "string");
  assert.equal(p.session.clients().length, 1);
  await p.session.end("test over");
});

Deno.test("awaitAuth → authFailed: a wrong answer, then more answers, is refused once", async () => {
  const p = rawPeer({ password: "pw" });
  p.send(HELLO);
  const challenge = await p.next("challenge");
  p.answer(challenge, "wrong");
  p.answer(challenge, "pw"); // while the refusal waits: ignored, never a second chance
  await closedWith(p, "E_AUTH", /wrong password/);
  assert.equal(p.got.filter((m) => m.t === "error").length, 0, "one error only");
  assert.equal(p.logs.filter((l) => l.startsWith("wrong password")).length, 1, p.logs.join("\n"));
  await p.session.end("test over");
});

Deno.test("authFailed: anything but an answer while the refusal waits closes at once", async () => {
  const p = rawPeer({ password: "pw" });
  p.send(HELLO);
  p.answer(await p.next("challenge"), "wrong");
  p.send({ t: "cmd", id: 1, text: "run" });
  await closedWith(p, "E_HANDSHAKE", /expected auth during the handshake, got "cmd"/);
  await p.session.end("test over");
});

Deno.test("joined: a hello or an auth after the handshake is a protocol error; the peer leaves", async () => {
  for (const m of [HELLO, { t: "auth", nonce: "bm9uY2U=", proof: "cHJvb2Y=" }]) {
    const p = rawPeer();
    p.send(HELLO);
    await p.next("welcome");
    p.send(m);
    const error = await p.next("error");
    await p.closed;
    assert.equal(error.code, "E_PROTOCOL");
    assert.match(error.message as string, new RegExp(`"${m.t}" after the handshake`));
    assert.equal(p.session.clients().length, 0, "it left the session");
    await p.session.end("test over");
  }
});

Deno.test("joined: commands run, bye leaves; a message after bye is not read", async () => {
  const p = rawPeer();
  p.send(HELLO);
  await p.next("welcome");
  p.send({ t: "cmd", id: 7, text: "print 1" });
  const done = await p.next("done");
  assert.equal(done.id, 7);
  p.client.write(
    new Uint8Array([...encodeFrame({ t: "bye" }), ...encodeFrame({ t: "cmd", id: 8, text: "x" })]),
  );
  await p.closed;
  await p.gone;
  assert.equal(p.session.clients().length, 0);
  assert.ok(!p.got.some((m) => m.t === "echo" && m.id === 8), "nothing after bye");
  await p.session.end("test over");
});

Deno.test("the pre-login byte cap holds in the handshake, and the frame limit rises at join", async () => {
  const big = { t: "cmd", id: 1, text: "x".repeat(PRELOGIN_MAX_BYTES) };
  const before = rawPeer({ password: "pw" });
  before.send(HELLO);
  await before.next("challenge");
  before.send(big);
  await closedWith(before, "E_FRAME_TOO_LARGE");
  await before.session.end("test over");

  const after = rawPeer({ maxFrame: 1024 * 1024 });
  after.send(HELLO);
  await after.next("welcome");
  after.send({ t: "cmd", id: 2, text: `echo ${"x".repeat(PRELOGIN_MAX_BYTES)}` });
  const done = await after.next("done");
  assert.equal(done.id, 2, "a frame over the pre-login cap is fine once joined");
  await after.session.end("test over");
});

Deno.test("a channel that closes in each handshake phase settles, and never joins", async () => {
  const quiet = rawPeer({ password: "pw" });
  quiet.client.end();
  await quiet.gone;
  assert.equal(quiet.settled() >= 1, true);

  const challenged = rawPeer({ password: "pw" });
  challenged.send(HELLO);
  await challenged.next("challenge");
  challenged.client.end();
  await challenged.gone;
  assert.equal(challenged.settled() >= 1, true);
  assert.equal(challenged.session.clients().length, 0);
  await quiet.session.end("test over");
  await challenged.session.end("test over");
});
