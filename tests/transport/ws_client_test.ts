/**
 * dbgremote's own WebSocket client against hostile or broken servers: a
 * loopback server that answers the upgrade and then sends what it likes.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import net from "node:net";
import { TransportError } from "../../src/errors.ts";
import { FrameReader, wsConnect } from "../../src/transport/ws_client.ts";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** A server frame: unmasked, with the given first byte (FIN, RSV, opcode) and payload. */
function frame(first: number, payload: Uint8Array | number[], masked = false): Uint8Array {
  const body = payload instanceof Uint8Array ? payload : new Uint8Array(payload);
  const len = body.length;
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const out = new Uint8Array(head + (masked ? 4 : 0) + len);
  out[0] = first;
  const view = new DataView(out.buffer);
  if (len < 126) out[1] = len;
  else if (len < 65536) {
    out[1] = 126;
    view.setUint16(2, len);
  } else {
    out[1] = 127;
    view.setBigUint64(2, BigInt(len));
  }
  if (masked) out[1] |= 0x80; // a zero mask: the payload reads the same
  out.set(body, head + (masked ? 4 : 0));
  return out;
}

/** A server that upgrades the first connection and then writes `after` (or answers `raw`). */
async function hostile(o: { after?: Uint8Array[]; raw?: string }) {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => {
    sockets.push(s);
    s.on("error", () => {});
    s.once("data", (d) => {
      if (o.raw !== undefined) {
        s.end(o.raw);
        return;
      }
      const key = /Sec-WebSocket-Key: (\S+)/i.exec(String(d))![1];
      const accept = createHash("sha1").update(key + GUID).digest("base64");
      s.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
      for (const f of o.after ?? []) s.write(f);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Connect, and return what reached the channel before it closed, and why it closed. */
async function receive(after: Uint8Array[]) {
  const server = await hostile({ after });
  try {
    const ch = await wsConnect({
      host: "127.0.0.1",
      port: server.port,
      path: "/ws",
      name: "http",
      timeoutMs: 5000,
    });
    const data: Uint8Array[] = [];
    const error = await new Promise<Error | undefined>((resolve) => {
      ch.start({ data: (b) => data.push(b), close: resolve });
    });
    return { data, error };
  } finally {
    await server.close();
  }
}

const BIN = 0x82;
const ok = frame(BIN, [1, 2, 3]);

Deno.test("ws client: a well-formed stream arrives whole, then a clean close", async () => {
  const r = await receive([
    ok,
    frame(0x02, [4]), // fragmented: start
    frame(0x89, [9]), // a ping between fragments is allowed
    frame(0x80, [5, 6]), // continuation, FIN
    frame(0x88, [0x03, 0xe8]), // close 1000
  ]);
  assert.equal(r.error, undefined);
  assert.deepEqual(r.data.map((d) => [...d]), [[1, 2, 3], [4, 5, 6]]);
});

for (
  const [what, bad, why] of [
    ["a masked frame", frame(BIN, [1], true), /masked/],
    ["reserved bits (an extension nobody agreed)", frame(0xc2, [1]), /reserved bits/],
    ["an unknown opcode", frame(0x83, [1]), /unknown opcode 3/],
    ["an unknown control opcode", frame(0x8b, []), /unknown opcode 11/],
    ["a fragmented control frame", frame(0x08, [0x03, 0xe8]), /fragmented or oversized control/],
    ["a control frame over 125 bytes", frame(0x89, new Uint8Array(126)), /oversized control/],
    ["a continuation with nothing to continue", frame(0x80, [1]), /no message to continue/],
    [
      "a new message inside a fragmented one",
      concat([frame(0x02, [1]), frame(BIN, [2])]),
      /before the last one ended/,
    ],
    ["a frame over the limit", frameHead(BIN, 2n ** 40n), /-byte WebSocket frame/],
  ] as const
) {
  Deno.test(`ws client: ${what} ends the connection, and says why`, async () => {
    const r = await receive([ok, bad]);
    assert.deepEqual(r.data.map((d) => [...d]), [[1, 2, 3]], "only what came before");
    assert.ok(r.error, "the channel closed with an error");
    assert.match(r.error.message, /bad WebSocket data from http:127\.0\.0\.1:\d+/);
    assert.match(r.error.message, why);
  });
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Only the head of a frame claiming `len` bytes. */
function frameHead(first: number, len: bigint): Uint8Array {
  const out = new Uint8Array(10);
  out[0] = first;
  out[1] = 127;
  new DataView(out.buffer).setBigUint64(2, len);
  return out;
}

Deno.test("ws client: fragments adding up past the limit are refused before they are all held", () => {
  const reader = new FrameReader();
  const piece = 16 * 1024 * 1024;
  // Only heads: the reader must refuse on the running total, not wait for the bytes.
  const head = (first: number) => {
    const h = new Uint8Array(10);
    h[0] = first;
    h[1] = 127;
    new DataView(h.buffer).setBigUint64(2, BigInt(piece));
    return h;
  };
  const body = new Uint8Array(piece);
  const frames = [reader.push(head(0x02)), reader.push(body)];
  for (let i = 0; i < 3; i++) frames.push(reader.push(head(0x00)), reader.push(body));
  assert.deepEqual(frames, Array(8).fill({ frames: [] }));
  assert.match(String(reader.push(head(0x00)).error), /over 67108864 bytes/);
});

Deno.test("ws client: a frame split into many chunks is joined once, correctly", () => {
  const reader = new FrameReader();
  const payload = new Uint8Array(200_000).map((_, i) => i & 0xff);
  const whole = concat([frame(BIN, payload), frame(0x81, [104, 105])]);
  const got = [];
  for (let at = 0; at < whole.length; at += 1000) {
    got.push(...reader.push(whole.subarray(at, at + 1000)).frames);
  }
  assert.equal(got.length, 2);
  assert.deepEqual(got[0].payload, payload);
  assert.equal(got[1].opcode, 1);
});

Deno.test("ws client: a server that hangs up before answering fails the connect at once", async () => {
  for (const raw of ["", "HTTP/1.1 200 OK\r\n"]) {
    const server = await hostile({ raw });
    try {
      // No timeout: only the hang-up can end the wait.
      await assert.rejects(
        wsConnect({ host: "127.0.0.1", port: server.port, path: "/ws", name: "http" }),
        (err: unknown) => {
          assert.ok(err instanceof TransportError);
          assert.equal(err.code, "E_CONNECT");
          assert.match(err.message, /closed the connection before answering/);
          return true;
        },
      );
    } finally {
      await server.close();
    }
  }
});

Deno.test("ws client: a refusal is reported with the server's words", async () => {
  const server = await hostile({
    raw: "HTTP/1.1 403 Forbidden\r\nContent-Length: 12\r\n\r\ncross-origin",
  });
  try {
    await assert.rejects(
      wsConnect({ host: "127.0.0.1", port: server.port, path: "/ws", name: "http" }),
      /refused the WebSocket: HTTP\/1\.1 403 Forbidden \(cross-origin\)/,
    );
  } finally {
    await server.close();
  }
});
