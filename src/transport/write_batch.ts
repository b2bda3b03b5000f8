/**
 * Writes made in one turn of the event loop, handed on as one: a command's
 * output and its `done` usually leave in one syscall (or one WebSocket
 * message). Shared by every channel implementation.
 *
 * The batch goes out once the turn's own work is done (`setImmediate`, after
 * its promise jobs): a command handed to the debugger in that turn reaches it
 * before anyone's socket is written, so the debugger works while the echo
 * goes to the participants rather than after.
 *
 * A sink that says it is full (`send` returns false, as a socket's write
 * does) gets nothing more until it has drained, and then at most
 * {@link MAX_HANDOFF} at a time: what waits stays here, counted in `bytes`.
 * Runtimes count what a socket holds in lumps (Bun reports a queued buffer
 * as pending until all of it has left), so holding the rest back is what
 * makes a peer's progress visible while it reads (see session/backlog.ts).
 */
import { setImmediate } from "node:timers";

export interface WriteBatch {
  /** Queue bytes; the batch goes out at the end of the turn of the first push. */
  push(chunk: Uint8Array): void;
  /** Hand on everything queued now, full or not (before an end). */
  flush(): void;
  /** Drop what is queued (on destroy). */
  clear(): void;
  /** The sink took what it was given (a socket's `drain`): hand on more. */
  drained(): void;
  /** Bytes queued and not yet handed on. */
  readonly bytes: number;
}

/** Most bytes handed to a sink at once while it keeps up. */
export const MAX_HANDOFF = 1024 * 1024;

/** Join byte arrays into one (the one itself when there is only one). */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    joined.set(p, offset);
    offset += p.length;
  }
  return joined;
}

/**
 * A batch that hands each turn's bytes, joined, to `send`. `send` returning false means the
 * sink is full: nothing more until {@link WriteBatch.drained}.
 */
export function writeBatch(send: (bytes: Uint8Array) => boolean | void): WriteBatch {
  let parts: Uint8Array[] = [];
  let bytes = 0;
  let full = false;
  let scheduled = false;
  /** The oldest parts, up to MAX_HANDOFF bytes (at least one part). */
  const take = (): Uint8Array[] => {
    let n = 0;
    let count = 0;
    while (count < parts.length && (count === 0 || n + parts[count].length <= MAX_HANDOFF)) {
      n += parts[count].length;
      count++;
    }
    const taken = parts.slice(0, count);
    parts = parts.slice(count);
    bytes -= n;
    return taken;
  };
  const pump = () => {
    scheduled = false;
    while (parts.length && !full) full = send(concatBytes(take())) === false;
  };
  return {
    push(chunk) {
      parts.push(chunk);
      bytes += chunk.length;
      if (!scheduled && !full) {
        scheduled = true;
        setImmediate(pump);
      }
    },
    flush() {
      if (parts.length === 0) return;
      const taken = parts;
      parts = [];
      bytes = 0;
      send(concatBytes(taken));
    },
    clear() {
      parts = [];
      bytes = 0;
    },
    drained() {
      full = false;
      if (!scheduled) pump();
    },
    get bytes() {
      return bytes;
    },
  };
}
