/**
 * One network client of a session, seen from the server: frames in and out
 * over a {@link Channel}, the handshake, then commands into the session and
 * session events out.
 *
 * Anything wrong with one peer (bad frames, a broken handshake, a peer that
 * stops reading) closes that peer only; the session and the others go on.
 */
import { DbgRemoteError } from "../errors.ts";
import { encodeFrame, FrameDecoder, type Message } from "../protocol/frame.ts";
import { checkProof, newNonce, proof } from "../protocol/auth.ts";
import {
  type Auth,
  type ClientMessage,
  type ErrorMsg,
  type Hello,
  parseClientMessage,
  type Role,
  SELECTED_SINCE,
  type SessionEvent,
  type Welcome,
  type Who,
} from "../protocol/messages.ts";
import { compareVersions, speaks } from "../protocol/version_policy.ts";
import type { Channel } from "../transport/transport.ts";
import type { VersionInfo } from "../version.ts";
import { type AuthLimiter, peerAddress } from "./auth_limiter.ts";
import { type Participant, type Session, whoText } from "./session.ts";

/** An endpoint's password, as the server keeps it: only the derived key. */
export interface EndpointAuth {
  key: Uint8Array;
  salt: string;
  iterations: number;
  /** Failed attempts per address, shared by all of a server's endpoints. */
  limiter: AuthLimiter;
  /** Wait this long before answering a wrong password (slows guessing). */
  failureDelayMs?: number;
}

export interface PeerOptions {
  version: VersionInfo;
  /** Largest frame accepted. */
  maxFrame?: number;
  /** Drop the peer when this many bytes are queued for it unsent. */
  maxPending?: number;
  /** Close a peer that has not said hello within this time. */
  helloTimeoutMs?: number;
  /** Told about each peer that is refused or dropped (for the server's log). */
  log?: (line: string) => void;
  /** Set when this endpoint needs a password. */
  auth?: EndpointAuth;
  /** The endpoint says `observe`: whoever comes in is an observer, whatever the hello asks. */
  observe?: boolean;
  /** Id of the endpoint (as `.servers` lists it), shown in `.clients`. */
  endpoint?: number;
}

export const DEFAULT_MAX_PENDING = 8 * 1024 * 1024;

