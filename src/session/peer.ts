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
import {
  checkClientMessage,
  type ErrorMsg,
  type Hello,
  type SessionEvent,
  type Welcome,
  type Who,
} from "../protocol/messages.ts";
import { compareVersions } from "../protocol/version_policy.ts";
import type { Channel } from "../transport/transport.ts";
import type { VersionInfo } from "../version.ts";
import { type Participant, type Session, whoText } from "./session.ts";

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
}

export const DEFAULT_MAX_PENDING = 8 * 1024 * 1024;

/** Serve one freshly accepted channel until it closes. */
export function servePeer(session: Session, channel: Channel, options: PeerOptions): void {
  const decoder = new FrameDecoder(options.maxFrame);
  const maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
  const log = options.log ?? (() => {});
  let id: number | undefined;
  let closed = false;

  const send = (m: Message) => channel.write(encodeFrame(m));
  const refuse = (error: ErrorMsg) => {
    if (closed) return;
    closed = true;
    log(`refused ${channel.peer}: ${error.message}`);
    send(error);
    channel.end();
  };

  const helloTimer = setTimeout(() => {
    refuse({
      t: "error",
      code: "E_HANDSHAKE",
      message: `no hello within ${options.helloTimeoutMs ?? 10_000} ms`,
      hint: "connect with dbgremote client",
    });
  }, options.helloTimeoutMs ?? 10_000);

  const participant = (who: Who): Participant => ({
    who,
    via: channel.peer,
    deliver(event: SessionEvent) {
      if (closed) return;
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

  const onHello = (hello: Hello) => {
    clearTimeout(helloTimer);
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
    if (session.ended) {
      refuse({ t: "error", code: "E_SESSION_ENDED", message: "the session has ended" });
      return;
    }
    if (compat.kind === "warn") log(`${whoText(hello.who)}: ${compat.message}`);
    const p = participant(hello.who);
    // Send welcome before joining so the peer's first frame is always welcome.
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
    };
    if (compat.kind === "warn") welcome.warning = compat.message;
    send(welcome);
  };

  const onMessage = (m: Message) => {
    const problem = checkClientMessage(m);
    if (problem) {
      fail(new DbgRemoteError("E_PROTOCOL", `bad message from ${channel.peer}: ${problem}`));
      return;
    }
    if (id === undefined) {
      if (m.t !== "hello") {
        fail(new DbgRemoteError("E_HANDSHAKE", `expected hello first, got "${m.t}"`));
        return;
      }
      onHello(m as Hello);
      return;
    }
    switch (m.t) {
      case "cmd":
        session.submit(id, m.id as number, m.text as string);
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
        fail(new DbgRemoteError("E_PROTOCOL", "hello sent twice"));
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
      const wasClosed = closed;
      closed = true;
      if (id !== undefined && !wasClosed) {
        session.leave(id, error ? `connection lost (${error.message})` : "disconnected");
      }
    },
  });
}
