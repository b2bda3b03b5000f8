/**
 * The attacker's side of the hostile-input suite: raw channels to a server's endpoint (through
 * dbgremote's own client transports, so every listener kind is dialled the same way), a login that
 * keeps the frames it sent (to replay them), and the bookkeeping: what came back to a peer that
 * never logged in, and whether any of it was session data.
 */
import { deriveKey, proof } from "../../src/protocol/auth.ts";
import { FrameDecoder, type Message } from "../../src/protocol/frame.ts";
import type { Channel } from "../../src/transport/transport.ts";
import { frame, helloMessage } from "../support/hostile_inputs.ts";
import { within } from "./harness.ts";

/** What a server may send to a peer that has not logged in: its challenge, or why it closes. */
const PRE_LOGIN_REPLIES = new Set(["challenge", "error"]);

/** A channel with everything it received kept, frames decoded as they come. */
export class Peer {
  readonly channel: Channel;
  readonly frames: Message[] = [];
  /**
   * Where this peer's own conversation starts in `frames`. On a serial line a new peer takes
   * over the wire from the last one, whose frames (sent while it was still logged in) may still
   * be on their way: they are not this peer's.
   */
  conversationStart = 0;
  /** Bytes received in all. */
  bytes = 0;
  /** Received text (latin1), kept only for peers that do not speak frames (raw HTTP). */
  raw = "";
  /** Set when the bytes received were not frames. */
  undecodable = false;
  readonly closed: Promise<void>;
  #decoder = new FrameDecoder(64 * 1024 * 1024);
  #waiters: (() => void)[] = [];

  constructor(channel: Channel, framed = true) {
    this.channel = channel;
    this.closed = new Promise((resolve) => {
      channel.start({
        data: (chunk) => {
          this.bytes += chunk.length;
          if (!framed) this.raw += new TextDecoder("latin1").decode(chunk);
          else if (!this.undecodable) {
            try {
              this.frames.push(...this.#decoder.push(chunk));
            } catch {
              this.undecodable = true;
            }
          }
          this.#wake();
        },
        close: () => {
          resolve();
          this.#wake();
        },
      });
    });
  }

  #wake() {
    const w = this.#waiters.splice(0);
    w.forEach((f) => f());
  }

  send(message: unknown): void {
    this.channel.write(frame(message));
  }

  /** Wait until `count` frames matching `test` have arrived since frame index `from`. */
  async waitFrames(
    test: (m: Message) => boolean,
    count = 1,
    from = 0,
    timeoutMs = 15_000,
  ): Promise<Message[]> {
    const deadline = Date.now() + timeoutMs;
    let closed = false;
    void this.closed.then(() => (closed = true));
    while (true) {
      const found = this.frames.slice(from).filter(test);
      if (found.length >= count) return found.slice(0, count);
      const left = deadline - Date.now();
      if (left <= 0 || closed) {
        const last = this.frames.slice(-5).map((m) => JSON.stringify(m).slice(0, 300));
        throw new Error(
          `${this.channel.peer}: ${closed ? "closed" : "timed out"} with ${found.length} of ` +
            `${count} frames awaited; last frames:\n${last.join("\n")}`,
        );
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 500));
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /**
   * Bytes of session data this peer received while it never logged in: any frame but a challenge
   * or an error, everything when the reply was not frames at all, and for raw (HTTP) peers any
   * reply that carries a frame or the session's transcript (`marker`).
   */
  leakedBytes(marker: RegExp): number {
    if (!this.raw && this.undecodable) return this.bytes;
    if (this.raw) return marker.test(this.raw) || /"t":"/.test(this.raw) ? this.bytes : 0;
    return this.leakedFrames().reduce((n, m) => n + JSON.stringify(m).length, 0);
  }

  /** The frames counted by {@link leakedBytes} (for the failure message). */
  leakedFrames(): Message[] {
    return this.frames.slice(this.conversationStart).filter((m) => !PRE_LOGIN_REPLIES.has(m.t));
  }
}

/** What a login sent, for replaying it on another connection. */
export interface Login {
  you: number;
  sent: Uint8Array[];
}

/** Log in as `user` on `peer` with the password; `observe` asks to be an observer. */
export async function login(
  peer: Peer,
  password: string,
  user: string,
  observe: boolean,
): Promise<Login> {
  const hello = frame(helloMessage(user, observe));
  peer.channel.write(hello);
  const [challenge] = await peer.waitFrames((m) => m.t === "challenge" || m.t === "error");
  if (challenge.t !== "challenge") throw new Error(`no challenge: ${JSON.stringify(challenge)}`);
  const key = deriveKey(password, challenge.salt as string, challenge.iterations as number);
  const nonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
  const auth = frame({
    t: "auth",
    nonce,
    proof: proof(key, "client", challenge.nonce as string, nonce),
  });
  peer.channel.write(auth);
  const [welcome] = await peer.waitFrames((m) => m.t === "welcome" || m.t === "error");
  if (welcome.t !== "welcome") throw new Error(`not welcomed: ${JSON.stringify(welcome)}`);
  return { you: welcome.you as number, sent: [hello, auth] };
}

/**
 * Send `bytes` as a peer's first (and only) input, end our side, and wait until the server has
 * closed the connection (bounded). A truncated frame ends with our end of input; everything else
 * must be answered, or closed, by the server.
 */
export async function oneShot(
  dial: () => Promise<Channel>,
  bytes: Uint8Array,
  framed = true,
  timeoutMs = 20_000,
): Promise<Peer> {
  const peer = new Peer(await dial(), framed);
  peer.channel.write(bytes);
  peer.channel.end();
  await within(
    peer.closed,
    timeoutMs,
    () =>
      `${peer.channel.peer} was never closed after a ${bytes.length}-byte input; it got ` +
      `${peer.bytes} bytes: ${JSON.stringify(peer.frames).slice(0, 300)}`,
  );
  return peer;
}

/** Run `fn` over `items`, at most `width` at a time. */
export async function pool<T>(
  items: Iterable<T>,
  width: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const it = items[Symbol.iterator]();
  const worker = async () => {
    for (let next = it.next(); !next.done; next = it.next()) await fn(next.value);
  };
  await Promise.all(Array.from({ length: width }, worker));
}
