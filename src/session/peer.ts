/**
 * One network client of a session, seen from the server: frames in and out
 * over a {@link Channel}, the handshake, then commands into the session and
 * session events out (through the participant peer_participant.ts makes as it joins).
 *
 * Anything wrong with one peer (bad frames, a broken handshake, a peer that
 * stops reading) closes that peer only; the session and the others go on.
 *
 * The connection is in one {@link Phase} at a time (peer_phase.ts: awaitHello, awaitAuth,
 * authFailed, joined, closed). Each message is handled as its phase says, and the phase changes
 * only in `move`, which also arms and clears the phase's deadline.
 */
import { DbgRemoteError } from "../errors.ts";
import { DEFAULT_MAX_FRAME, encodeFrame, FrameDecoder, type Message } from "../protocol/frame.ts";
import { checkProof, newNonce, proof } from "../protocol/auth.ts";
import {
  type Auth,
  type ClientMessage,
  type ErrorMsg,
  type Hello,
  INSPECT_SINCE,
  parseClientMessage,
  type Role,
} from "../protocol/messages.ts";
import { compareVersions, speaks } from "../protocol/version_policy.ts";
import type { Channel } from "../transport/transport.ts";
import { peerAddress } from "./auth_limiter.ts";
import {
  DEFAULT_DROP_GRACE_MS,
  type EndpointAuth,
  type PeerOptions,
  PRELOGIN_MAX_BYTES,
} from "./peer_options.ts";
import { type PeerOutlet, peerOutlet } from "./peer_outlet.ts";
import { canMove, EXPECTED, inHandshake, type Phase } from "./peer_phase.ts";
import { type Session, whoText } from "./session.ts";
import { peerParticipant } from "./peer_participant.ts";
import { answerInspect } from "./inspect_peer.ts";
import { welcomeFrame } from "./welcome.ts";

export { DEFAULT_MAX_PENDING } from "./backlog.ts";
export { DEFAULT_DROP_GRACE_MS, type EndpointAuth, type PeerOptions, PRELOGIN_MAX_BYTES };

/** Turn a peer away before its handshake starts: say why, then close. */
export function turnAway(channel: Channel, error: ErrorMsg): void {
  channel.start({ data() {}, close() {} });
  channel.write(encodeFrame(error));
  channel.end();
}

/** The messages of a joined peer: everything but the handshake's. */
type SessionMessage = Exclude<ClientMessage, Hello | Auth>;

