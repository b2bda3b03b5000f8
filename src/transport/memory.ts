/** An in-memory channel pair, for session tests without sockets. */
import type { Channel, ChannelHandlers } from "./transport.ts";

export interface MemoryChannel extends Channel {
  /** Stop delivering to this end's handler, as a peer that never reads. Bytes pile up in `pending` on the other end. */
  stall(): void;
  /** Read again after a stall: what piled up arrives, then the close if the other end ended. */
  resume(): void;
}

export function memoryPair(peerA = "mem:a", peerB = "mem:b"): [MemoryChannel, MemoryChannel] {
  interface End {
    handlers?: ChannelHandlers;
    inbox: Uint8Array[];
    inboxBytes: number;
    stalled: boolean;
    closed: boolean;
    /** end() was called: close once the other end has read everything. */
    ending: boolean;
  }
  const ends: [End, End] = [
    { inbox: [], inboxBytes: 0, stalled: false, closed: false, ending: false },
    { inbox: [], inboxBytes: 0, stalled: false, closed: false, ending: false },
  ];
  const deliver = (to: End) => {
    if (!to.handlers || to.stalled) return;
    while (to.inbox.length) {
      const chunk = to.inbox.shift()!;
      to.inboxBytes -= chunk.length;
      to.handlers.data(chunk);
    }
    // As a socket's end(): the close comes after the data, once it has been read.
    if (ends.some((e) => e !== to && e.ending)) closeBoth();
  };
  const closeBoth = (error?: Error) => {
    for (const e of ends) {
      if (e.closed) continue;
      e.closed = true;
      const h = e.handlers;
      queueMicrotask(() => h?.close(error));
    }
  };
  const make = (self: End, other: End, peer: string): MemoryChannel => ({
    peer,
    start(h) {
      self.handlers = h;
      queueMicrotask(() => deliver(self));
    },
    write(chunk) {
      if (self.closed) return;
      other.inbox.push(chunk.slice());
      other.inboxBytes += chunk.length;
      queueMicrotask(() => deliver(other));
    },
    get pending() {
      return other.inboxBytes;
    },
    end() {
      self.ending = true;
      queueMicrotask(() => {
        deliver(other);
        if (!other.handlers) closeBoth();
      });
    },
    destroy() {
      closeBoth();
    },
    stall() {
      self.stalled = true;
    },
    resume() {
      self.stalled = false;
      queueMicrotask(() => deliver(self));
    },
  });
  return [make(ends[0], ends[1], peerB), make(ends[1], ends[0], peerA)];
}
