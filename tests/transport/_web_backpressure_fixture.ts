/**
 * Run under Bun (the runtime inside the compiled binary) by web_backpressure_test.ts:
 * the server's channel to a page that never reads must report the bytes it could
 * not send, over http and over https.
 * Prints one JSON line: {"http": pendingBytes, "https": pendingBytes}.
 */
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { createSelfSigned } from "../../src/cert.ts";
import { parseConnStr } from "../../src/connstr.ts";
import { createWebRuntime } from "../../src/platform.ts";
import { createHttpTransport } from "../../src/transport/http/transport.ts";
import type { Channel } from "../../src/transport/transport.ts";
import { createSite } from "../../src/web/site.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-web-bp-"));
const pair = await createSelfSigned({ name: "bp", hosts: ["localhost", "127.0.0.1"], days: 1 });
fs.writeFileSync(path.join(dir, "bp.crt"), pair.cert);
fs.writeFileSync(path.join(dir, "bp.key"), pair.key, { mode: 0o600 });
const web = { runtime: await createWebRuntime(), site: createSite };

async function queuedWhilePageSleeps(secure: boolean): Promise<number> {
  const t = createHttpTransport({ secure, web });
  const accepted: Channel[] = [];
  const spec = secure
    ? `https:port=0,server=127.0.0.1,certfile=${dir}/bp.crt,keyfile=${dir}/bp.key`
    : "http:port=0,server=127.0.0.1";
  const l = await t.listen(parseConnStr(spec, "listen"), (c) => accepted.push(c), { pid: 1 });
  const port = Number(/port=(\d+)/.exec(l.address)![1]);
  const socket: net.Socket = secure
    ? tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false })
    : net.connect(port, "127.0.0.1");
  await new Promise((r) => socket.once(secure ? "secureConnect" : "connect", r));
  const origin = `${secure ? "https" : "http"}://127.0.0.1:${port}`;
  socket.write(
    `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${btoa("0123456789abcdef")}\r\nSec-WebSocket-Version: 13\r\n` +
      `Origin: ${origin}\r\n\r\n`,
  );
  await new Promise((r) => socket.once("data", r));
  socket.pause(); // the page hangs: it reads nothing more
  while (accepted.length === 0) await new Promise((r) => setTimeout(r, 10));
  const server = accepted[0];
  server.start({ data() {}, close() {} });
  for (let i = 0; i < 32; i++) server.write(new Uint8Array(1024 * 1024));
  await new Promise((r) => setTimeout(r, 300));
  const pending = server.pending;
  server.destroy();
  socket.destroy();
  await l.close();
  return pending;
}

const result = {
  http: await queuedWhilePageSleeps(false),
  https: await queuedWhilePageSleeps(true),
};
fs.rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify(result));
process.exit(0);