/** Serve one freshly accepted channel until it closes; resolves then. */
export function servePeer(session: Session, channel: Channel, options: PeerOptions): Promise<void> {
  let resolveGone!: () => void;
  const gone = new Promise<void>((resolve) => (resolveGone = resolve));
  const maxFrame = options.maxFrame ?? DEFAULT_MAX_FRAME;
  // Before login a frame header promising more than a hello needs is refused at once, before any
  // of its body is buffered; the session's frame limit applies once the peer has joined.
  const decoder = new FrameDecoder(Math.min(maxFrame, PRELOGIN_MAX_BYTES));
  const timeoutMs = options.helloTimeoutMs ?? 10_000;
  const log = options.log ?? (() => {});
  const send = (m: Message) => channel.write(encodeFrame(m));

  let phase: Phase = { name: "awaitHello", heard: false };
  /** Asked again after a handler ran (which may have moved the phase). */
  const closed = () => phase.name === "closed";
  /** The current phase's deadline (see deadlineOf). */
  let deadline: ReturnType<typeof setTimeout> | undefined;
  /** A peer dropped for not reading is cut off after a grace period: memory stays bounded. */
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  let preloginBytes = 0;
  /** Made as the peer joins. */
  let outlet: PeerOutlet | undefined;

  /** What happens when a phase lasts too long; none for joined and closed. */
  const deadlineOf = (p: Phase): { ms: number; then: () => void } | undefined => {
    switch (p.name) {
      case "awaitHello":
        return {
          ms: timeoutMs,
          then() {
            // A peer that never sent a byte is closed quietly (a port scan, a serial line nobody uses).
            if (!p.heard) {
              move({ name: "closed" });
              channel.end();
              return;
            }
            refuse({
              t: "error",
              code: "E_HANDSHAKE",
              message: `no hello within ${timeoutMs} ms`,
              hint: "connect with dbgremote client",
            });
          },
        };
      case "awaitAuth":
        return {
          ms: timeoutMs,
          then: () =>
            refuse({
              t: "error",
              code: "E_HANDSHAKE",
              message: "no answer to the password challenge in time",
            }),
        };
      case "authFailed":
        return {
          ms: options.auth?.failureDelayMs ?? 1000,
          then: () =>
            refuse({
              t: "error",
              code: "E_AUTH",
              message: "wrong password",
              hint:
                "check the password (password_env=VAR or password=... in the connection string)",
            }),
        };
      default:
        return undefined;
    }
  };
  const arm = () => {
    const d = deadlineOf(phase);
    if (d) deadline = setTimeout(d.then, d.ms);
  };

  /** The one place the phase changes: the move is checked, then what leaving and entering do. */
  const move = (next: Phase) => {
    if (!canMove(phase.name, next.name)) {
      throw new Error(`peer ${channel.peer}: no move from ${phase.name} to ${next.name}`);
    }
    clearTimeout(deadline);
    deadline = undefined;
    phase = next;
    arm();
    if (next.name === "joined") decoder.maxFrame = maxFrame;
    if (next.name === "closed") outlet?.stop();
    // The handshake is over either way: the prelogin gate lets the next one in.
    if (next.name === "joined" || next.name === "closed") options.onSettled?.();
  };

  /** Refuse a peer in its handshake: say why, then close. */
  const refuse = (error: ErrorMsg) => {
    if (phase.name === "closed") return;
    move({ name: "closed" });
    log(`refused ${channel.peer}: ${error.message}`);
    send(error);
    channel.end();
  };

  /** Close a peer that broke the protocol, in any phase; a joined one leaves the session. */
  const fail = (err: DbgRemoteError) => {
    if (phase.name === "closed") return;
    const was = phase;
    log(`closing ${channel.peer}: ${err.message}`);
    send({ t: "error", code: err.code, message: err.message, hint: err.hint });
    move({ name: "closed" });
    channel.end();
    if (was.name === "joined") session.leave(was.id, `was disconnected: ${err.message}`);
  };

  /** The session may end while a peer is still in its handshake (answering the challenge). */
  const refuseEnded = () => {
    if (!session.ended) return false;
    refuse({ t: "error", code: "E_SESSION_ENDED", message: "the session has ended" });
    return true;
  };

  /**
   * Who failed, for the lockout (asked while the peer is still connected). Asked once: a
   * connection's identity does not change, and on loopback each answer reads the kernel's socket
   * table (O(all sockets), transport/peer_uid.ts).
   */
  let known: string | undefined;
  const identity = () =>
    known ??= options.auth?.identify?.(channel.peer) ?? peerAddress(channel.peer);

  /** Into the session: the welcome is the peer's first session frame. */
  const admit = (hello: Hello, warning: string | undefined, serverProof?: string) => {
    if (refuseEnded()) return;
    // The server decides: an observe endpoint makes observers; a client may ask to be one,
    // never to be more.
    const role: Role = options.observe || hello.observe === true ? "observer" : "operator";
    const out = peerOutlet(channel, {
      maxPending: options.maxPending,
      maxBacklog: options.maxBacklog,
      stallMs: options.stallMs,
      log,
      active: () => phase.name === "joined",
      drop: (why) => {
        if (phase.name === "joined") session.drop(phase.id, why);
      },
    });
    outlet = out;
    const joined = session.join(peerParticipant(hello, role, out, {
      session,
      channel,
      options,
      log,
      send,
      phase: () => phase,
      move,
      setGraceTimer: (timer) => (graceTimer = timer),
    }));
    if (phase.name === "closed") return;
    const clients = session.clients();
    move({ name: "joined", id: joined.id, self: clients.find((c) => c.id === joined.id) });
    channel.write(welcomeFrame(session, options.version, {
      you: joined.id,
      clients,
      clientsJson: session.clientsJson(),
      scrollback: joined.scrollback,
      role,
      warning,
      proof: serverProof,
      knowsInspect: speaks(hello.protocol, INSPECT_SINCE),
    }));
  };

  const onHello = (hello: Hello) => {
    const compat = compareVersions(options.version, hello, "client");
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
    let warning: string | undefined;
    if (compat.kind === "warn") {
      warning = compat.message;
      log(`${whoText(hello.who)}: ${warning}`);
    }
    const auth = options.auth;
    // A browser with a live login (its session cookie, checked by the transport) is not asked again.
    if (!auth || channel.preauthenticated) {
      admit(hello, warning);
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
    const nonce = newNonce();
    move({ name: "awaitAuth", hello, warning, nonce });
    send({ t: "challenge", nonce, salt: auth.salt, iterations: auth.iterations });
  };

  const onAuth = (challenged: Extract<Phase, { name: "awaitAuth" }>, answer: Auth) => {
    const auth = options.auth!;
    const address = identity();
    const { nonce, hello } = challenged;
    if (checkProof(auth.key, "client", nonce, answer.nonce, answer.proof)) {
      auth.limiter?.succeed(address);
      admit(hello, challenged.warning, proof(auth.key, "server", nonce, answer.nonce));
      if (phase.name === "joined") channel.authenticated?.();
      return;
    }
    auth.limiter?.fail(address);
    log(`wrong password from ${whoText(hello.who)} at ${channel.peer}`);
    move({ name: "authFailed" });
  };

  /**
   * A joined peer's messages, one case per type: a message type added to the protocol fails to
   * compile here until it is handled.
   */
  const onSessionMessage = (id: number, m: SessionMessage) => {
    switch (m.t) {
      case "cmd":
        session.submit(id, m.id, m.text);
        return;
      case "interrupt":
        void session.interrupt(id);
        return;
      case "act":
        session.act(id, m.id, m.action);
        return;
      case "inspect":
        answerInspect(session, id, m, (reply) => phase.name !== "closed" && send(reply));
        return;
      case "bye":
        move({ name: "closed" });
        session.leave(id, "left");
        channel.end();
        return;
      default: {
        const unhandled: never = m;
        return unhandled;
      }
    }
  };

  /** One checked message, handled as the current phase says. */
  const dispatch = (m: ClientMessage) => {
    switch (phase.name) {
      case "closed":
        return;
      case "joined":
        if (m.t === "hello" || m.t === "auth") {
          fail(new DbgRemoteError("E_PROTOCOL", `"${m.t}" after the handshake`));
          return;
        }
        return onSessionMessage(phase.id, m);
      case "awaitHello":
        if (m.t === "hello") return onHello(m);
        break;
      case "awaitAuth":
        if (m.t === "auth") return onAuth(phase, m);
        break;
      case "authFailed":
        // Its answer is being refused (after the delay): another changes nothing.
        if (m.t === "auth") return;
        break;
    }
    fail(
      new DbgRemoteError(
        "E_HANDSHAKE",
        `expected ${EXPECTED[phase.name]} during the handshake, got "${m.t}"`,
      ),
    );
  };

  arm();
  channel.start({
    data(chunk) {
      if (phase.name === "closed") return;
      if (phase.name === "awaitHello") phase.heard = true;
      if (inHandshake(phase)) {
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
      for (const raw of messages) {
        if (closed()) break; // a message before this one ended the connection
        const parsed = parseClientMessage(raw);
        if (!parsed.ok) {
          fail(
            new DbgRemoteError("E_PROTOCOL", `bad message from ${channel.peer}: ${parsed.error}`),
          );
          break;
        }
        dispatch(parsed.msg);
      }
    },
    close(error) {
      clearTimeout(graceTimer);
      resolveGone();
      if (phase.name === "closed") return;
      const was = phase;
      move({ name: "closed" });
      if (was.name === "joined") {
        session.leave(was.id, error ? `connection lost (${error.message})` : "disconnected");
      }
    },
  });
  return gone;
}
