/**
 * A small WebSocket client (RFC 6455) over node:net / node:tls, for native
 * clients of http:/https: endpoints. Written here rather than using the
 * runtime's `WebSocket` so that it trusts a lab's own CA (cafile=), speaks
 * TLS 1.3 only, uses TCP_NODELAY, and reports unsent bytes as `pending`
 * exactly like the other transports.
 *
 * The stream travels in binary messages; text messages (the server's word to
 * pages: login tickets) are ignored.
 */
import { createHash, randomBytes } from "node:crypto";
import net from "node:net";
import tls from "node:tls";
import { TransportError } from "../errors.ts";
import { describeTlsError } from "./tls_options.ts";
import type { Channel, ChannelHandlers } from "./transport.ts";
import { concatBytes, writeBatch } from "./write_batch.ts";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/** Largest message accepted from the server. */
const MAX_MESSAGE = 64 * 1024 * 1024;

export interface WsConnectOptions {
  host: string;
  port: number;
  path: string;
  /** For messages: "http" or "https". */
  name: string;
  /** TLS settings: connect with TLS (wss). */
  tls?: tls.ConnectionOptions;
  timeoutMs?: number;
}

function hostHeader(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** One WebSocket frame, client to server (always masked). */
export function encodeClientFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const len = payload.length;
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const frame = new Uint8Array(head + 4 + len);
  frame[0] = 0x80 | opcode;
  if (len < 126) frame[1] = 0x80 | len;
  else if (len < 65536) {
    frame[1] = 0x80 | 126;
    new DataView(frame.buffer).setUint16(2, len);
  } else {
    frame[1] = 0x80 | 127;
    new DataView(frame.buffer).setBigUint64(2, BigInt(len));
  }
  const mask = randomBytes(4);
  frame.set(mask, head);
  for (let i = 0; i < len; i++) frame[head + 4 + i] = payload[i] ^ mask[i & 3];
  return frame;
}

/** A frame or message off the wire: a whole data message, or one control frame. */
interface Received {
  opcode: number;
  payload: Uint8Array;
}

/**
 * Parse server frames from a byte stream, strictly (RFC 6455 section 5): a
 * server that breaks the framing is not to be trusted with the rest.
 */
export class FrameReader {
  /** Bytes not yet parsed, and how many a next step needs before it is worth joining them. */
  #chunks: Uint8Array[] = [];
  #size = 0;
  #need = 2;
  #fragments: Uint8Array[] = [];
  #fragmentBytes = 0;
  /** The opcode of the message being reassembled, 0 when none is. */
  #fragmentOpcode = 0;

  /**
   * Complete messages and control frames so far, and the protocol error that
   * ended the stream, if one did (after the frames before it).
   */
  push(chunk: Uint8Array): { frames: Received[]; error?: Error } {
    const out: Received[] = [];
    try {
      this.#parse(chunk, out);
      return { frames: out };
    } catch (err) {
      return { frames: out, error: err as Error };
    }
  }

