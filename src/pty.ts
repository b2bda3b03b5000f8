/**
 * The debugged program's terminal: a pseudo-terminal this process owns, driven
 * through a handful of libc calls (platform.ts binds them for the runtime at
 * hand). The debugger opens {@link Pty.path} for the program; this side reads
 * what the program writes and types what participants send it.
 *
 * Reading and writing never block: the master side is non-blocking and read
 * in a loop while data flows, then polled with a back-off of at most
 * {@link MAX_IDLE_MS} once the program is quiet. A pty hands out a few KiB per
 * read; a thread hop per read (Bun's tty streams, Deno's nonblocking FFI) costs
 * more than the data, while a loop of plain reads keeps up with the program.
 */
import { clearImmediate, setImmediate } from "node:timers";
import { setNonBlocking } from "./libc_ffi.ts";

export interface Pty {
  /** The terminal's device (the slave side), e.g. /dev/pts/3. */
  readonly path: string;
  /** Bytes the program wrote, as they arrive. Set once, before the program runs. */
  onData(handler: (chunk: Uint8Array) => void): void;
  /** Type into the program's terminal (kept in order until the program has room for it). */
  write(data: Uint8Array): void;
  /** The terminal's size in characters. */
  resize(cols: number, rows: number): void;
  /**
   * Resolves once everything the program wrote so far has gone to the data handler (for a
   * program that stopped or exited: its output comes before the news).
   */
  drain(): Promise<void>;
  /** Stop reading and release the terminal. */
  close(): Promise<void>;
}

export interface PtyOptions {
  cols: number;
  rows: number;
}

/** The libc calls a pseudo-terminal needs (synchronous, as FFI gives them). */
export interface PtyLibc {
  posixOpenpt(flags: number): number;
  grantpt(fd: number): number;
  unlockpt(fd: number): number;
  ptsname(fd: number): string | undefined;
  open(path: string, flags: number): number;
  close(fd: number): number;
  fcntl(fd: number, cmd: number, arg: number): number;
  ioctl(fd: number, request: number, arg: Uint8Array): number;
  tcgetattr(fd: number, termios: Uint8Array): number;
  tcsetattr(fd: number, when: number, termios: Uint8Array): number;
  /** read(2): bytes read, 0 at end, -1 on error (EAGAIN: nothing now). */
  read(fd: number, buf: Uint8Array): number;
  /** write(2): bytes written, -1 on error (EAGAIN: no room now). */
  write(fd: number, data: Uint8Array): number;
}

// Linux values (glibc, x86-64 and arm64): open flags, fcntl, ioctl and the termios layout.
const O_RDWR = 0o2;
const O_NOCTTY = 0o400;
const O_NONBLOCK = 0o4000;
const O_CLOEXEC = 0o2000000;
const TIOCSWINSZ = 0x5414;
const TERMIOS_SIZE = 60;
const C_OFLAG = 4;
const C_LFLAG = 12;
const ONLCR = 0o4;
const ECHO = 0o10;

