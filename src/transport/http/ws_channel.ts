/**
 * A {@link Channel} over a server-side WebSocket: the session's byte stream
 * (protocol frames) travels in binary WebSocket messages, so the page speaks
 * exactly the native protocol. Text messages are the site's own word to the
 * page (a login ticket, why it is being closed: src/web/site.ts), outside the
 * stream; this channel carries them without reading them.
 *
 * Runtime-free: the runtime's socket comes in as a {@link WsEnd}.
 */
import type { Channel, ChannelHandlers } from "../transport.ts";
import { writeBatch } from "../write_batch.ts";
import type { PageLink } from "./site.ts";

/** What the channel needs of a server-side WebSocket. */
export interface WsEnd {
  send(data: Uint8Array | string): void;
  close(code?: number, reason?: string): void;
  /** Close at once, dropping what is queued. */
  terminate(): void;
  /** Bytes queued but not yet handed to the OS. */
  bufferedAmount(): number;
}

export interface WsChannel extends Channel, PageLink {
  /** A WebSocket message arrived. */
  received(data: unknown): void;
  /** The WebSocket closed. */
  closed(code: number, reason: string): void;
}

/** WebSocket close codes that mean a clean end. */
const CLEAN = new Set([1000, 1001, 1005]);
/** Our close code for "your login has ended" (private range 4000-4999). */
export const CLOSE_LOGIN_ENDED = 4001;

export function wsChannel(
  end: WsEnd,
  peer: string,
  extras: { preauthenticated?: boolean; authenticated?: () => void } = {},
): WsChannel {
  let handlers: ChannelHandlers | undefined;
  let early: Uint8Array[] = [];
  let closed = false;
  let failure: Error | undefined;
  let finishing = false;
  // Writes made in one turn of the event loop leave as one message.
  const batch = writeBatch((message) => {
    if (closed) return;
    try {
      end.send(message);
    } catch (err) {
      // The runtime refused (over its backpressure limit): a stream that lost bytes must end.
      failure ??= err as Error;
      end.terminate();
    }
  });

  const finish = () => {
    closed = true;
    early = [];
    batch.clear();
    handlers?.close(failure);
  };

  const channel: WsChannel = {
    peer,
    preauthenticated: extras.preauthenticated,
    authenticated: extras.authenticated,
    start(h) {
      if (handlers) throw new Error("channel already started");
      handlers = h;
      const waiting = early;
      early = [];
      for (const chunk of waiting) h.data(chunk);
      if (closed) h.close(failure);
    },
    write(chunk) {
      if (closed || finishing) return;
      batch.push(chunk);
    },
    get pending() {
      return batch.bytes + (closed ? 0 : end.bufferedAmount());
    },
    end() {
      if (closed || finishing) return;
      batch.flush();
      finishing = true;
      end.close(1000, "");
    },
    destroy() {
      batch.clear();
      if (closed) return;
      finishing = true;
      end.terminate();
    },
    received(data) {
      if (closed) return;
      let bytes: Uint8Array;
      if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
      else if (data instanceof Uint8Array) bytes = data;
      else {
        // Text is the transport's own channel, and only the server speaks on it.
        failure ??= new Error("a text message from the peer (the protocol is binary)");
        end.close(1003, "binary messages only");
        return;
      }
      if (handlers) handlers.data(bytes);
      else early.push(bytes.slice());
    },
    closed(code, reason) {
      if (closed) return;
      if (!failure && !CLEAN.has(code) && !finishing) {
        failure = new Error(`WebSocket closed (${code}${reason ? `: ${reason}` : ""})`);
      }
      finish();
    },
    say(text) {
      if (closed || finishing) return;
      batch.flush();
      end.send(text);
    },
    kick(reason, farewell) {
      if (closed || finishing) return;
      channel.say(farewell);
      failure ??= new Error(reason);
      finishing = true;
      // A close reason is at most 123 bytes.
      end.close(CLOSE_LOGIN_ENDED, reason.slice(0, 120));
      // The login is over now, not once the page agrees: a page that ignores the close frame
      // and goes on sending gets nothing more into the session.
      finish();
    },
  };
  return channel;
}
