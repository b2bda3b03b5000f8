/**
 * Writes made in one turn of the event loop, handed on as one: a command's
 * output and its `done` usually leave in one syscall (or one WebSocket
 * message). Shared by every channel implementation.
 */
export interface WriteBatch {
  /** Queue bytes; the batch goes out in a microtask after the first push of a turn. */
  push(chunk: Uint8Array): void;
  /** Hand on what is queued now (before an end). */
  flush(): void;
  /** Drop what is queued (on destroy). */
  clear(): void;
  /** Bytes queued and not yet handed on. */
  readonly bytes: number;
}

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

/** A batch that hands each turn's bytes, joined, to `send`. */
export function writeBatch(send: (bytes: Uint8Array) => void): WriteBatch {
  let parts: Uint8Array[] = [];
  let bytes = 0;
  const flush = () => {
    if (parts.length === 0) return;
    const taken = parts;
    parts = [];
    bytes = 0;
    send(concatBytes(taken));
  };
  return {
    push(chunk) {
      if (parts.length === 0) queueMicrotask(flush);
      parts.push(chunk);
      bytes += chunk.length;
    },
    flush,
    clear() {
      parts = [];
      bytes = 0;
    },
    get bytes() {
      return bytes;
    },
  };
}
