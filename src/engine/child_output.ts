/**
 * Where a child process's stdout goes, and how this side reads it as text.
 *
 * Bun hands a child's stdout over a socketpair, and gdb writes MI in pieces of 20 to 30 bytes
 * (one write per fragment of a record, each flushed): each piece is a socket buffer to allocate
 * and free and a wake-up. Over a pipe the same answers cost far less (under bun, gdb/MI driven
 * directly: `x/320xg $sp` 29 → 19 ms, as fast as Deno's pipes). So under bun the
 * child writes into a pipe made here (`pipe2` through libc), read through the runtime's file
 * reader; elsewhere (Deno's child pipes are pipes already) its own stdout stream is read.
 * platform.ts chooses; this holds both ways.
 */
import type { ChildProcess } from "node:child_process";

export interface ChildOutput {
  /** What goes in spawn's `stdio[1]`. */
  readonly stdio: "pipe" | number;
  /**
   * After spawn (or its failure): read the child's stdout to its end, UTF-8, each piece to
   * `onText`. Resolves at the end (every writer gone); everything is closed then.
   */
  read(child: ChildProcess, onText: (text: string) => void): Promise<void>;
}

/** The child's own stdout stream (spawn's "pipe"). */
export function streamOutput(): ChildOutput {
  return {
    stdio: "pipe",
    read(child, onText) {
      return new Promise((resolve) => {
        const out = child.stdout;
        if (!out) return resolve();
        out.setEncoding("utf8").on("data", onText);
        out.once("close", () => resolve());
        out.once("error", () => resolve());
      });
    },
  };
}

/** The libc calls a pipe needs. */
export interface PipeLibc {
  /** pipe2(2) with O_CLOEXEC: [read end, write end], or undefined if it failed. */
  pipe(): [number, number] | undefined;
  close(fd: number): number;
}

/**
 * A pipe made here: the child gets its write end (spawn dup2s it to the child's fd 1; this
 * side's copy, close-on-exec, is closed once the child has its own), this side reads the other
 * through `reader` (the runtime's reader of a file descriptor, which must not close it).
 * Undefined if no pipe could be made.
 */
export function pipeOutput(
  libc: PipeLibc,
  reader: (fd: number) => AsyncIterable<Uint8Array>,
): ChildOutput | undefined {
  const ends = libc.pipe();
  if (!ends) return undefined;
  const [readEnd, writeEnd] = ends;
  let writeOpen = true;
  const closeWriteEnd = () => {
    if (writeOpen) libc.close(writeEnd);
    writeOpen = false;
  };
  return {
    stdio: writeEnd,
    async read(_child, onText) {
      // spawn has returned: the child has its copy (or there is no child), so this side's goes,
      // and the end of the pipe comes when the child (and whatever it started) is gone.
      closeWriteEnd();
      const utf8 = new TextDecoder();
      try {
        for await (const chunk of reader(readEnd)) {
          const text = utf8.decode(chunk, { stream: true });
          if (text) onText(text);
        }
        const rest = utf8.decode();
        if (rest) onText(rest);
      } catch {
        // a read error ends the output as its end would
      } finally {
        libc.close(readEnd);
      }
    },
  };
}