/** Serve one freshly accepted channel until it closes. */
export function servePeer(session: Session, channel: Channel, options: PeerOptions): void {
  const decoder = new FrameDecoder(options.maxFrame);
  const maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
  const log = options.log ?? (() => {});
  let id: number | undefined;
  let closed = false;
  /** The hello said 1.2 or newer: an older client would print an event type it does not know. */
  let knowsSelected = false;

  const send = (m: Message) => channel.write(encodeFrame(m));
  const refuse = (error: ErrorMsg) => {
    if (closed) return;
    closed = true;
    log(`refused ${channel.peer}: ${error.message}`);
    send(error);
    channel.end();
  };

  let heardFrom = false;
  const helloTimer = setTimeout(() => {
    // A peer that never sent a byte is closed quietly (a port scan, a serial line nobody uses).
    if (!heardFrom) {
      closed = true;
      channel.end();
      return;
    }
    refuse({
      t: "error",
      code: "E_HANDSHAKE",
      message: `no hello within ${options.helloTimeoutMs ?? 10_000} ms`,
      hint: "connect with dbgremote client",
    });
  }, options.helloTimeoutMs ?? 10_000);

  const participant = (who: Who, role: Role): Participant => ({
    who,
    via: channel.peer,
    role,
    endpoint: options.endpoint,
    deliver(event: SessionEvent) {
      if (closed) return;
      if (event.t === "selected" && !knowsSelected) return;
      channel.write(encodeFrame(event));
      if (channel.pending > maxPending && id !== undefined) {
        session.drop(id, `not reading (${channel.pending} bytes queued)`);
      }
    },
    close(reason: string) {
      if (closed) return;
      closed = true;
      if (reason && id !== undefined && !session.ended) {
        // A drop: tell the peer why, if it still listens, then cut it off.
        send({ t: "notice", kind: "drop", text: `disconnected by the server: ${reason}` });
      }
      if (session.ended) channel.end();
      else if (channel.pending > maxPending) channel.destroy();
      else channel.end();
    },
  });

  let hello: Hello | undefined;
  /** Set when the client's release differs (the welcome says so too). */
  let warning: string | undefined;
  let serverNonce: string | undefined;

  const onHello = (h: Hello) => {
    clearTimeout(helloTimer);
    hello = h;
    knowsSelected = speaks(h.protocol, SELECTED_SINCE);
    const compat = compareVersions(options.version, h, "client");
    if (compat.kind === "refuse") {
      refuse({
        t: "error",
        code: "E_PROTOCOL_MISMATCH",
        message: compat.message,
        hint: compat.hint,
      });
      return;
    }
    if (refuseEnded()) return;
    if (compat.kind === "warn") {
      warning = compat.message;
      log(`${whoText(h.who)}: ${warning}`);
    }
    const auth = options.auth;
    // A browser with a live login (its session cookie, checked by the transport) is not asked again.
    if (!auth || channel.preauthenticated) {
      admit();
      return;
    }
    const wait = auth.limiter.blockedFor(peerAddress(channel.peer));
    if (wait > 0) {
      refuse({
        t: "error",
        code: "E_AUTH_LOCKED",
        message: `too many wrong passwords from ${peerAddress(channel.peer)}`,
        hint: `try again in ${Math.ceil(wait / 1000)} s`,
      });
      return;
    }
    serverNonce = newNonce();
    // The hello timer goes on guarding the handshake until the answer arrives.
    authTimer = setTimeout(() => {
      refuse({
        t: "error",
        code: "E_HANDSHAKE",
        message: "no answer to the password challenge in time",
      });
    }, options.helloTimeoutMs ?? 10_000);
    send({ t: "challenge", nonce: serverNonce, salt: auth.salt, iterations: auth.iterations });
  };

  let authTimer: ReturnType<typeof setTimeout> | undefined;
  let authing = false;

  const onAuth = (answer: Auth) => {
    const auth = options.auth!;
    clearTimeout(authTimer);
    if (authing) return;
    authing = true;
    const address = peerAddress(channel.peer);
    if (checkProof(auth.key, "client", serverNonce!, answer.nonce, answer.proof)) {
      auth.limiter.succeed(address);
      admit(proof(auth.key, "server", serverNonce!, answer.nonce));
      if (id !== undefined) channel.authenticated?.();
      return;
    }
    auth.limiter.fail(address);
    log(`wrong password from ${whoText(hello!.who)} at ${channel.peer}`);
    setTimeout(() => {
      refuse({
        t: "error",
        code: "E_AUTH",
        message: "wrong password",
        hint: "check the password (password_env=VAR or password=... in the connection string)",
      });
    }, auth.failureDelayMs ?? 1000);
  };

  /** The session may end while a peer is still in its handshake (answering the challenge). */
  const refuseEnded = () => {
    if (!session.ended) return false;
    refuse({ t: "error", code: "E_SESSION_ENDED", message: "the session has ended" });
    return true;
  };

  const admit = (serverProof?: string) => {
    if (refuseEnded()) return;
    // The server decides: an observe endpoint makes observers; a client may ask to be one,
    // never to be more.
    const role: Role = options.observe || hello!.observe === true ? "observer" : "operator";
    const p = participant(hello!.who, role);
    // Send welcome before any event so the peer's first session frame is always welcome.
    const joined = session.join(p);
    id = joined.id;
    const welcome: Welcome = {
      t: "welcome",
      protocol: options.version.protocol,
      release: options.version.release,
      server: { name: session.name, engine: session.engine.description, host: session.host },
      session: session.id,
      you: id,
      clients: session.clients(),
      scrollback: joined.scrollback,
      state: session.state,
      role,
    };
    if (session.state === "stopped") welcome.info = session.stateInfo;
    const selected = session.selected;
    if (selected) welcome.selected = selected;
    if (warning) welcome.warning = warning;
    if (serverProof) welcome.proof = serverProof;
    send(welcome);
  };

  const onMessage = (raw: Message) => {
    const parsed = parseClientMessage(raw);
    if (!parsed.ok) {
      fail(new DbgRemoteError("E_PROTOCOL", `bad message from ${channel.peer}: ${parsed.error}`));
      return;
    }
    const m: ClientMessage = parsed.msg;
    if (id === undefined) {
      if (hello === undefined && m.t === "hello") onHello(m);
      else if (serverNonce !== undefined && m.t === "auth") onAuth(m);
      else {
        const expected = hello === undefined
          ? "hello"
          : serverNonce !== undefined
          ? "auth"
          : "nothing";
        fail(
          new DbgRemoteError(
            "E_HANDSHAKE",
            `expected ${expected} during the handshake, got "${m.t}"`,
          ),
        );
      }
      return;
    }
    switch (m.t) {
      case "cmd":
        session.submit(id, m.id, m.text);
        break;
      case "interrupt":
        void session.interrupt(id);
        break;
      case "bye":
        closed = true;
        session.leave(id, "left");
        channel.end();
        break;
      case "hello":
      case "auth":
        fail(new DbgRemoteError("E_PROTOCOL", `"${m.t}" after the handshake`));
        break;
    }
  };

  const fail = (err: DbgRemoteError) => {
    if (closed) return;
    log(`closing ${channel.peer}: ${err.message}`);
    send({ t: "error", code: err.code, message: err.message, hint: err.hint });
    closed = true;
    channel.end();
    if (id !== undefined) {
      const who = id;
      id = undefined;
      session.leave(who, `was disconnected: ${err.message}`);
    }
  };

  channel.start({
    data(chunk) {
      if (closed) return;
      heardFrom = true;
      let messages: Message[];
      try {
        messages = decoder.push(chunk);
      } catch (err) {
        fail(err as DbgRemoteError);
        return;
      }
      for (const m of messages) {
        if (closed) break;
        onMessage(m);
      }
    },
    close(error) {
      clearTimeout(helloTimer);
      clearTimeout(authTimer);
      const wasClosed = closed;
      closed = true;
      if (id !== undefined && !wasClosed) {
        session.leave(id, error ? `connection lost (${error.message})` : "disconnected");
      }
    },
  });
}
