/**
 * Memory a stranger can make the server hold before logging in (issue #14 item 5), measured on
 * the compiled binary: 500 unauthenticated tcp connections each sending a length prefix just
 * under 1 MiB and then the bytes, and 40 unauthenticated WebSockets each sending a 15 MiB
 * message; the server's RSS before and under each attack, and how long a logged-in client's
 * command takes meanwhile. A measurement, not a test: it prints figures, it asserts nothing.
 *
 *   deno task compile && deno run -A bench/prelogin_memory.ts
 */
import fs from "node:fs";
import net from "node:net";
import process from "node:process";
import { openClient } from "../src/client/connection.ts";
import { parseConnStr } from "../src/connstr.ts";
import { createTcpTransport } from "../src/transport/tcp.ts";
import { encodeClientFrame } from "../src/transport/ws_client.ts";
import { CURRENT } from "../src/version.ts";
import { buildSample, withScratch } from "../tests/e2e/harness.ts";

const TCP_PEERS = Number(process.env.TCP_PEERS ?? 500);
const WS_PEERS = Number(process.env.WS_PEERS ?? 40);
const PW = "bench password";

const rss = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
const mib = (n: number) => `${n.toFixed(1)} MiB`;

/** One stranger: connect, send `bytes`, and report when the server has read them or closed. */
function stranger(port: number, bytes: Uint8Array[]): Promise<net.Socket> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1", () => {
      for (const b of bytes) s.write(b);
      // Settled when everything was written to the kernel, or the server closed on us.
      s.once("drain", () => resolve(s));
      if (s.writableLength === 0) resolve(s);
    });
    s.on("error", () => resolve(s));
    s.on("close", () => resolve(s));
  });
}

/**
 * A logged-in client's `print 1`, from connecting to its output. The strangers share its address
 * and uid here, so the server may turn it away while they hold its share: it tries again.
 */
async function commandMs(port: number): Promise<string> {
  const start = performance.now();
  for (let attempt = 1;; attempt++) {
    try {
      const conn = await openClient(
        await createTcpTransport().connect(
          parseConnStr(`tcp:server=127.0.0.1,port=${port}`, "connect"),
        ),
        {
          who: { user: "bench", host: "h", tool: "bench" },
          version: CURRENT,
          password: PW,
          onEvent() {},
        },
      );
      conn.command("print 1");
      await conn.idle();
      conn.leave();
      return `${(performance.now() - start).toFixed(0)} ms (${attempt} attempt(s))`;
    } catch (err) {
      if (attempt >= 100) throw err;
      await new Promise((r) => setTimeout(r, 100)); // a bench may wait: nothing is ordered by it
    }
  }
}

await using tmp = withScratch({ LAB_PW: PW });
const program = buildSample(tmp.dir);
const server = tmp.startServer(program, {
  endpoints: [
    "tcp:port=0,server=127.0.0.1,password_env=LAB_PW",
    "http:port=0,server=127.0.0.1,password_env=LAB_PW",
  ],
});
const tcpPort = Number(
  (await server.waitFor(/listening on tcp:\S*: dbgremote client \S*port=(\d+)/))[1],
);
const httpPort = Number((await server.waitFor(/open http:\/\/127\.0\.0\.1:(\d+)\//))[1]);
const pid = server.child.pid!;
const before = rss(pid);
console.log(
  `server RSS before: ${mib(before)}; a command: ${await commandMs(tcpPort)}`,
);

// 1. tcp strangers, each a length prefix just under 1 MiB and then the bytes.
const header = new Uint8Array(4);
new DataView(header.buffer).setUint32(0, 1024 * 1024 - 1);
const body = new Uint8Array(1024 * 1024 - 1);
const tcpSockets = await Promise.all(
  Array.from({ length: TCP_PEERS }, () => stranger(tcpPort, [header, body])),
);
const underTcp = rss(pid);
const tcpCmd = await commandMs(tcpPort);
const stillOpen = tcpSockets.filter((s) => !s.destroyed && s.readyState === "open").length;
console.log(
  `${TCP_PEERS} tcp strangers x 1 MiB: server RSS ${mib(underTcp)} (+${
    mib(underTcp - before)
  }), ${stillOpen} still connected; a command: ${tcpCmd}`,
);
for (const s of tcpSockets) s.destroy();

// 2. WebSocket strangers, each one 15 MiB binary message before any login.
const upgrade = (port: number) =>
  `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  `Sec-WebSocket-Key: ${btoa("0123456789abcdef")}\r\nSec-WebSocket-Version: 13\r\n` +
  `Origin: http://127.0.0.1:${port}\r\n\r\n`;
const big = encodeClientFrame(2, new Uint8Array(15 * 1024 * 1024));
const wsSockets = await Promise.all(
  Array.from(
    { length: WS_PEERS },
    () => stranger(httpPort, [new TextEncoder().encode(upgrade(httpPort)), big]),
  ),
);
const underWs = rss(pid);
console.log(
  `${WS_PEERS} WebSocket strangers x 15 MiB: server RSS ${mib(underWs)} (+${
    mib(underWs - before)
  }); a command: ${await commandMs(tcpPort)}`,
);
for (const s of wsSockets) s.destroy();