  #parse(chunk: Uint8Array, out: Received[]): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    // A large frame arrives in many chunks: join them once, when it is all here.
    if (this.#size < this.#need) return;
    const bytes = concatBytes(this.#chunks);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = 0;
    this.#need = 2;
    while (bytes.length - at >= 2) {
      const fin = (bytes[at] & 0x80) !== 0;
      const opcode = bytes[at] & 0x0f;
      if (bytes[at] & 0x70) throw new Error("a frame with reserved bits set (no extension agreed)");
      if ((bytes[at + 1] & 0x80) !== 0) throw new Error("a masked frame from the server");
      let len = bytes[at + 1] & 0x7f;
      let head = 2;
      if (len === 126) head = 4;
      else if (len === 127) head = 10;
      if (bytes.length - at < head) {
        this.#need = head;
        break;
      }
      if (len === 126) len = view.getUint16(at + 2);
      else if (len === 127) {
        const big = view.getBigUint64(at + 2);
        if (big > BigInt(MAX_MESSAGE)) throw new Error(`a ${big}-byte WebSocket frame`);
        len = Number(big);
      }
      if (opcode >= 8) {
        if (opcode > 10) throw new Error(`a frame with the unknown opcode ${opcode}`);
        if (!fin || len > 125) throw new Error("a fragmented or oversized control frame");
      } else if (opcode > 2) {
        throw new Error(`a frame with the unknown opcode ${opcode}`);
      } else if ((opcode === 0) !== (this.#fragmentOpcode !== 0)) {
        throw new Error(
          opcode === 0
            ? "a continuation frame with no message to continue"
            : "a new message before the last one ended",
        );
      } else if (this.#fragmentBytes + len > MAX_MESSAGE) {
        throw new Error(`a WebSocket message over ${MAX_MESSAGE} bytes`);
      }
      if (bytes.length - at < head + len) {
        this.#need = head + len;
        break;
      }
      const payload = bytes.slice(at + head, at + head + len);
      at += head + len;
      if (opcode >= 8 || (fin && opcode !== 0)) {
        out.push({ opcode, payload });
        continue;
      }
      if (opcode !== 0) this.#fragmentOpcode = opcode;
      this.#fragments.push(payload);
      this.#fragmentBytes += len;
      if (fin) {
        out.push({ opcode: this.#fragmentOpcode, payload: concatBytes(this.#fragments) });
        this.#fragments = [];
        this.#fragmentBytes = 0;
        this.#fragmentOpcode = 0;
      }
    }
    const rest = bytes.slice(at);
    this.#chunks = rest.length ? [rest] : [];
    this.#size = rest.length;
  }
}

/** Dial a WebSocket server; resolves once the upgrade is done. */
export function wsConnect(options: WsConnectOptions): Promise<Channel> {
  const { host, port, name } = options;
  const where = hostHeader(host, port);
  const key = randomBytes(16).toString("base64");
  const accept = createHash("sha1").update(key + GUID).digest("base64");
  const scheme = options.tls ? "https" : "http";
  return new Promise<Channel>((resolve, reject) => {
    const socket = options.tls
      ? tls.connect({ host, port, ...options.tls })
      : net.connect({ host, port, noDelay: true });
    let settled = false;
    const fail = (err: TransportError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const timer = options.timeoutMs
      ? setTimeout(() =>
        fail(
          new TransportError(
            "E_CONNECT",
            `no answer from ${where} within ${options.timeoutMs} ms`,
            {
              hint: "check the host name and that a firewall lets the port through",
              failure: "no-answer",
            },
          ),
        ), options.timeoutMs)
      : undefined;
    socket.once("error", (err: NodeJS.ErrnoException) => {
      if (
        options.tls &&
        !/^E(CONNREFUSED|NOTFOUND|HOSTUNREACH|NETUNREACH|TIMEDOUT)$/.test(err.code ?? "")
      ) {
        fail(describeTlsError(err, where));
        return;
      }
      fail(
        new TransportError("E_CONNECT", `cannot connect to ${name} ${where}: ${err.message}`, {
          hint: err.code === "ECONNREFUSED"
            ? `is the server running? start it with: dbgremote server ${name}:port=${port} -- gdb PROGRAM`
            : err.code === "ENOTFOUND"
            ? `the host name "${host}" does not resolve: check it`
            : undefined,
          cause: err,
        }),
      );
    });
    // A server that hangs up without answering (not a web server, or one that refused us).
    const onEarlyClose = () =>
      fail(
        new TransportError("E_CONNECT", `${where} closed the connection before answering`, {
          hint: `is this a dbgremote ${name} endpoint? check the port`,
        }),
      );
    socket.once("close", onEarlyClose);
    socket.once(options.tls ? "secureConnect" : "connect", () => {
      socket.setNoDelay(true);
      socket.write(
        `GET ${options.path} HTTP/1.1\r\nHost: ${where}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
          `Origin: ${scheme}://${where}\r\nUser-Agent: dbgremote\r\n\r\n`,
      );
    });
    let head = new Uint8Array(0);
    const onHead = (chunk: Uint8Array) => {
      const joined = new Uint8Array(head.length + chunk.length);
      joined.set(head);
      joined.set(chunk, head.length);
      head = joined;
      const text = new TextDecoder("latin1").decode(head);
      const endOfHead = text.indexOf("\r\n\r\n");
      if (endOfHead < 0) {
        if (head.length > 16384) {
          fail(new TransportError("E_CONNECT", `${where} sent no WebSocket answer`));
        }
        return;
      }
      socket.off("data", onHead);
      const [status, ...lines] = text.slice(0, endOfHead).split("\r\n");
      const headers = new Map(
        lines.map((
          l,
        ) => [l.slice(0, l.indexOf(":")).trim().toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]),
      );
      if (!/^HTTP\/1\.1 101 /.test(status) || headers.get("sec-websocket-accept") !== accept) {
        const body = text.slice(endOfHead + 4, endOfHead + 300).trim();
        fail(
          new TransportError(
            "E_CONNECT",
            `${where} refused the WebSocket: ${status}${body ? ` (${body})` : ""}`,
            { hint: `is this a dbgremote ${name} endpoint? check the port` },
          ),
        );
        return;
      }
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners("error");
      socket.off("close", onEarlyClose);
      socket.pause();
      resolve(clientChannel(socket, `${name}:${where}`, head.slice(endOfHead + 4)));
    };
    socket.on("data", onHead);
  });
}

function clientChannel(socket: net.Socket, peer: string, leftover: Uint8Array): Channel {
  const reader = new FrameReader();
  let handlers: ChannelHandlers | undefined;
  let closed = false;
  let failure: Error | undefined;
  let closeSent = false;
  const writable = () => !socket.destroyed && !socket.writableEnded;
  const batch = writeBatch((payload) => {
    if (writable()) socket.write(encodeClientFrame(2, payload));
  });
  const sendClose = (code: number) => {
    if (closeSent || !writable()) return;
    closeSent = true;
    const body = new Uint8Array(2);
    new DataView(body.buffer).setUint16(0, code);
    socket.write(encodeClientFrame(8, body));
  };
  const onBytes = (chunk: Uint8Array) => {
    if (socket.destroyed) return;
    const { frames, error } = reader.push(chunk);
    for (const f of frames) {
      if (f.opcode === 2) handlers!.data(f.payload);
      else if (f.opcode === 9 && writable()) socket.write(encodeClientFrame(10, f.payload));
      else if (f.opcode === 8) {
        const code = f.payload.length >= 2 ? new DataView(f.payload.buffer).getUint16(0) : 1005;
        if (code !== 1000 && code !== 1001 && code !== 1005) {
          const reason = new TextDecoder().decode(f.payload.subarray(2));
          failure ??= new Error(`closed by the server (${code}${reason ? `: ${reason}` : ""})`);
        }
        sendClose(code === 1005 ? 1000 : code);
        socket.end();
        return; // nothing counts after a close
      }
      // text (1): the server's word to browser pages; pong (10): nothing to do
    }
    if (error) {
      failure ??= new Error(`bad WebSocket data from ${peer}: ${error.message}`);
      socket.destroy();
    }
  };
  socket.on("error", (err) => {
    failure ??= err;
  });
  socket.on("close", () => {
    closed = true;
    handlers?.close(failure);
  });
  return {
    peer,
    start(h) {
      if (handlers) throw new Error("channel already started");
      handlers = h;
      if (leftover.length) onBytes(leftover);
      if (closed) {
        h.close(failure);
        return;
      }
      socket.on("data", onBytes);
      socket.resume();
    },
    write(chunk) {
      if (!writable() || closeSent) return;
      batch.push(chunk);
    },
    get pending() {
      return socket.writableLength + batch.bytes;
    },
    end() {
      batch.flush();
      sendClose(1000);
      if (!socket.destroyed) socket.end();
    },
    destroy() {
      batch.clear();
      socket.destroy();
    },
  };
}
