/**
 * The Debug Adapter Protocol's framing: `Content-Length: N\r\n\r\n` then N bytes of
 * UTF-8 JSON. A pure byte codec: the decoder takes chunks as they come (a message
 * may span chunks, a chunk may hold several) and gives back whole messages.
 */
import { EngineError } from "../../errors.ts";

/** Largest message accepted from an adapter: a runaway length is an adapter fault. */
export const MAX_DAP_MESSAGE = 64 * 1024 * 1024;

const HEADER_END = [13, 10, 13, 10]; // \r\n\r\n
const encoder = new TextEncoder();

/** One message, framed. */
export function encodeDapMessage(message: unknown): Uint8Array {
  const body = encoder.encode(JSON.stringify(message));
  const head = encoder.encode(`Content-Length: ${body.length}\r\n\r\n`);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

function indexOfHeaderEnd(buf: Uint8Array, from: number): number {
  outer: for (let i = from; i + 3 < buf.length; i++) {
    for (let k = 0; k < 4; k++) if (buf[i + k] !== HEADER_END[k]) continue outer;
    return i;
  }
  return -1;
}

export interface DapDecoder {
  /** Add bytes; returns every message they complete, in order. Throws on a malformed frame. */
  push(chunk: Uint8Array): unknown[];
  /** Bytes held for a message not yet complete. */
  readonly pending: number;
}

function malformed(what: string): EngineError {
  return new EngineError("E_ENGINE_DIED", `the debug adapter sent a malformed message: ${what}`, {
    hint: "the adapter is not speaking the Debug Adapter Protocol; check its version",
  });
}

export function createDapDecoder(maxMessage = MAX_DAP_MESSAGE): DapDecoder {
  let buf = new Uint8Array(0);
  const decoder = new TextDecoder("utf-8", { fatal: true });
  return {
    get pending() {
      return buf.length;
    },
    push(chunk) {
      if (buf.length === 0) buf = chunk.slice();
      else {
        const joined = new Uint8Array(buf.length + chunk.length);
        joined.set(buf);
        joined.set(chunk, buf.length);
        buf = joined;
      }
      const messages: unknown[] = [];
      let at = 0;
      while (true) {
        const end = indexOfHeaderEnd(buf, at);
        if (end < 0) {
          if (buf.length - at > 8192) throw malformed("a header longer than 8 KiB");
          break;
        }
        let length: number | undefined;
        const header = new TextDecoder().decode(buf.subarray(at, end));
        for (const line of header.split("\r\n")) {
          const colon = line.indexOf(":");
          if (colon < 0) throw malformed(`header line ${JSON.stringify(line.slice(0, 80))}`);
          if (line.slice(0, colon).trim().toLowerCase() === "content-length") {
            const value = line.slice(colon + 1).trim();
            if (!/^\d+$/.test(value)) throw malformed(`Content-Length ${JSON.stringify(value)}`);
            length = Number(value);
          }
        }
        if (length === undefined) throw malformed("no Content-Length header");
        if (length > maxMessage) throw malformed(`a message of ${length} bytes`);
        const start = end + 4;
        if (buf.length - start < length) break;
        let text: string;
        try {
          text = decoder.decode(buf.subarray(start, start + length));
        } catch {
          throw malformed("a body that is not UTF-8");
        }
        try {
          messages.push(JSON.parse(text));
        } catch {
          throw malformed(`a body that is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
        }
        at = start + length;
      }
      buf = at === 0 ? buf : buf.slice(at);
      return messages;
    },
  };
}
