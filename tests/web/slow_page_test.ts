/**
 * A page that stops reading (a hung tab, a stalled link) is dropped like a
 * slow console client, and never slows the others: its WebSocket's unsent
 * bytes count as the channel's pending.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { openClient } from "../../src/client/connection.ts";
import { parseConnStr } from "../../src/connstr.ts";
import { encodeFrame } from "../../src/protocol/frame.ts";
import type { SessionEvent } from "../../src/protocol/messages.ts";
import { startServer } from "../../src/server/server.ts";
import { createTransports } from "../../src/transport/transports.ts";
import { encodeClientFrame } from "../../src/transport/ws_client.ts";
import { createWebRuntime } from "../../src/platform.ts";
import { createSite } from "../../src/web/site.ts";
import { createFakeEngine } from "../session/fake_engine.ts";

const V = { protocol: "1.0", release: "0.1.0" };

/** A page that opens the WebSocket, says hello, and then never reads again. */
async function hungPage(port: number): Promise<net.Socket> {
  const socket = net.connect(port, "127.0.0.1");
  await new Promise((r) => socket.once("connect", r));
  socket.write(
    `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${btoa("0123456789abcdef")}\r\nSec-WebSocket-Version: 13\r\n` +
      `Origin: http://127.0.0.1:${port}\r\n\r\n`,
  );
  const head = await new Promise<string>((r) => socket.once("data", (d) => r(String(d))));
  assert.match(head, /^HTTP\/1\.1 101 /);
  const hello = { t: "hello", ...V, who: { user: "hung", host: "browser", tool: "test" } };
  socket.write(encodeClientFrame(2, encodeFrame(hello)));
  socket.pause();
  return socket;
}

Deno.test("a page that stops reading is dropped; the others go on at full speed", async () => {
  const server = await startServer({
    name: "lab",
    host: "h",
    engine: { kind: "fake" },
    makeEngine: (_spec, listener) => createFakeEngine(listener),
    // insecure: no session token, so the raw page below needs no login
    endpoints: [parseConnStr("http:port=0,server=127.0.0.1,insecure", "listen")],
    transports: createTransports({
      web: { runtime: await createWebRuntime(), site: createSite },
    }),
    version: V,
    pid: 1,
    tid: 1,
    env: {},
    log: () => {},
    maxPending: 512 * 1024,
    stallMs: 0, // a page that took nothing since the last event counts as not reading at once
  });
  const port = Number(/port=(\d+)/.exec(server.endpoints[0].address)![1]);
  const hung = await hungPage(port);
  try {
    const events: SessionEvent[] = [];
    const alice = await openClient(
      await createTransports().http.connect(parseConnStr(server.endpoints[0].address, "connect")),
      { who: { user: "alice", host: "h", tool: "t" }, version: V, onEvent: (e) => events.push(e) },
    );
    const dropped = () =>
      events.find((e) => e.t === "notice" && e.kind === "drop" && /hung@browser/.test(e.text));
    for (let i = 0; i < 400 && !dropped(); i++) {
      alice.command("big 65536");
      await alice.idle();
    }
    const notice = dropped();
    assert.ok(notice?.t === "notice", "the hung page was dropped");
    assert.match(notice.text, /hung@browser was disconnected: not reading \(\d+ bytes queued\)/);
    alice.command("print 1");
    await alice.idle();
    assert.ok(events.some((e) => e.t === "out" && e.text === "$1 = 1\n"), "alice goes on");
    alice.leave();
    await alice.closed;
  } finally {
    hung.destroy();
    await server.shutdown("test over");
  }
});
