/**
 * The frame codec: a 4-byte big-endian length, then that many bytes of UTF-8
 * JSON holding one message object `{ "t": type, ... }`.
 *
 * Pure: bytes in, messages out. The decoder accepts chunks split or merged
 * anywhere, and fails fast (before buffering) on a length over the limit.
 */
import { FrameError } from "../errors.ts";

export const DEFAULT_MAX_FRAME = 1024 * 1024;
const HEADER = 4;

export interface Message {
  t: string;
  [key: string]: unknown;
}

const encoder = new TextEncoder();

/** Encode one message as a frame. Throws if the encoded frame exceeds `maxFrame`. */
export function encodeFrame(message: Message, maxFrame = DEFAULT_MAX_FRAME): Uint8Array {
  const body = encoder.encode(JSON.stringify(message));
  if (body.length > maxFrame) {
    throw new FrameError(
      "E_FRAME_TOO_LARGE",
      `outgoing "${message.t}" message is ${body.length} bytes, over the ${maxFrame}-byte frame limit`,
      "split the text into smaller messages",
    );
  }
  const frame = new Uint8Array(HEADER + body.length);
  new DataView(frame.buffer).setUint32(0, body.length);
  frame.set(body, HEADER);
  return frame;
}

/**
 * One message encoded once however many peers it goes to: a broadcast event is written to
 * every peer as the same bytes. Encoded when first asked for (a session with no network peer
 * never encodes); throws like {@link encodeFrame}, every time it is asked, if it cannot be.
 */
export class SharedFrame {
  readonly message: Message;
  readonly #maxFrame: number;
  #bytes: Uint8Array | undefined;

  constructor(message: Message, maxFrame = DEFAULT_MAX_FRAME) {
    this.message = message;
    this.#maxFrame = maxFrame;
  }

  /** The frame: length header and body. Peers must not change it (it is shared). */
  get bytes(): Uint8Array {
    return this.#bytes ??= encodeFrame(this.message, this.#maxFrame);
  }

  /** Bytes of the body alone (what protocol/fit.ts measures). */
  get bodySize(): number {
    return this.bytes.length - HEADER;
  }
}

/**
 * Incremental decoder. Feed it chunks with {@link push}; it returns every
 * complete message so far. After it throws, the stream is unusable: close
 * the connection.
 */
export class FrameDecoder {
  #maxFrame: number;
  readonly #utf8 = new TextDecoder("utf-8", { fatal: true });
  #buffer: Uint8Array = new Uint8Array(0);
  #start = 0;
  #end = 0;

  constructor(maxFrame = DEFAULT_MAX_FRAME) {
    this.#maxFrame = maxFrame;
  }

  /** The largest frame accepted from now on (a peer that has logged in gets a bigger one). */
  set maxFrame(bytes: number) {
    this.#maxFrame = bytes;
  }

  /** Bytes received but not yet decoded into a message. */
  get pending(): number {
    return this.#end - this.#start;
  }

  push(chunk: Uint8Array): Message[] {
    this.#append(chunk);
    const out: Message[] = [];
    while (this.#end - this.#start >= HEADER) {
      const view = new DataView(this.#buffer.buffer, this.#buffer.byteOffset + this.#start, HEADER);
      const length = view.getUint32(0);
      if (length > this.#maxFrame) {
        throw new FrameError(
          "E_FRAME_TOO_LARGE",
          `incoming frame of ${length} bytes is over the ${this.#maxFrame}-byte limit`,
          "the peer is not speaking dbgremote's protocol, or sends too much at once",
        );
      }
      if (this.#end - this.#start < HEADER + length) break;
      const body = this.#buffer.subarray(this.#start + HEADER, this.#start + HEADER + length);
      this.#start += HEADER + length;
      out.push(this.#parse(body));
    }
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return out;
  }

  #parse(body: Uint8Array): Message {
    let value: unknown;
    try {
      value = JSON.parse(this.#utf8.decode(body));
    } catch (err) {
      throw new FrameError(
        "E_FRAME_MALFORMED",
        `frame of ${body.length} bytes is not valid UTF-8 JSON (${(err as Error).message})`,
        "the peer is not speaking dbgremote's protocol",
      );
    }
    if (
      typeof value !== "object" || value === null || Array.isArray(value) ||
      typeof (value as Message).t !== "string"
    ) {
      throw new FrameError(
        "E_FRAME_MALFORMED",
        'frame is JSON but not a message object with a string "t"',
        "the peer is not speaking dbgremote's protocol",
      );
    }
    return value as Message;
  }

  #append(chunk: Uint8Array): void {
    const used = this.#end - this.#start;
    if (this.#buffer.length - this.#end >= chunk.length) {
      this.#buffer.set(chunk, this.#end);
      this.#end += chunk.length;
      return;
    }
    const needed = used + chunk.length;
    const next = needed <= this.#buffer.length
      ? this.#buffer
      : new Uint8Array(Math.max(needed, this.#buffer.length * 2, 4096));
    if (next === this.#buffer) {
      this.#buffer.copyWithin(0, this.#start, this.#end);
    } else {
      next.set(this.#buffer.subarray(this.#start, this.#end), 0);
    }
    this.#buffer = next;
    this.#start = 0;
    this.#end = used;
    this.#buffer.set(chunk, this.#end);
    this.#end += chunk.length;
  }
}
