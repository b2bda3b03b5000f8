// The page's side of dbgremote's wire protocol: the native client's frames and
// messages (src/protocol/), the same checks on what the server sends
// (parse_server.ts), the same password proofs. hello → [challenge → auth] →
// welcome, then cmd/interrupt/bye out and session events in; with a 1.4 server also
// act (a toolbar button, a click in the source: a session command in the engine's
// words) and inspect → inspected (the panes' questions, answered to this page
// alone). No DOM here: tests drive it against the real server code.

import { acceptableIterations, proofText } from "../../protocol/challenge.ts";
import { encodeFrame, FrameDecoder, type Message } from "../../protocol/frame.ts";
import {
  type Challenge,
  type ClientMessage,
  type Hello,
  INSPECT_SINCE,
  type Inspected,
  type SessionEvent,
  type Welcome,
  type Who,
} from "../../protocol/messages.ts";
import { parseServerMessage } from "../../protocol/parse_server.ts";
import { speaks } from "../../protocol/version_policy.ts";
import type { Action, Breakpoint, InspectAnswer, InspectQuery } from "../../engine/inspect.ts";
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
    refused(r: Refusal): void;
    needPassword(): void;
    /** (1.4) The session's breakpoints changed (anyone's `break`, `delete`, a click). */
    breakpoints?(list: Breakpoint[]): void;
  };
  /** How long an inspect question may wait for its answer (ms). */
  inspectTimeoutMs?: number;
}

export { INSPECT_SINCE };

/** Why an inspect question got no answer: a stable code, the words for a pane. */
export class InspectError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
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
  /** Does the server take act and inspect (protocol 1.4)? False before the welcome. */
  readonly canInspect: boolean;
  /** A toolbar button or a click: run as a session command in the engine's own words. */
  act(action: Action): number;
  /** A pane's question, answered to this page alone; rejects with an InspectError. */
  inspect(query: InspectQuery): Promise<InspectAnswer>;
  /** The connection is gone: every question still waiting fails now. */
  close(): void;
}

interface Pending {
  resolve(a: InspectAnswer): void;
  reject(e: InspectError): void;
  timer: ReturnType<typeof setTimeout>;
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
  const pending = new Map<number, Pending>();
  const inspectTimeoutMs = options.inspectTimeoutMs ?? 15_000;
  const send = (m: ClientMessage) => options.send(encodeFrame(m));
  const canInspect = () =>
    phase === "joined" && !!welcome && speaks(welcome.protocol, INSPECT_SINCE);
  const failAll = (code: string, message: string) => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      pending.delete(id);
      p.reject(new InspectError(code, message));
    }
  };
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

  /** The answer to one of this page's questions (an answer after its timeout is dropped). */
  function answered(m: Inspected) {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.ok && m.answer) p.resolve(m.answer);
    else p.reject(new InspectError(m.code ?? "E_INSPECT", m.error ?? "no answer"));
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
      if (m.t === "inspected") answered(m);
      else if (m.t === "breakpoints") on.breakpoints?.(m.breakpoints);
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
      failAll("E_CLOSED", "left the session");
    },
    get canInspect() {
      return canInspect();
    },
    act(action) {
      const id = nextId++;
      send({ t: "act", id, action });
      return id;
    },
    inspect(query) {
      if (!canInspect()) {
        return Promise.reject(
          new InspectError(
            "E_NO_INSPECT",
            `this server (protocol ${welcome?.protocol ?? "?"}) answers no inspect questions`,
          ),
        );
      }
      const id = nextId++;
      return new Promise<InspectAnswer>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new InspectError("E_TIMEOUT", `no answer in ${inspectTimeoutMs / 1000} s`));
        }, inspectTimeoutMs);
        pending.set(id, { resolve, reject, timer });
        send({ t: "inspect", id, query });
      });
    },
    close() {
      failAll("E_CLOSED", "disconnected");
    },
  };
}
