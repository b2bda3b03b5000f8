/**
 * Strangers cannot make the server hold memory or connections before logging in: a small byte
 * budget before login, caps on connections still in their handshake; a private pipe is never
 * capped nor locked. Real tcp and pipe transports on loopback, the fake engine.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { openClient } from "../../src/client/connection.ts";
import { parseConnStr, type TcpSpec } from "../../src/connstr.ts";
import { DbgRemoteError } from "../../src/errors.ts";
import { encodeFrame, FrameDecoder, type Message } from "../../src/protocol/frame.ts";
import { PRELOGIN_MAX_BYTES } from "../../src/session/peer.ts";
import { CURRENT } from "../../src/version.ts";
import { serveFake } from "./fake_server.ts";

const PW = { LAB_PW: "the session password" };

async function serve(endpoints: string[], prelogin = { perAddress: 3, total: 5 }) {
  const f = await serveFake(endpoints, { env: PW, pid: 1, authFailureDelayMs: 1, prelogin });
  return { ...f, port: (parseConnStr(f.server.endpoints[0].address) as TcpSpec).port! };
}

/** A raw connection: every message the server sends, and a promise of its close. */
async function raw(port: number) {
  const socket = net.connect(port, "127.0.0.1");
  await new Promise((r) => socket.once("connect", r));
  const decoder = new FrameDecoder();
  const messages: Message[] = [];
  let heard!: (m: Message) => void;
  const first = new Promise<Message>((r) => (heard = r));
  socket.on("data", (d) => {
    messages.push(...decoder.push(d));
    if (messages.length) heard(messages[0]);
  });
  const closed = new Promise<void>((r) => socket.once("close", () => r()));
  socket.on("error", () => {});
  return { socket, messages, closed, first };
}

const hello = (user: string) =>
  encodeFrame({
    t: "hello",
    protocol: CURRENT.protocol,
    release: CURRENT.release,
    who: { user, host: "h", tool: "test" },
  });

Deno.test("before login a peer may send a few KB: a big frame is refused before it is buffered", async () => {
  await using f = await serve(["tcp:port=0,server=127.0.0.1,password_env=LAB_PW"]);
  const c = await raw(f.port);
  // A length just under the 1 MiB frame limit, then its bytes: the session's limit, not a login's.
  const header = new Uint8Array(4);
  new DataView(header.buffer).setUint32(0, 1024 * 1024 - 1);
  c.socket.write(header);
  c.socket.write(new Uint8Array(PRELOGIN_MAX_BYTES + 1));
  await c.closed;
  const error = c.messages.find((m) => m.t === "error");
  assert.equal(error?.code, "E_FRAME_TOO_LARGE");
});

Deno.test("before login a frame header promising more than a hello needs is refused at once, body unsent", async () => {
  await using f = await serve(["tcp:port=0,server=127.0.0.1,password_env=LAB_PW"]);
  const c = await raw(f.port);
  const header = new Uint8Array(4);
  new DataView(header.buffer).setUint32(0, PRELOGIN_MAX_BYTES + 1);
  c.socket.write(header); // and nothing more: the server must not wait for the body
  const error = await c.first;
  assert.equal(error.t, "error");
  assert.equal(error.code, "E_FRAME_TOO_LARGE");
  await c.closed;
});

Deno.test("connections still logging in are capped per address and in all; logged-in ones never count", async () => {
  await using f = await serve(["tcp:port=0,server=127.0.0.1,password_env=LAB_PW", "npipe:pipe=p"]);
  // Three silent strangers from 127.0.0.1 fill its share.
  const strangers = await Promise.all([1, 2, 3].map(() => raw(f.port)));
  const fourth = await raw(f.port);
  await fourth.closed;
  assert.equal(fourth.messages[0]?.t, "error");
  assert.equal(fourth.messages[0]?.code, "E_TOO_MANY_UNAUTHENTICATED");
  // The private pipe is its user's own: never capped.
  const spec = parseConnStr("npipe:pipe=p", "connect");
  const viaPipe = await openClient(await f.transports.npipe.connect(spec), {
    who: { user: "me", host: "h", tool: "test" },
    version: CURRENT,
    onEvent: () => {},
  });
  assert.equal(viaPipe.welcome.role, "operator");
  // One stranger is sent away (it spoke garbage): its place is free again, and a login there
  // does not hold one.
  strangers[0].socket.write(new Uint8Array([0, 0, 0, 2, 0x7b, 0x7d]));
  assert.equal((await strangers[0].first).code, "E_FRAME_MALFORMED");
  const tcp = parseConnStr(f.server.endpoints[0].address, "connect");
  const alice = await openClient(await f.transports.tcp.connect(tcp), {
    who: { user: "alice", host: "h", tool: "test" },
    version: CURRENT,
    password: PW.LAB_PW,
    onEvent: () => {},
  });
  const again = await raw(f.port);
  again.socket.write(hello("bob"));
  assert.equal((await again.first).t, "challenge", "alice's login freed her place");
  for (const s of [...strangers, again]) s.socket.destroy();
  alice.leave();
  viaPipe.leave();
});

Deno.test("wrong passwords on a private pipe never lock it (only its own user reaches it)", async () => {
  await using f = await serve(["npipe:pipe=p,password_env=LAB_PW"]);
  const spec = parseConnStr("npipe:pipe=p", "connect");
  const attempt = async (password: string) =>
    openClient(await f.transports.npipe.connect(spec), {
      who: { user: "me", host: "h", tool: "test" },
      version: CURRENT,
      password,
      onEvent: () => {},
    });
  for (let i = 0; i < 6; i++) {
    await assert.rejects(
      attempt("a mistyped one"),
      (e: unknown) => e instanceof DbgRemoteError && e.code === "E_AUTH",
    );
  }
  const me = await attempt(PW.LAB_PW);
  assert.equal(me.welcome.role, "operator");
  me.leave();
});
