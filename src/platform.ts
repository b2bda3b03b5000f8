/**
 * The one module that knows which runtime it is in and touches the process's
 * terminal: everything else takes what it needs from here as parameters.
 */
import fs from "node:fs";
import os from "node:os";
import process from "node:process";
import readline from "node:readline";
import tty from "node:tty";
import type { Terminal } from "./client/console.ts";
import type { Who } from "./protocol/messages.ts";

export interface Platform {
  pid: number;
  /** This thread's id (Linux), else the pid: `%x` in pipe names. */
  tid: number;
  hostname: string;
  user: string;
  env: Record<string, string | undefined>;
  /** The runtime this build runs on, e.g. "bun 1.4.5" or "deno 2.9.6". */
  runtime: string;
  /** Operating system and CPU this build runs on, as `process.platform-process.arch` ("linux-x64"). */
  os: string;
  /** This program as one executable file (the compiled binary), or undefined when run from source. */
  selfExecutable?: string;
  stdout(text: string): void;
  stderr(text: string): void;
  /** A terminal over stdin/stdout. `prompt` is shown when stdin is a tty. */
  terminal(prompt: string): Terminal;
  /** Run `handler` on SIGINT/SIGTERM/SIGHUP instead of dying. Returns a function that removes it. */
  onSignal(signal: "SIGINT" | "SIGTERM" | "SIGHUP", handler: () => void): () => void;
  stdinIsTty: boolean;
}

export function who(platform: Platform, tool: string, user?: string): Who {
  return { user: user ?? platform.user, host: platform.hostname, tool };
}

function runtimeName(): string {
  const versions = process.versions as Record<string, string | undefined>;
  if (versions.bun) return `bun ${versions.bun}`;
  if (versions.deno) return `deno ${versions.deno}`;
  return `node ${process.version}`;
}

/**
 * The compiled binary's own path. Bun's compiled binaries run their code from an
 * embedded file system (`/$bunfs/`); `deno compile` says so in Deno.build.standalone.
 * From source, process.execPath is the runtime (deno, bun), not dbgremote.
 */
function selfExecutable(): string | undefined {
  if (import.meta.url.startsWith("file:///$bunfs/")) return process.execPath;
  const deno = (globalThis as { Deno?: { build?: { standalone?: boolean } } }).Deno;
  if (deno?.build?.standalone) return process.execPath;
  return undefined;
}

function currentUser(env: Record<string, string | undefined>): string {
  if (env.USER) return env.USER;
  if (env.LOGNAME) return env.LOGNAME;
  let uid = -1;
  try {
    const info = os.userInfo();
    if (info.username && info.username !== "unknown") return info.username;
    uid = info.uid;
  } catch {
    // fall through to /etc/passwd
  }
  // Bun's os.userInfo() can answer "unknown"; /etc/passwd knows better.
  try {
    for (const line of fs.readFileSync("/etc/passwd", "utf8").split("\n")) {
      const [name, , id] = line.split(":");
      if (Number(id) === uid) return name;
    }
  } catch {
    // no passwd file
  }
  return uid >= 0 ? `uid${uid}` : "unknown";
}

