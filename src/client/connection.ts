/**
 * The client side of the protocol: connect, handshake, then send commands and
 * receive session events. No terminal here: the console (or a test, or a
 * benchmark) consumes the events.
 */
import { DbgRemoteError, ProtocolError } from "../errors.ts";
import { encodeFrame, FrameDecoder, type Message } from "../protocol/frame.ts";
import { commandTooLong } from "../protocol/fit.ts";
import { checkProof, deriveKey, newNonce, proof } from "../protocol/auth.ts";
import { acceptableIterations } from "../protocol/challenge.ts";
import type {
  Challenge,
  EndCause,
  Hello,
  Inspected,
  SessionEvent,
  Welcome,
  Who,
} from "../protocol/messages.ts";
import { parseServerMessage } from "../protocol/parse_server.ts";
import { compareVersions } from "../protocol/version_policy.ts";
import type { Channel } from "../transport/transport.ts";
import type { VersionInfo } from "../version.ts";

export interface ClientOptions {
  who: Who;
  version: VersionInfo;
  /** Called for every session event after the welcome, in order. */
  onEvent: (event: SessionEvent) => void;
  /** (1.4) The answer to an `inspect` this client sent. */
  onInspected?: (answer: Inspected) => void;
  /** Called once when the connection closes; `error` says why if it was not a clean end. */
  onClose?: (error?: DbgRemoteError) => void;
  handshakeTimeoutMs?: number;
  maxFrame?: number;
  /** The session password, when the server needs one. The server must prove it knows it too. */
  password?: string;
  /**
   * A loopback server's session token, found in this user's private directory: answered like a
   * password when the server asks for one (and then the server must prove it), never required.
   */
  token?: string;
  /** Ask to join as an observer (see everything, run nothing). */
  observe?: boolean;
}

/** How a connection ended: what a client needs to decide whether to wait for the server again. */
export type ConnectionEnd =
  /** This side left (Ctrl+B, .remote_exit, end of input). */
  | { kind: "left" }
  /** The server ended the session and said why (`end`). */
  | { kind: "ended"; reason: string; cause?: EndCause }
  /** The server disconnected this client on purpose (too slow, a protocol error): `error.code` says why. */
  | { kind: "dropped"; reason: string; error: DbgRemoteError }
  /** The connection broke or closed without a word: the server died, or the network. */
  | { kind: "lost"; error?: DbgRemoteError };

export interface ClientConnection {
  readonly welcome: Welcome;
  /** Send a command; returns its id. Throws E_TOO_LONG, sending nothing, for an over-long line. */
  command(text: string): number;
  interrupt(): void;
  /** Resolves once every command sent so far has finished (or the connection closed). */
  idle(): Promise<void>;
  /** Leave the session (Ctrl+B, .remote_exit): the others go on. */
  leave(): void;
  /** Drop the connection without a goodbye. */
  destroy(): void;
  /** Resolves when the connection has closed. */
  readonly closed: Promise<void>;
  /** How it ended; meaningful once `closed` has resolved. */
  ending(): ConnectionEnd;
}

