/**
 * One network client of a session, seen from the server: frames in and out
 * over a {@link Channel}, the handshake, then commands into the session and
 * session events out.
 *
 * Anything wrong with one peer (bad frames, a broken handshake, a peer that
 * stops reading) closes that peer only; the session and the others go on.
 */
import { DbgRemoteError } from "../errors.ts";
import {
  DEFAULT_MAX_FRAME,
  encodeFrame,
  FrameDecoder,
  type Message,
  type SharedFrame,
} from "../protocol/frame.ts";
import { fitWelcome } from "../protocol/fit.ts";
import {
  backlogWatch,
  DEFAULT_MAX_BACKLOG,
  DEFAULT_MAX_PENDING,
  DEFAULT_SAMPLE_MS,
  DEFAULT_STALL_MS,
  type Verdict,
} from "./backlog.ts";
import { checkProof, newNonce, proof } from "../protocol/auth.ts";
import {
  type Auth,
  type ClientInfo,
  type ClientMessage,
  type ErrorMsg,
  type Hello,
  type Notice,
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
  /**
   * Failed attempts per peer, shared by all of a server's network endpoints; none for a private
   * pipe (only its user reaches it: a lockout there would only lock that user out).
   */
  limiter?: AuthLimiter;
  /**
   * Who a peer is for the lockout: its address, or more where an address is shared (the local
   * user behind a loopback connection). Default: the address.
   */
  identify?: (peer: string) => string;
  /** Wait this long before answering a wrong password (slows guessing). */
  failureDelayMs?: number;
}

export interface PeerOptions {
  version: VersionInfo;
  /** Largest frame accepted. */
  maxFrame?: number;
  /** Drop the peer when this many bytes are queued for it unsent and it takes none (see backlog.ts). */
  maxPending?: number;
  /** Drop the peer when this many bytes are queued for it unsent, even though it reads. */
  maxBacklog?: number;
  /** How long a peer over maxPending must take nothing to count as not reading. */
  stallMs?: number;
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
  /** How long a dropped peer has to read what was queued for it, and why it was dropped. */
  dropGraceMs?: number;
  /** Called once the peer has logged in, or has closed before (its handshake is over). */
  onSettled?: () => void;
}

/**
 * Bytes a peer may send before it has logged in: a hello and an auth take a few hundred, so a
 * stranger cannot make the server buffer a big frame (the frame limit is for the session).
 */
export const PRELOGIN_MAX_BYTES = 16 * 1024;

/** Turn a peer away before its handshake starts: say why, then close. */
export function turnAway(channel: Channel, error: ErrorMsg): void {
  channel.start({ data() {}, close() {} });
  channel.write(encodeFrame(error));
  channel.end();
}

export { DEFAULT_MAX_PENDING };
export const DEFAULT_DROP_GRACE_MS = 30_000;