/** Longest wait between two looks at a quiet program's terminal. */
export const MAX_IDLE_MS = 16;
/** Most bytes handed over at once (several reads' worth). */
const MAX_CHUNK = 256 * 1024;

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function indexOf(data: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = data.indexOf(needle[0]); i >= 0; i = data.indexOf(needle[0], i + 1)) {
    if (i + needle.length > data.length) return -1;
    for (let j = 1; j < needle.length; j++) if (data[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** How many bytes at the end of `data` are the start of `needle`. */
export function partialSuffix(data: Uint8Array, needle: Uint8Array): number {
  for (let n = Math.min(needle.length - 1, data.length); n > 0; n--) {
    let match = true;
    for (let j = 0; j < n && match; j++) match = data[data.length - n + j] === needle[j];
    if (match) return n;
  }
  return 0;
}

/**
 * Open a pseudo-terminal. Echo is off (participants see what was typed through the session,
 * once) and newlines go out as they were written (no CR added); a program may change both, as
 * on any terminal.
 */
export function openPtyWith(libc: PtyLibc, options: PtyOptions): Pty {
  const master = libc.posixOpenpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) throw new Error("posix_openpt failed: no pseudo-terminal available");
  const path = libc.grantpt(master) === 0 && libc.unlockpt(master) === 0
    ? libc.ptsname(master)
    : undefined;
  // Held open by this side too, so the terminal lives between runs (no EIO, no hangup) and
  // keeps the settings made here. Non-blocking on both of this side's ends (the program opens
  // its own, blocking as usual).
  const slave = path === undefined
    ? -1
    : libc.open(path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
  if (path === undefined || slave < 0) {
    libc.close(master);
    throw new Error("cannot set up a pseudo-terminal (grantpt/unlockpt/ptsname/open failed)");
  }
  setNonBlocking(libc, master);
  const termios = new Uint8Array(TERMIOS_SIZE);
  if (libc.tcgetattr(slave, termios) === 0) {
    const view = new DataView(termios.buffer);
    view.setUint32(C_OFLAG, view.getUint32(C_OFLAG, true) & ~ONLCR, true);
    view.setUint32(C_LFLAG, view.getUint32(C_LFLAG, true) & ~ECHO, true);
    libc.tcsetattr(slave, 0, termios);
  }
  const resize = (cols: number, rows: number) => {
    const ws = new Uint8Array(8);
    const view = new DataView(ws.buffer);
    view.setUint16(0, rows, true);
    view.setUint16(2, cols, true);
    libc.ioctl(master, TIOCSWINSZ, ws);
  };
  resize(options.cols, options.rows);

  let handler: ((chunk: Uint8Array) => void) | undefined;
  /** The next look, when one is planned. */
  let next: { cancel(): void } | undefined;
  let idle = 0;
  let closed = false;
  /** Typed and not yet taken by the terminal, in order. */
  const typed: Uint8Array[] = [];
  // drain(): a marker written on the program's side comes out behind everything it wrote.
  const marker = new TextEncoder().encode(`\0dbgremote-drained-${Math.random()}\0`);
  /** Markers not yet written (the program's side was full), and those on their way. */
  let markersToWrite = 0;
  const drained: (() => void)[] = [];
  let carry = new Uint8Array(0);
  const buf = new Uint8Array(64 * 1024);

  const deliver = (chunk: Uint8Array) => {
    let data = carry.length ? concat([carry, chunk]) : chunk;
    carry = new Uint8Array(0);
    let at;
    // Only markers already written can be in what was read.
    while (drained.length > markersToWrite && (at = indexOf(data, marker)) >= 0) {
      if (at > 0) handler?.(data.subarray(0, at));
      data = data.subarray(at + marker.length);
      drained.shift()!();
    }
    // A marker cut in two by the read: keep its start for the next look.
    const keep = drained.length > markersToWrite ? partialSuffix(data, marker) : 0;
    carry = data.slice(data.length - keep);
    if (data.length > keep) handler?.(data.subarray(0, data.length - keep));
  };

  const writeTyped = () => {
    while (typed.length) {
      const n = libc.write(master, typed[0]);
      if (n <= 0) return; // no room now: the next look tries again
      typed[0] = typed[0].subarray(n);
      if (typed[0].length === 0) typed.shift();
    }
  };

  const writeMarkers = () => {
    while (markersToWrite > 0 && libc.write(slave, marker) === marker.length) markersToWrite--;
  };

  const plan = (ms: number) => {
    next?.cancel();
    // Busy: right after other events (no timer clamping). Quiet: a timer.
    if (ms === 0) {
      const h = setImmediate(look);
      next = { cancel: () => clearImmediate(h) };
    } else {
      const h = setTimeout(look, ms);
      next = { cancel: () => clearTimeout(h) };
    }
  };

  const look = () => {
    next = undefined;
    if (closed) return;
    writeMarkers();
    const parts: Uint8Array[] = [];
    let size = 0;
    for (let n; size < MAX_CHUNK && (n = libc.read(master, buf)) > 0; size += n) {
      parts.push(buf.slice(0, n));
    }
    if (size) deliver(concat(parts));
    writeTyped();
    // Busy: look again at once. Quiet: a little later each time, up to MAX_IDLE_MS.
    idle = size ? 0 : Math.min(idle + 1, MAX_IDLE_MS);
    plan(idle);
  };

  const soon = () => {
    if (closed) return;
    idle = 0;
    plan(0);
  };

  return {
    path,
    onData(h) {
      if (handler) return;
      handler = h;
      look();
    },
    write(data) {
      if (closed) return;
      typed.push(data);
      writeTyped();
      soon(); // its effect (the program's answer) is likely to follow
    },
    resize,
    drain() {
      if (!handler || closed) return Promise.resolve();
      const done = new Promise<void>((r) => drained.push(r));
      markersToWrite++;
      writeMarkers();
      soon();
      return done;
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      next?.cancel();
      drained.splice(0).forEach((r) => r());
      libc.close(slave);
      libc.close(master);
      return Promise.resolve();
    },
  };
}
