// The page's side of dbgremote's wire protocol: the native client's frames and
// messages (src/protocol/), the same checks on what the server sends
// (parse_server.ts), the same password proofs. hello → [challenge → auth] →
// welcome, then cmd/interrupt/bye out and session events in. No DOM here:
// tests drive it against the real server code.

import { acceptableIterations, proofText } from "../../protocol/challenge.ts";
import { encodeFrame, FrameDecoder, type Message } from "../../protocol/frame.ts";
import type {
  Challenge,
  ClientMessage,
  Hello,
  Inspected,
  SessionEvent,
  Welcome,
  Who,
} from "../../protocol/messages.ts";
import { parseServerMessage } from "../../protocol/parse_server.ts";
import { type Prover, randomNonce } from "./crypto.ts";

export { encodeFrame, FrameDecoder };

/** Why the page is not (or no longer) in the session. */
export interface Refusal {
  /** A stable error code (errors.ts): the server's, or the page's own. */
  code: string;
  message: string;
  hint?: string;
  /** The server said so in an `error` message (else the page itself gave up). */
  fromServer: boolean;
}

export interface PageClientOptions {
  who: Who;
  version: { protocol: string; release: string };
  /** The session password, or undefined (no password, or a live login vouches for the page). */
  password?: string;
  observe?: boolean;
  prover: Prover;
  send(bytes: Uint8Array): void;
  on: {
    welcome(w: Welcome): void;
    event(e: SessionEvent): void;
    /** (1.4) The answer to an `inspect` this page sent. */
    inspected?(m: Inspected): void;
    refused(r: Refusal): void;
    needPassword(): void;
  };
}

export interface PageClient {
  readonly welcome: Welcome | undefined;
  readonly joined: boolean;
  /** Say hello: call once the WebSocket is open. */
  start(): void;
  /** Bytes from the WebSocket. Messages are handled one at a time, in order. */
  receive(bytes: Uint8Array): Promise<void>;
  command(text: string): number;
  interrupt(): void;
  leave(): void;
}

/** One session connection over a WebSocket the caller owns. */
export function createClient(options: PageClientOptions): PageClient {
  const decoder = new FrameDecoder();
  const on = options.on;
  let phase: "hello" | "challenged" | "joined" | "refused" = "hello";
  let key: Uint8Array | undefined;
  let nonces: { server: string; client: string } | undefined;
  let nextId = 1;
  let welcome: Welcome | undefined;
  let queue = Promise.resolve();
  const send = (m: ClientMessage) => options.send(encodeFrame(m));
  const refuse = (code: string, message: string, hint?: string) => {
    phase = "refused";
    on.refused({ code, message, hint, fromServer: false });
  };

  async function onChallenge(c: Challenge) {
    if (options.password === undefined) {
      phase = "refused";
      on.needPassword();
      return;
    }
    if (!acceptableIterations(c.iterations)) {
      refuse("E_AUTH", `the server asked for ${c.iterations} key iterations: refusing`);
      return;
    }
    const k = await options.prover.deriveKey(options.password, c.salt, c.iterations);
    const n = { server: c.nonce, client: randomNonce() };
    key = k;
    nonces = n;
    const proof = await options.prover.hmac(k, proofText("client", n.server, n.client));
    phase = "challenged";
    send({ t: "auth", nonce: n.client, proof });
  }

  async function onWelcome(w: Welcome) {
    if (phase === "challenged" && key && nonces) {
      // Mutual: the server proves it knows the password too.
      const want = await options.prover.hmac(
        key,
        proofText("server", nonces.server, nonces.client),
      );
      if (w.proof !== want) {
        refuse(
          "E_AUTH",
          "the server could not prove it knows the password",
          "this may not be your server: check the address",
        );
        return;
      }
    }
    // Without a challenge: no password here, or a live login (the cookie) vouched for this page.
    phase = "joined";
    welcome = w;
    on.welcome(w);
  }

  async function handle(raw: Message) {
    if (phase === "refused") return;
    const parsed = parseServerMessage(raw);
    if (!parsed.ok) {
      // A newer server's event: skipped, as the console skips it.
      if (parsed.unknown && phase === "joined") return;
      refuse("E_PROTOCOL", `bad data from the server: ${parsed.error}`);
      return;
    }
    const m = parsed.msg;
    if (m.t === "error") {
      // After the welcome an error is why the server drops the page: it stays "joined" (ended).
      if (phase !== "joined") phase = "refused";
      on.refused({ code: m.code, message: m.message, hint: m.hint, fromServer: true });
      return;
    }
    if (phase === "joined") {
      if (m.t === "inspected") on.inspected?.(m);
      else if (m.t !== "challenge" && m.t !== "welcome") on.event(m);
      else refuse("E_PROTOCOL", `"${m.t}" after the handshake`);
      return;
    }
    if (m.t === "challenge" && phase === "hello") return await onChallenge(m);
    if (m.t === "welcome") return await onWelcome(m);
    refuse("E_HANDSHAKE", `expected welcome, got "${m.t}"`);
  }

  return {
    get welcome() {
      return welcome;
    },
    get joined() {
      return phase === "joined";
    },
    start() {
      const hello: Hello = {
        t: "hello",
        protocol: options.version.protocol,
        release: options.version.release,
        who: options.who,
      };
      if (options.observe) hello.observe = true; // watch only: the server can only agree
      send(hello);
    },
    receive(bytes) {
      let messages: Message[];
      try {
        messages = decoder.push(bytes);
      } catch (err) {
        refuse(
          "E_FRAME_MALFORMED",
          `bad data from the server: ${err instanceof Error ? err.message : err}`,
        );
        return queue;
      }
      for (const m of messages) queue = queue.then(() => handle(m));
      return queue;
    },
    command(text) {
      const id = nextId++;
      send({ t: "cmd", id, text });
      return id;
    },
    interrupt() {
      send({ t: "interrupt" });
    },
    leave() {
      send({ t: "bye" });
    },
  };
}