/** Lines from stdin as they arrive, for the terminal's `lines()`. */
function lineQueue() {
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  return {
    push(line: string) {
      queue.push(line);
      wake?.();
    },
    end() {
      done = true;
      wake?.();
    },
    get done() {
      return done;
    },
    async *lines(): AsyncIterable<string> {
      while (true) {
        if (queue.length) {
          yield queue.shift()!;
          continue;
        }
        if (done) return;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    },
  };
}

/**
 * A terminal over stdin/stdout. On a tty: readline with a prompt, Ctrl+C and
 * Ctrl+B as keys. Otherwise (a pipe, a script): plain lines, Ctrl+C as SIGINT,
 * and a line holding only Ctrl+B (0x02) to leave. readline is kept off pipes:
 * some runtimes close it on SIGINT, which would end the input.
 */
function processTerminal(prompt: string): Terminal {
  const tty = Boolean(process.stdin.isTTY);
  const input = lineQueue();
  const interruptHandlers: (() => void)[] = [];
  const leaveHandlers: (() => void)[] = [];
  const escapeHandlers: (() => void)[] = [];
  let rl: readline.Interface | undefined;
  let promptShown = false;
  if (tty) {
    rl = readline.createInterface({
      input: process.stdin,
      output: process.stdout,
      terminal: true,
      prompt,
    });
    rl.on("line", (line) => {
      // The session echoes every command with its issuer: drop the raw typed line.
      process.stdout.write("\x1b[1A\r\x1b[K");
      input.push(line);
      rl!.prompt();
      promptShown = true;
    });
    rl.on("close", () => input.end());
    rl.on("SIGINT", () => interruptHandlers.forEach((h) => h()));
    process.stdin.on("keypress", (_s: string, key?: { ctrl?: boolean; name?: string }) => {
      if (key?.ctrl && key.name === "b") leaveHandlers.forEach((h) => h());
      if (key?.name === "escape") escapeHandlers.forEach((h) => h());
    });
    rl.prompt();
    promptShown = true;
  } else {
    let partial = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (chunk: string) => {
      partial += chunk;
      let nl;
      while ((nl = partial.indexOf("\n")) >= 0) {
        input.push(partial.slice(0, nl).replace(/\r$/, ""));
        partial = partial.slice(nl + 1);
      }
    });
    process.stdin.on("end", () => {
      if (partial) input.push(partial);
      input.end();
    });
    process.stdin.on("error", () => input.end());
  }
  return {
    write(text) {
      if (!text) return;
      if (rl) {
        // Clear the prompt line before output; redraw the prompt once a line is complete,
        // so text that arrives in pieces ("\nProgram" + " received signal") stays whole.
        process.stdout.write(promptShown ? `\r\x1b[K${text}` : text);
        promptShown = text.endsWith("\n") && !input.done;
        if (promptShown) rl.prompt(true);
      } else {
        process.stdout.write(text);
      }
    },
    lines: () => input.lines(),
    onInterrupt(h) {
      interruptHandlers.push(h);
      // Without a tty, Ctrl+C arrives as a signal.
      if (!tty) process.on("SIGINT", h);
    },
    onLeave(h) {
      leaveHandlers.push(h);
    },
    onEscape(h) {
      escapeHandlers.push(h);
    },
    close() {
      if (input.done) return;
      input.end();
      if (rl) rl.close();
      else process.stdin.destroy();
      for (const h of interruptHandlers) process.off("SIGINT", h);
    },
  };
}

function threadId(): number {
  try {
    return Number(fs.readlinkSync("/proc/thread-self").split("/").pop()) || process.pid;
  } catch {
    return process.pid;
  }
}

export function processPlatform(): Platform {
  const env = process.env as Record<string, string | undefined>;
  return {
    pid: process.pid,
    tid: threadId(),
    hostname: os.hostname(),
    user: currentUser(env),
    env,
    runtime: runtimeName(),
    os: `${process.platform}-${process.arch}`,
    selfExecutable: selfExecutable(),
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    terminal: processTerminal,
    onSignal(signal, handler) {
      process.on(signal, handler);
      return () => void process.off(signal, handler);
    },
    stdinIsTty: Boolean(process.stdin.isTTY),
  };
}

/**
 * A pseudo-terminal owned by this process: the debugged program's own terminal.
 * The debugger opens {@link Pty.path} for the program; this side reads what the
 * program writes and types what participants send it.
 */
export interface Pty {
  /** The terminal's device (the slave side), e.g. /dev/pts/3. */
  readonly path: string;
  /** Bytes the program wrote, as they arrive. Set once, before the program runs. */
  onData(handler: (chunk: Uint8Array) => void): void;
  /** Type into the program's terminal. Never blocks the event loop. */
  write(data: Uint8Array): void;
  /** The terminal's size in characters. */
  resize(cols: number, rows: number): void;
  /**
   * Resolves once everything the program wrote so far has gone to the data handler (for a
   * program that stopped or exited: its output comes before the news).
   */
  drain(): Promise<void>;
  /** Stop reading and release the terminal; resolves once nothing reads it any more. */
  close(): Promise<void>;
}

export interface PtyOptions {
  cols: number;
  rows: number;
}

// Linux x86-64/arm64 values (glibc): open flags, ioctl and termios layout.
const O_RDWR = 0o2;
const O_NOCTTY = 0o400;
const O_CLOEXEC = 0o2000000;
const TIOCSWINSZ = 0x5414;
const TERMIOS_SIZE = 60;
const C_OFLAG = 4;
const C_LFLAG = 12;
const ONLCR = 0o4;
const ECHO = 0o10;

