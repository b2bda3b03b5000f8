// The page's side of dbgremote's wire protocol v1, the same frames as the
// native client (src/client/connection.ts): a 4-byte big-endian length, then
// UTF-8 JSON. hello → [challenge → auth] → welcome, then cmd/interrupt/bye
// out and session events in. No DOM here: tests drive it against the real
// server code.

import { proofText, randomNonce } from "./crypto.js";

const MAX_FRAME = 1024 * 1024;
const utf8 = new TextEncoder();

export function encodeFrame(message) {
  const body = utf8.encode(JSON.stringify(message));
  const frame = new Uint8Array(4 + body.length);
  new DataView(frame.buffer).setUint32(0, body.length);
  frame.set(body, 4);
  return frame;
}

/** Frames from chunks split or merged anywhere. Throws on a frame that is not a message. */
export class FrameDecoder {
  #buffer = new Uint8Array(0);
  #utf8 = new TextDecoder("utf-8", { fatal: true });

  push(chunk) {
    const joined = new Uint8Array(this.#buffer.length + chunk.length);
    joined.set(this.#buffer);
    joined.set(chunk, this.#buffer.length);
    const out = [];
    let at = 0;
    while (joined.length - at >= 4) {
      const length = new DataView(joined.buffer, at, 4).getUint32(0);
      if (length > MAX_FRAME) throw new Error(`a frame of ${length} bytes, over the limit`);
      if (joined.length - at < 4 + length) break;
      const message = JSON.parse(this.#utf8.decode(joined.subarray(at + 4, at + 4 + length)));
      if (typeof message !== "object" || message === null || typeof message.t !== "string") {
        throw new Error("a frame that is not a message");
      }
      out.push(message);
      at += 4 + length;
    }
    this.#buffer = joined.slice(at);
    return out;
  }
}

/**
 * One session connection. `options`:
 *   who {user, host, tool}, version {protocol, release}, password (or undefined), observe,
 *   prover (crypto.js createProver()), send(bytes),
 *   on: { welcome(w), event(e), refused({code, message, hint}), needPassword() }
 */
export function createClient(options) {
  const decoder = new FrameDecoder();
  const on = options.on;
  let phase = "hello"; // → "challenged" → "joined" | "refused"
  let key;
  let nonces;
  let nextId = 1;
  let welcome;
  let queue = Promise.resolve();
  const send = (m) => options.send(encodeFrame(m));
  const refuse = (code, message, hint) => {
    phase = "refused";
    on.refused({ code, message, hint });
  };

  async function handle(m) {
    if (phase === "refused") return;
    if (phase === "joined") {
      if (m.t === "error") on.refused({ code: m.code, message: m.message, hint: m.hint });
      else on.event(m);
      return;
    }
    if (m.t === "error") {
      refuse(m.code, m.message, m.hint);
      return;
    }
    if (m.t === "challenge" && phase === "hello") {
      if (options.password === undefined) {
        phase = "refused";
        on.needPassword();
        return;
      }
      const n = m.iterations;
      if (!Number.isInteger(n) || n < 1000 || n > 10_000_000) {
        refuse("E_AUTH", `the server asked for ${n} key iterations: refusing`);
        return;
      }
      key = await options.prover.deriveKey(options.password, m.salt, n);
      nonces = { server: m.nonce, client: randomNonce() };
      const proof = await options.prover.hmac(
        key,
        proofText("client", nonces.server, nonces.client),
      );
      phase = "challenged";
      send({ t: "auth", nonce: nonces.client, proof });
      return;
    }
    if (m.t === "welcome") {
      if (phase === "challenged") {
        // Mutual: the server proves it knows the password too.
        const want = await options.prover.hmac(
          key,
          proofText("server", nonces.server, nonces.client),
        );
        if (m.proof !== want) {
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
      welcome = m;
      on.welcome(m);
      return;
    }
    refuse("E_HANDSHAKE", `expected welcome, got "${m.t}"`);
  }

  return {
    get welcome() {
      return welcome;
    },
    get joined() {
      return phase === "joined";
    },
    /** Say hello: call once the WebSocket is open. */
    start() {
      const hello = {
        t: "hello",
        protocol: options.version.protocol,
        release: options.version.release,
        who: options.who,
      };
      if (options.observe) hello.observe = true; // watch only: the server can only agree
      send(hello);
    },
    /** Bytes from the WebSocket. Messages are handled one at a time, in order. */
    receive(bytes) {
      let messages;
      try {
        messages = decoder.push(bytes);
      } catch (err) {
        refuse("E_FRAME_MALFORMED", `bad data from the server: ${err.message}`);
        return;
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
