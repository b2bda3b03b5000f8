/**
 * The server side of DAP's framing (`Content-Length: N\r\n\r\n` then N bytes of JSON), for
 * editors. The engine side (src/engine/dap/framing.ts) trusts its adapter and treats any fault
 * as the adapter's death; an editor is a stranger, so here a body that is not JSON or not a
 * request costs only that message (the framing is intact: an error response, the connection
 * kept), while a broken header leaves no way to find the next message (the connection closes).
 * Messages go out with that module's encoder. Pure.
 */
import { DbgRemoteError } from "../errors.ts";

export { encodeDapMessage } from "../engine/dap/framing.ts";

/** What one framed message held. */
export type WireItem =
  | { ok: true; message: Record<string, unknown> }
  /** A whole message arrived but is no JSON object: only it is lost. */
  | { ok: false; error: string };

const HEADER_END = [13, 10, 13, 10]; // \r\n\r\n
const MAX_HEADER = 1024;

function headerEnd(buf: Uint8Array, from: number): number {
  outer: for (let i = from; i + 3 < buf.length; i++) {
    for (let k = 0; k < 4; k++) if (buf[i + k] !== HEADER_END[k]) continue outer;
    return i;
  }
  return -1;
}

function broken(what: string): DbgRemoteError {
  return new DbgRemoteError("E_FRAME_MALFORMED", `not the Debug Adapter Protocol: ${what}`, {
    hint: "connect an editor's debug client (DAP) here; dbgremote clients use tcp:",
  });
}

export interface DapWireDecoder {
  /** Add bytes; returns the messages they complete. Throws E_FRAME_* when the framing breaks. */
  push(chunk: Uint8Array): WireItem[];
  /** The largest message accepted from now on (small before attach, larger after). */
  maxMessage: number;
}

export function createDapWireDecoder(maxMessage: number): DapWireDecoder {
  let buf = new Uint8Array(0);
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  const self: DapWireDecoder = {
    maxMessage,
    push(chunk) {
      const joined = new Uint8Array(buf.length + chunk.length);
      joined.set(buf);
      joined.set(chunk, buf.length);
      buf = joined;
      const items: WireItem[] = [];
      let at = 0;
      while (true) {
        const end = headerEnd(buf, at);
        if (end < 0) {
          if (buf.length - at > MAX_HEADER) {
            throw broken(`a header longer than ${MAX_HEADER} bytes`);
          }
          break;
        }
        let length: number | undefined;
        const header = new TextDecoder().decode(buf.subarray(at, end));
        for (const line of header.split("\r\n")) {
          const colon = line.indexOf(":");
          if (colon < 0) throw broken(`header line ${JSON.stringify(line.slice(0, 60))}`);
          if (line.slice(0, colon).trim().toLowerCase() !== "content-length") continue;
          const value = line.slice(colon + 1).trim();
          if (!/^\d{1,10}$/.test(value)) {
            throw broken(`Content-Length ${JSON.stringify(value.slice(0, 20))}`);
          }
          length = Number(value);
        }
        if (length === undefined) throw broken("a header without Content-Length");
        if (length > self.maxMessage) {
          throw new DbgRemoteError(
            "E_FRAME_TOO_LARGE",
            `a message of ${length} bytes (the limit here is ${self.maxMessage})`,
            { hint: "before attach only small requests are taken" },
          );
        }
        const start = end + 4;
        if (buf.length - start < length) break;
        items.push(parseBody(utf8, buf.subarray(start, start + length)));
        at = start + length;
      }
      buf = buf.slice(at);
      return items;
    },
  };
  return self;
}

function parseBody(utf8: TextDecoder, bytes: Uint8Array): WireItem {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch {
    return { ok: false, error: "the message body is not JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, error: "the message body is not a JSON object" };
  }
  return { ok: true, message: value as Record<string, unknown> };
}