/** libc calls both runtimes make the same way; only how they are bound differs. */
interface PtyLibc {
  posixOpenpt(flags: number): number;
  grantpt(fd: number): number;
  unlockpt(fd: number): number;
  ptsname(fd: number): string | undefined;
  open(path: string, flags: number): number;
  close(fd: number): number;
  ioctl(fd: number, request: number, arg: Uint8Array): number;
  tcgetattr(fd: number, termios: Uint8Array): number;
  tcsetattr(fd: number, when: number, termios: Uint8Array): number;
  /** Write without blocking the event loop; resolves with write(2)'s result. */
  write(fd: number, data: Uint8Array): Promise<number>;
  /** Read what the program wrote, from `fd` until `stop()` (then resolves). */
  reader(fd: number, onData: (chunk: Uint8Array) => void): { stop(): Promise<void> };
}

type DenoFfi = {
  dlopen(path: string, symbols: Record<string, unknown>): { symbols: Record<string, unknown> };
  UnsafePointerView: { getCString(p: unknown): string };
};

function denoLibc(deno: DenoFfi): PtyLibc {
  const nb = { nonblocking: true };
  const lib = deno.dlopen("libc.so.6", {
    posix_openpt: { parameters: ["i32"], result: "i32" },
    grantpt: { parameters: ["i32"], result: "i32" },
    unlockpt: { parameters: ["i32"], result: "i32" },
    ptsname: { parameters: ["i32"], result: "pointer" },
    open: { parameters: ["buffer", "i32"], result: "i32" },
    close: { parameters: ["i32"], result: "i32" },
    ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
    tcgetattr: { parameters: ["i32", "buffer"], result: "i32" },
    tcsetattr: { parameters: ["i32", "i32", "buffer"], result: "i32" },
    // On a thread of their own: a full terminal or a silent program never blocks the loop.
    read: { parameters: ["i32", "buffer", "usize"], result: "isize", ...nb },
    write: { parameters: ["i32", "buffer", "usize"], result: "isize", ...nb },
  });
  // deno-lint-ignore no-explicit-any
  const s = lib.symbols as Record<string, (...a: any[]) => any>;
  return {
    posixOpenpt: (f) => s.posix_openpt(f),
    grantpt: (fd) => s.grantpt(fd),
    unlockpt: (fd) => s.unlockpt(fd),
    ptsname(fd) {
      const p = s.ptsname(fd);
      return p === null ? undefined : deno.UnsafePointerView.getCString(p);
    },
    open: (path, flags) => s.open(new TextEncoder().encode(path + "\0"), flags),
    close: (fd) => s.close(fd),
    ioctl: (fd, req, arg) => s.ioctl(fd, BigInt(req), arg),
    tcgetattr: (fd, t) => s.tcgetattr(fd, t),
    tcsetattr: (fd, when, t) => s.tcsetattr(fd, when, t),
    write: async (fd, data) => Number(await s.write(fd, data, BigInt(data.length))),
    reader(fd, onData) {
      let stopping = false;
      const done = (async () => {
        const buf = new Uint8Array(65536);
        while (!stopping) {
          const n = Number(await s.read(fd, buf, BigInt(buf.length)));
          if (n <= 0 || stopping) break;
          onData(buf.slice(0, n));
        }
      })();
      return {
        stop() {
          stopping = true;
          return done;
        },
      };
    },
  };
}

