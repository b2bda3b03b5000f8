/**
 * A joined network peer as the session sees it: a {@link Participant} whose `deliver` writes
 * frames through the peer's outlet (leaving out event types its protocol version does not know)
 * and whose `close` ends the connection, telling a dropped peer why.
 *
 * Separate from peer.ts, which runs the connection's phases and its handshake: this is only what
 * the session reaches of a peer once it has joined. It moves the phase through peer.ts's `move`.
 */
import { encodeFrame, type Message, type SharedFrame } from "../protocol/frame.ts";
import {
  type Hello,
  INSPECT_SINCE,
  type Notice,
  type Role,
  SELECTED_SINCE,
  type SessionEvent,
} from "../protocol/messages.ts";
import { speaks } from "../protocol/version_policy.ts";
import type { Channel } from "../transport/transport.ts";
import { DEFAULT_DROP_GRACE_MS, type PeerOptions } from "./peer_options.ts";
import type { PeerOutlet } from "./peer_outlet.ts";
import type { Phase } from "./peer_phase.ts";
import type { Participant, Session } from "./session.ts";

/** What a participant needs of the connection peer.ts serves. */
export interface ParticipantDeps {
  session: Session;
  channel: Channel;
  options: PeerOptions;
  log: (line: string) => void;
  send: (m: Message) => void;
  /** The connection's phase now. */
  phase: () => Phase;
  /** peer.ts's one place the phase changes. */
  move: (next: Phase) => void;
  /** A dropped slow peer's grace timer, cleared when its channel closes. */
  setGraceTimer: (timer: ReturnType<typeof setTimeout>) => void;
}

export function peerParticipant(
  hello: Hello,
  role: Role,
  out: PeerOutlet,
  deps: ParticipantDeps,
): Participant {
  const { session, channel, options, log, send, move } = deps;
  /** The hello said 1.2 or newer: an older client would print an event type it does not know. */
  const knowsSelected = speaks(hello.protocol, SELECTED_SINCE);
  /** (1.4) The hello said 1.4 or newer: it knows `breakpoints` events. */
  const knowsInspect = speaks(hello.protocol, INSPECT_SINCE);
  return {
    who: hello.who,
    via: channel.peer,
    role,
    endpoint: options.endpoint,
    deliver(event: SessionEvent, shared?: SharedFrame) {
      if (deps.phase().name === "closed") return;
      if (event.t === "selected" && !knowsSelected) return;
      if (event.t === "breakpoints" && !knowsInspect) return;
      let frame: Uint8Array;
      try {
        // Encode once: a broadcast event comes encoded, the same bytes for every peer.
        frame = shared ? shared.bytes : encodeFrame(event);
      } catch (err) {
        // The session fits every event in a frame (protocol/fit.ts); should one still not fit,
        // this peer misses it and is told, rather than the server failing.
        log(`not sent to ${channel.peer}: ${(err as Error).message}`);
        return;
      }
      out.write(frame);
    },
    close(reason: string) {
      const was = deps.phase();
      if (was.name === "closed") return;
      move({ name: "closed" });
      if (reason && was.name === "joined" && !session.ended) {
        // A drop: the peer is told why after what is already queued for it (a stalled client
        // that reads again learns it was dropped, and does not come back); `client` and `code`
        // let it know the notice is about itself without reading the text.
        const notice: Notice = {
          t: "notice",
          kind: "drop",
          text: `disconnected by the server: ${reason}`,
        };
        if (was.self) notice.client = was.self;
        if (out.slow) notice.code = "E_SLOW_CLIENT";
        send(notice);
      }
      channel.end();
      if (!session.ended && out.slow) {
        deps.setGraceTimer(setTimeout(
          () => channel.destroy(),
          options.dropGraceMs ?? DEFAULT_DROP_GRACE_MS,
        ));
      }
    },
  };
}