/** Run the handshake on a connected channel. Rejects with a ProtocolError on refusal. */
export function openClient(channel: Channel, options: ClientOptions): Promise<ClientConnection> {
  const decoder = new FrameDecoder(options.maxFrame);
  let nextId = 1;
  const outstanding = new Set<number>();
  let idleWaiters: (() => void)[] = [];
  const wakeIdle = () => {
    const w = idleWaiters;
    idleWaiters = [];
    w.forEach((f) => f());
  };
  let welcome: Welcome | undefined;
  let finished = false;
  let closeError: DbgRemoteError | undefined;
  let ending: ConnectionEnd | undefined;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  const send = (m: Message) => channel.write(encodeFrame(m));

  return new Promise<ClientConnection>((resolve, reject) => {
    const timer = setTimeout(() => {
      settleError(
        new ProtocolError(
          "E_HANDSHAKE",
          `no welcome from ${channel.peer} within ${options.handshakeTimeoutMs ?? 10_000} ms`,
          "is this a dbgremote server? check the port",
        ),
      );
      channel.destroy();
    }, options.handshakeTimeoutMs ?? 10_000);

    const settleError = (err: DbgRemoteError) => {
      if (!welcome) {
        clearTimeout(timer);
        reject(err);
      } else {
        closeError ??= err;
      }
    };

    const connection = (): ClientConnection => ({
      welcome: welcome!,
      command(text) {
        const tooLong = commandTooLong(text);
        if (tooLong) throw tooLong;
        const id = nextId++;
        outstanding.add(id);
        send({ t: "cmd", id, text });
        return id;
      },
      interrupt() {
        send({ t: "interrupt" });
      },
      idle() {
        if (outstanding.size === 0 || finished) return Promise.resolve();
        return new Promise<void>((r) => idleWaiters.push(r));
      },
      leave() {
        if (finished) return;
        finished = true;
        ending ??= { kind: "left" };
        send({ t: "bye" });
        channel.end();
      },
      destroy() {
        channel.destroy();
      },
      closed,
      ending: () => ending ?? { kind: "lost", error: closeError },
    });

    let key: Uint8Array | undefined;
    let nonces: { server: string; client: string } | undefined;

    const secret = options.password ?? options.token;
    const onChallenge = (c: Challenge) => {
      if (secret === undefined) {
        settleError(
          new ProtocolError(
            "E_AUTH",
            `${channel.peer} needs a password`,
            "add password_env=VAR (the variable holds the password) or password=... to the " +
              "connection string; a loopback endpoint without one is private to the server's " +
              "user: run the client as that user",
          ),
        );
        channel.destroy();
        return;
      }
      if (!acceptableIterations(c.iterations)) {
        settleError(
          new ProtocolError(
            "E_AUTH",
            `the server asked for ${c.iterations} key iterations: refusing`,
          ),
        );
        channel.destroy();
        return;
      }
      key = deriveKey(secret, c.salt, c.iterations);
      nonces = { server: c.nonce, client: newNonce() };
      send({
        t: "auth",
        nonce: nonces.client,
        proof: proof(key, "client", nonces.server, nonces.client),
      });
    };

    const onMessage = (raw: Message) => {
      const parsed = parseServerMessage(raw);
      if (!parsed.ok) {
        // A newer server's event type: skipped, as renderEvent would show nothing of it.
        if (parsed.unknown && welcome) return;
        const err = new ProtocolError(
          welcome ? "E_PROTOCOL" : "E_HANDSHAKE",
          `${channel.peer}: ${parsed.error}`,
          "is this a dbgremote server of a compatible release? check the address",
        );
        settleError(err);
        if (welcome) ending ??= { kind: "dropped", reason: parsed.error, error: err };
        channel.destroy();
        return;
      }
      const m = parsed.msg;
      if (!welcome) {
        if (m.t === "error") {
          const e = m;
          // The wire code travels on to whoever decides (exit code, waiting for the server).
          const code = e.code === "E_PROTOCOL_MISMATCH" || e.code === "E_AUTH" ||
              e.code === "E_AUTH_LOCKED" || e.code === "E_SESSION_ENDED"
            ? e.code
            : "E_HANDSHAKE";
          settleError(new ProtocolError(code, `server refused: ${e.message}`, e.hint));
          return;
        }
        if (m.t === "challenge" && !nonces) {
          onChallenge(m);
          return;
        }
        if (m.t !== "welcome") {
          settleError(new ProtocolError("E_HANDSHAKE", `expected welcome, got "${m.t}"`));
          channel.destroy();
          return;
        }
        const w = m;
        if (options.password !== undefined || nonces) {
          // Mutual: a server that never asked, or cannot prove the password, may be an impostor.
          const proven = key && nonces &&
            checkProof(key, "server", nonces.server, nonces.client, w.proof);
          if (!proven) {
            settleError(
              new ProtocolError(
                "E_AUTH",
                nonces
                  ? `${channel.peer} could not prove it knows the password`
                  : `${channel.peer} did not ask for the password`,
                "this may not be your server: check the address before sending it anything",
              ),
            );
            channel.destroy();
            return;
          }
        }
        const compat = compareVersions(options.version, w, "server");
        if (compat.kind === "refuse") {
          settleError(new ProtocolError("E_PROTOCOL_MISMATCH", compat.message, compat.hint));
          channel.destroy();
          return;
        }
        if (compat.kind === "warn") w.warning = compat.message;
        welcome = w;
        clearTimeout(timer);
        resolve(connection());
        return;
      }
      if (m.t === "error") {
        const e = m;
        closeError = new DbgRemoteError(
          "E_PROTOCOL",
          `server closed the connection: ${e.message}`,
          {
            hint: e.hint,
          },
        );
        ending ??= { kind: "dropped", reason: e.message, error: closeError };
        return;
      }
      // A second challenge or welcome means nothing after the handshake.
      if (m.t === "challenge" || m.t === "welcome") return;
      if (m.t === "inspected") {
        options.onInspected?.(m);
        return;
      }
      const event: SessionEvent = m;
      if (event.t === "end") ending ??= { kind: "ended", reason: event.reason, cause: event.cause };
      // Dropped: the drop notice names this client itself (its `code` says why).
      if (event.t === "notice" && event.kind === "drop" && event.client?.id === welcome.you) {
        const error = new DbgRemoteError(
          event.code === "E_SLOW_CLIENT" ? "E_SLOW_CLIENT" : "E_PROTOCOL",
          event.text,
          {
            hint: event.code === "E_SLOW_CLIENT"
              ? "the client did not read its output in time (stopped, or on a slow link); join again"
              : undefined,
          },
        );
        closeError = error;
        ending ??= { kind: "dropped", reason: event.text, error };
      }
      options.onEvent(event);
      if (event.t === "done" && event.client === welcome.you && outstanding.delete(event.id)) {
        if (outstanding.size === 0) wakeIdle();
      }
    };

    channel.start({
      data(chunk) {
        let messages: Message[];
        try {
          messages = decoder.push(chunk);
        } catch (err) {
          settleError(err as DbgRemoteError);
          channel.destroy();
          return;
        }
        for (const m of messages) onMessage(m);
      },
      close(error) {
        if (!welcome) {
          settleError(
            new ProtocolError(
              "E_HANDSHAKE",
              `${channel.peer} closed the connection during the handshake` +
                (error ? ` (${error.message})` : ""),
              "is this a dbgremote server? check the address",
            ),
          );
        } else if (error && !closeError) {
          closeError = new DbgRemoteError("E_TRANSPORT", `connection lost: ${error.message}`);
        }
        finished = true;
        wakeIdle();
        options.onClose?.(closeError);
        resolveClosed();
      },
    });
    const hello: Hello = {
      t: "hello",
      protocol: options.version.protocol,
      release: options.version.release,
      who: options.who,
    };
    if (options.observe) hello.observe = true;
    send(hello);
  });
}