async function bunLibc(): Promise<PtyLibc> {
  // A computed name: Deno's type checker must not try to resolve Bun's built-in module.
  const name = "bun:ffi";
  const ffi = await import(name);
  const T = ffi.FFIType;
  const lib = ffi.dlopen("libc.so.6", {
    posix_openpt: { args: [T.i32], returns: T.i32 },
    grantpt: { args: [T.i32], returns: T.i32 },
    unlockpt: { args: [T.i32], returns: T.i32 },
    ptsname: { args: [T.i32], returns: T.ptr },
    open: { args: [T.ptr, T.i32], returns: T.i32 },
    close: { args: [T.i32], returns: T.i32 },
    ioctl: { args: [T.i32, T.u64, T.ptr], returns: T.i32 },
    tcgetattr: { args: [T.i32, T.ptr], returns: T.i32 },
    tcsetattr: { args: [T.i32, T.i32, T.ptr], returns: T.i32 },
  });
  const s = lib.symbols;
  return {
    posixOpenpt: (f) => s.posix_openpt(f),
    grantpt: (fd) => s.grantpt(fd),
    unlockpt: (fd) => s.unlockpt(fd),
    ptsname(fd) {
      const p = s.ptsname(fd);
      return p ? new ffi.CString(p).toString() : undefined;
    },
    open: (path, flags) => s.open(new TextEncoder().encode(path + "\0"), flags),
    close: (fd) => s.close(fd),
    ioctl: (fd, req, arg) => s.ioctl(fd, req, arg),
    tcgetattr: (fd, t) => s.tcgetattr(fd, t),
    tcsetattr: (fd, when, t) => s.tcsetattr(fd, when, t),
    // Bun's asynchronous fs.write runs off the event loop.
    write: (fd, data) =>
      new Promise((resolve) => fs.write(fd, data, (err, n) => resolve(err ? -1 : n))),
    reader(fd, onData) {
      // Bun reads a tty's fd on a thread of its own.
      const stream = new tty.ReadStream(fd);
      const closed = new Promise<void>((r) => stream.once("close", () => r()));
      stream.on("error", () => stream.destroy()); // EIO: nobody holds the terminal any more
      stream.on("data", (chunk: Uint8Array) => onData(chunk));
      return {
        stop() {
          stream.destroy();
          return closed;
        },
      };
    },
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function indexOf(data: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = data.indexOf(needle[0]); i >= 0; i = data.indexOf(needle[0], i + 1)) {
    if (i + needle.length > data.length) return -1;
    for (let j = 1; j < needle.length; j++) if (data[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** How many bytes at the end of `data` are the start of `needle`. */
function partialSuffix(data: Uint8Array, needle: Uint8Array): number {
  for (let n = Math.min(needle.length - 1, data.length); n > 0; n--) {
    let match = true;
    for (let j = 0; j < n && match; j++) match = data[data.length - n + j] === needle[j];
    if (match) return n;
  }
  return 0;
}

/**
 * Open a pseudo-terminal through libc (posix_openpt and friends), by FFI: no native add-on.
 * Echo is off (participants see what was typed through the session, once) and newlines go
 * out as they were written (no CR added); a program may change both, as on any terminal.
 */
export async function openPty(options: PtyOptions = { cols: 80, rows: 24 }): Promise<Pty> {
  const deno = (globalThis as { Deno?: DenoFfi }).Deno;
  const versions = process.versions as Record<string, string | undefined>;
  const libc = versions.bun ? await bunLibc() : deno?.dlopen ? denoLibc(deno) : undefined;
  if (!libc) throw new Error(`no FFI in ${runtimeName()}: cannot open a pseudo-terminal`);
  const master = libc.posixOpenpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) throw new Error("posix_openpt failed: no pseudo-terminal available");
  const path = libc.grantpt(master) === 0 && libc.unlockpt(master) === 0
    ? libc.ptsname(master)
    : undefined;
  // Held open by this side too, so the terminal lives between runs (no EIO, no hangup) and
  // its settings stay as set here.
  const slave = path === undefined ? -1 : libc.open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (path === undefined || slave < 0) {
    libc.close(master);
    throw new Error("cannot set up a pseudo-terminal (grantpt/unlockpt/ptsname/open failed)");
  }
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
  let reader: { stop(): Promise<void> } | undefined;
  let closed: Promise<void> | undefined;
  let writing: Promise<unknown> = Promise.resolve();
  // drain(): a marker written on the program's side comes out behind everything it wrote.
  const marker = new TextEncoder().encode(`\0dbgremote-drained-${process.pid}\0`);
  const drained: (() => void)[] = [];
  let carry = new Uint8Array(0);
  const unmark = (chunk: Uint8Array, handler: (chunk: Uint8Array) => void) => {
    let data = carry.length ? concat(carry, chunk) : chunk;
    carry = new Uint8Array(0);
    let at;
    while (drained.length && (at = indexOf(data, marker)) >= 0) {
      if (at > 0) handler(data.subarray(0, at));
      data = data.subarray(at + marker.length);
      drained.shift()!();
    }
    // A marker cut in two by the read: keep its start for the next chunk.
    const keep = drained.length ? partialSuffix(data, marker) : 0;
    carry = data.slice(data.length - keep);
    if (data.length - keep > 0) handler(data.subarray(0, data.length - keep));
  };
  return {
    path,
    onData(handler) {
      reader ??= libc.reader(master, (chunk) => unmark(chunk, handler));
    },
    drain() {
      if (!reader || closed) return Promise.resolve();
      const done = new Promise<void>((r) => drained.push(r));
      void libc.write(slave, marker);
      return done;
    },
    write(data) {
      // In order, one at a time: a write waits while the program's input is full.
      writing = writing.then(() => libc.write(master, data));
    },
    resize,
    close() {
      closed ??= (async () => {
        drained.splice(0).forEach((r) => r());
        const stopped = reader?.stop();
        // A read under way returns on the next byte from the program's side: send one.
        await libc.write(slave, new Uint8Array([0]));
        await stopped;
        libc.close(slave);
        libc.close(master);
      })();
      return closed;
    },
  };
}