/** Serve one freshly accepted channel until it closes; resolves then. */
export function servePeer(session: Session, channel: Channel, options: PeerOptions): Promise<void> {
  let resolveGone!: () => void;
  const gone = new Promise<void>((resolve) => (resolveGone = resolve));
  // Before login a frame header promising more than a hello needs is refused at once, before any
  // of its body is buffered; the session's frame limit applies once the peer has joined.
  const decoder = new FrameDecoder(
    Math.min(options.maxFrame ?? DEFAULT_MAX_FRAME, PRELOGIN_MAX_BYTES),
  );
  const maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
  const dropGrace = options.dropGraceMs ?? DEFAULT_DROP_GRACE_MS;
  const backlog = backlogWatch({
    maxPending,
    maxBacklog: Math.max(options.maxBacklog ?? DEFAULT_MAX_BACKLOG, maxPending),
    stallMs: options.stallMs ?? DEFAULT_STALL_MS,
    sampleMs: DEFAULT_SAMPLE_MS,
  });
  let turnMarked = false;
  /** Runs while more than maxPending waits for the peer: does it take anything? */
  let sampler: ReturnType<typeof setInterval> | undefined;
  /** Dropped for not keeping up: what is queued is its backlog, the drop notice after it. */
  let slow = false;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  const log = options.log ?? (() => {});
  let id: number | undefined;
  /** This peer as the participants' list shows it (for the notice telling it that it was dropped). */
  let self: ClientInfo | undefined;
  let preloginBytes = 0;
  let closed = false;
  /** The hello said 1.2 or newer: an older client would print an event type it does not know. */
  let knowsSelected = false;

  const send = (m: Message) => channel.write(encodeFrame(m));
  const refuse = (error: ErrorMsg) => {
    if (closed) return;
    closed = true;
    options.onSettled?.();
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
    deliver(event: SessionEvent, shared?: SharedFrame) {
      if (closed) return;
      if (event.t === "selected" && !knowsSelected) return;
      let frame: Uint8Array;
      try {
        // Encode once (scale): a broadcast event comes encoded, the same bytes for every peer.
        frame = shared ? shared.bytes : encodeFrame(event);
      } catch (err) {
        // The session fits every event in a frame (protocol/fit.ts); should one still not fit,
        // this peer misses it and is told, rather than the server failing.
        log(`not sent to ${channel.peer}: ${(err as Error).message}`);
        return;
      }
      channel.write(frame);
      if (!turnMarked) {
        turnMarked = true;
        queueMicrotask(() => {
          turnMarked = false;
          backlog.newTurn();
        });
      }
      act(backlog.wrote(frame.length, channel.pending));
    },
    close(reason: string) {
      if (closed) return;
      closed = true;
      clearInterval(sampler);
      if (reason && id !== undefined && !session.ended) {
        // A drop: the peer is told why after what is already queued for it (a stalled client
        // that reads again learns it was dropped, and does not come back); `client` and `code`
        // let it know the notice is about itself without reading the text.
        const notice: Notice = {
          t: "notice",
          kind: "drop",
          text: `disconnected by the server: ${reason}`,
        };
        if (self) notice.client = self;
        if (slow) notice.code = "E_SLOW_CLIENT";
        send(notice);
      }
      channel.end();
      // A peer that never reads again is cut off after a grace period: memory stays bounded.
      if (!session.ended && slow) {
        const grace = setTimeout(() => channel.destroy(), dropGrace);
        graceTimer = grace;
      }
    },
  });

  /** Drop the peer, or sample whether it takes anything while too much waits for it. */
  const act = (verdict: Verdict) => {
    if (verdict.kind !== "watch") {
      clearInterval(sampler);
      sampler = undefined;
    }
    if (closed || id === undefined) return;
    if (verdict.kind === "drop") {
      slow = true;
      log(`dropping ${channel.peer}: ${verdict.why}`);
      session.drop(id, verdict.why);
    } else if (verdict.kind === "watch" && sampler === undefined) {
      // Sampled on a timer too: no more output may come to judge it by.
      sampler = setInterval(() => act(backlog.sample(channel.pending)), DEFAULT_SAMPLE_MS);
    }
  };

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
    const wait = auth.limiter?.blockedFor(identity()) ?? 0;
    if (wait > 0) {
      refuse({
        t: "error",
        code: "E_AUTH_LOCKED",
        message: `too many wrong passwords from ${identity()}`,
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
  /** Who failed, for the lockout (asked while the peer is still connected). */
  const identity = () => options.auth?.identify?.(channel.peer) ?? peerAddress(channel.peer);

  const onAuth = (answer: Auth) => {
    const auth = options.auth!;
    clearTimeout(authTimer);
    if (authing) return;
    authing = true;
    const address = identity();
    if (checkProof(auth.key, "client", serverNonce!, answer.nonce, answer.proof)) {
      auth.limiter?.succeed(address);
      admit(proof(auth.key, "server", serverNonce!, answer.nonce));
      if (id !== undefined) channel.authenticated?.();
      return;
    }
    auth.limiter?.fail(address);
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
    decoder.maxFrame = options.maxFrame ?? DEFAULT_MAX_FRAME;
    options.onSettled?.();
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
    self = welcome.clients.find((c) => c.id === id);
    send(fitWelcome(welcome));
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
    options.onSettled?.();
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
      if (id === undefined) {
        preloginBytes += chunk.length;
        if (preloginBytes > PRELOGIN_MAX_BYTES) {
          fail(
            new DbgRemoteError(
              "E_FRAME_TOO_LARGE",
              `more than ${PRELOGIN_MAX_BYTES} bytes before logging in`,
              { hint: "a hello and its answer to the password challenge take a few hundred bytes" },
            ),
          );
          return;
        }
      }
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
      clearTimeout(graceTimer);
      clearInterval(sampler);
      resolveGone();
      options.onSettled?.();
      const wasClosed = closed;
      closed = true;
      if (id !== undefined && !wasClosed) {
        session.leave(id, error ? `connection lost (${error.message})` : "disconnected");
      }
    },
  });
  return gone;
}
