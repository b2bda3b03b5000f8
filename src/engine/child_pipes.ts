/**
 * A child process's stdin and stdout: where they go, how this side writes the one and reads the
 * other (gdb's MI, a debug adapter's DAP messages).
 *
 * Bun hands a child's stdout over a socketpair, and gdb writes MI in pieces of 20 to 30 bytes
 * (one write per fragment of a record, each flushed): each piece is a socket buffer to allocate
 * and free and a wake-up. Over a pipe the same answers cost far less (under bun, gdb/MI driven
 * directly: `x/320xg $sp` 29 → 19 ms, as fast as Deno's pipes). So under bun the
 * child writes into a pipe made here (`pipe2` through libc), read through the runtime's file
 * reader; elsewhere (Deno's child pipes are pipes already) its own stdout stream is read.
 * Likewise its stdin: a pipe written with plain write(2) (no writable stream's wait for the
 * socket to say it took the bytes: about 15 µs less per `print x`, gdb/MI driven directly).
 * platform.ts chooses; this holds both ways.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { setNonBlocking } from "../libc_ffi.ts";

/** A child's stdin and stdout, as this runtime is best served. */
export interface ChildPipes {
  input: ChildInput;
  output: ChildOutput;
}

/** The child's own streams (spawn's "pipe" for both). */
export function streamPipes(): ChildPipes {
  return { input: streamInput(), output: streamOutput() };
}

/** Longest a child's close waits for the rest of its output (a process it started may hold it). */
const OUTPUT_END_MS = 2000;

/** A child spawned with its stdin and stdout through {@link ChildPipes}; stderr its own stream. */
export interface PipedChild {
  readonly child: ChildProcess;
  readonly stdin: InputWriter;
  /**
   * The child's close, told once everything it wrote was read (its last words come before the
   * news of its end; waited for at most {@link OUTPUT_END_MS}) and its stdin closed.
   */
  readonly closed: Promise<{ code: number | null; signal: string | null }>;
}

/** Spawn `command`, its stdout read to its end piece by piece into `onBytes`. */
export function spawnPiped(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string | undefined> },
  pipes: ChildPipes,
  onBytes: (chunk: Uint8Array) => void,
): PipedChild {
  const { input, output } = pipes;
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: [input.stdio, output.stdio, "pipe"],
  });
  const stdin = input.open(child);
  const ended = output.read(child, onBytes);
  const closed = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once("close", async (code, signal) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([ended, new Promise((r) => (timer = setTimeout(r, OUTPUT_END_MS)))]);
      clearTimeout(timer);
      stdin.close();
      resolve({ code, signal });
    });
  });
  return { child, stdin, closed };
}

export interface ChildOutput {
  /** What goes in spawn's `stdio[1]`. */
  readonly stdio: "pipe" | number;
  /**
   * After spawn (or its failure): read the child's stdout to its end, each piece to `onBytes`
   * (a piece of its own, never reused). Resolves at the end (every writer gone); everything is
   * closed then.
   */
  read(child: ChildProcess, onBytes: (chunk: Uint8Array) => void): Promise<void>;
}

/** The child's own stdout stream (spawn's "pipe"). */
export function streamOutput(): ChildOutput {
  return {
    stdio: "pipe",
    read(child, onBytes) {
      return new Promise((resolve) => {
        const out = child.stdout;
        if (!out) return resolve();
        out.on("data", onBytes);
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
  fcntl(fd: number, cmd: number, arg: number): number;
  /** write(2): bytes written, -1 on error (EAGAIN: no room now; EPIPE: no reader). */
  write(fd: number, data: Uint8Array): number;
}

/** How long text the pipe had no room for waits before the next try. */
const RETRY_MS = 2;

export interface ChildInput {
  /** What goes in spawn's `stdio[0]`. */
  readonly stdio: "pipe" | number;
  /** After spawn: the writer of the child's stdin. */
  open(child: ChildProcess): InputWriter;
}

export interface InputWriter {
  /** Write `data` (text as UTF-8), in order after what came before; never blocks (what waits is kept). */
  write(data: string | Uint8Array): void;
  /** No more input (the child is gone): what waits is dropped. */
  close(): void;
}

/** The child's own stdin stream (spawn's "pipe"). */
export function streamInput(): ChildInput {
  return {
    stdio: "pipe",
    open(child) {
      child.stdin?.on("error", () => {}); // the child died; its close is reported elsewhere
      return {
        write: (data) => void child.stdin?.write(data),
        close: () => child.stdin?.destroy(),
      };
    },
  };
}

/**
 * A pipe made here: the child reads its read end (as its fd 0), this side writes the other,
 * non-blocking. A write the pipe has no room for (the child is not reading: gdb running the
 * program for a console command) waits here and is tried again every {@link RETRY_MS}.
 */
export function pipeInput(libc: PipeLibc): ChildInput | undefined {
  const ends = libc.pipe();
  if (!ends) return undefined;
  const [readEnd, writeEnd] = ends;
  setNonBlocking(libc, writeEnd);
  return {
    stdio: readEnd,
    open() {
      libc.close(readEnd); // the child has its own
      const utf8 = new TextEncoder();
      const waiting: Uint8Array[] = [];
      let timer: ReturnType<typeof setTimeout> | undefined;
      let closed = false;
      const flush = () => {
        timer = undefined;
        while (waiting.length && !closed) {
          const n = libc.write(writeEnd, waiting[0]);
          if (n < 0) break; // no room (or no reader: its close comes)
          waiting[0] = waiting[0].subarray(n);
          if (waiting[0].length === 0) waiting.shift();
        }
        if (waiting.length && !closed) timer = setTimeout(flush, RETRY_MS);
      };
      return {
        write(data) {
          if (closed) return;
          waiting.push(typeof data === "string" ? utf8.encode(data) : data);
          if (timer === undefined) flush();
        },
        close() {
          if (closed) return;
          closed = true;
          clearTimeout(timer);
          waiting.length = 0;
          libc.close(writeEnd);
        },
      };
    },
  };
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
    async read(_child, onBytes) {
      // spawn has returned: the child has its copy (or there is no child), so this side's goes,
      // and the end of the pipe comes when the child (and whatever it started) is gone.
      closeWriteEnd();
      try {
        for await (const chunk of reader(readEnd)) if (chunk.length) onBytes(chunk);
      } catch {
        // a read error ends the output as its end would
      } finally {
        libc.close(readEnd);
      }
    },
  };
}
