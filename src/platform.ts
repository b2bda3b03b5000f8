/**
 * The one module that knows which runtime it is in and touches the process's
 * terminal: everything else takes what it needs from here as parameters (the
 * runtime's web server too: {@link createWebRuntime}).
 */
import fs from "node:fs";
import os from "node:os";
import process from "node:process";
import type readline from "node:readline";
import type { Who } from "./protocol/messages.ts";
import { bunLibc, type DenoFfi, denoLibc, type Libc } from "./libc_ffi.ts";
import type { ChildPipes } from "./engine/child_pipes.ts";
import { openPtyWith, type Pty, type PtyOptions } from "./pty.ts";
import type { Terminal } from "./terminal.ts";
import type { WebRuntime } from "./transport/http/runtime.ts";

export type { Pty, PtyOptions };

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

/** The runtime this process runs on: the one place that asks. */
function runtime(): { kind: "bun" | "deno" | "node"; version: string } {
  const versions = process.versions as Record<string, string | undefined>;
  if (versions.bun) return { kind: "bun", version: versions.bun };
  if (versions.deno) return { kind: "deno", version: versions.deno };
  return { kind: "node", version: process.version };
}

function runtimeName(): string {
  const { kind, version } = runtime();
  return `${kind} ${version}`;
}

/**
 * How this runtime serves the web (the http transport's server): one adapter per runtime, of
 * which only this one is loaded (each touches its runtime's globals as it loads).
 */
export async function createWebRuntime(): Promise<WebRuntime> {
  return runtime().kind === "bun"
    ? (await import("./transport/http/bun.ts")).bunRuntime()
    : (await import("./transport/http/deno.ts")).denoRuntime();
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
    // Loaded here, not at the top: node:readline costs every command's start-up otherwise.
    const { createInterface } = process.getBuiltinModule("node:readline");
    rl = createInterface({
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

/**
 * Writes to fd 1 or 2. Creating process.stdout/stderr (node streams) costs bun about as much as
 * starting at all, so short commands (`version`, `check`, an error) write to a terminal or a file
 * with fs.writeSync and never create them. Once the terminal uses the stream (`streams.used`), or the fd would block
 * or fails, writes go through the stream for good: it keeps them in order and reports errors
 * as before.
 */
function fdWriter(
  fd: 1 | 2,
  stream: () => NodeJS.WriteStream,
  streams: { used: boolean },
): (text: string) => void {
  // Not to a pipe or socket: a reader that falls behind would block the whole process in
  // writeSync (a server logging hostile peers), where the stream queues and the loop goes on.
  let direct: boolean | undefined;
  return (text) => {
    let rest = new TextEncoder().encode(text);
    if (direct === undefined) {
      try {
        const stat = fs.fstatSync(fd);
        direct = !stat.isFIFO() && !stat.isSocket();
      } catch {
        direct = false;
      }
    }
    if (direct && !streams.used) {
      try {
        while (rest.length) rest = rest.subarray(fs.writeSync(fd, rest));
        return;
      } catch {
        // EAGAIN on a non-blocking pipe, EPIPE...: the stream queues or reports it.
      }
    }
    direct = false;
    streams.used = true;
    if (rest.length) stream().write(rest);
  };
}

/** This process's platform, with what only the entry point does with it. */
export interface ProcessPlatform extends Platform {
  /**
   * Resolves once output still queued for stdout/stderr is written (a client that just printed
   * megabytes to a pipe, then the session ended), or after `limitMs`, for a reader that never
   * reads: call before exiting. fs.writeSync's output is written already; streams in use are
   * ended, which waits for them (Bun counts nothing queued, so neither writableLength nor an empty
   * write's callback would). Streams never used are not created just for this (see fdWriter).
   */
  flushOutput(limitMs: number): Promise<void>;
}

export function processPlatform(): ProcessPlatform {
  const env = process.env as Record<string, string | undefined>;
  const streams = { used: false };
  return {
    pid: process.pid,
    tid: threadId(),
    hostname: os.hostname(),
    user: currentUser(env),
    env,
    runtime: runtimeName(),
    os: `${process.platform}-${process.arch}`,
    selfExecutable: selfExecutable(),
    stdout: fdWriter(1, () => process.stdout, streams),
    stderr: fdWriter(2, () => process.stderr, streams),
    terminal(prompt) {
      streams.used = true;
      return processTerminal(prompt);
    },
    onSignal(signal, handler) {
      process.on(signal, handler);
      return () => void process.off(signal, handler);
    },
    async flushOutput(limitMs) {
      if (!streams.used) return;
      const ended = (stream: NodeJS.WriteStream) =>
        new Promise<void>((resolve) => {
          stream.once("error", () => resolve());
          stream.end(() => resolve());
        });
      const { setTimeout: timer } = process.getBuiltinModule("node:timers");
      await Promise.race([
        Promise.all([ended(process.stdout), ended(process.stderr)]),
        new Promise((resolve) => timer(resolve, limitMs).unref()),
      ]);
    },
    // A getter: reading process.stdin creates the stream, which costs start-up (see fdWriter).
    get stdinIsTty() {
      return Boolean(process.stdin.isTTY);
    },
  };
}

/** This runtime's libc by FFI (no native add-on), or undefined without FFI. */
async function loadLibc(): Promise<Libc | undefined> {
  const deno = (globalThis as { Deno?: DenoFfi }).Deno;
  // A computed name: Deno's type checker must not try to resolve Bun's built-in module.
  const bunFfi = "bun:ffi";
  return runtime().kind === "bun"
    ? bunLibc(await import(bunFfi))
    : deno?.dlopen
    ? denoLibc(deno)
    : undefined;
}

/**
 * A pseudo-terminal for the debugged program, through libc by FFI: this runtime's bindings,
 * the terminal's logic in pty.ts.
 */
export async function openPty(options: PtyOptions = { cols: 80, rows: 24 }): Promise<Pty> {
  const libc = await loadLibc();
  if (!libc) throw new Error(`no FFI in ${runtimeName()}: cannot open a pseudo-terminal`);
  return openPtyWith(libc, options);
}

/**
 * A child's stdin and stdout (engine/child_pipes.ts): under Bun pipes made here, written with
 * write(2) and read with Bun's file reader (its own child pipes are socketpairs, slow for many
 * small writes); else the child's own streams.
 */
export async function childPipes(): Promise<ChildPipes> {
  // Loaded when a debugger starts, not with every command's start-up.
  const { pipeInput, pipeOutput, streamInput, streamOutput, streamPipes } = await import(
    "./engine/child_pipes.ts"
  );
  if (runtime().kind !== "bun") return streamPipes();
  const libc = await loadLibc();
  const bun = (globalThis as {
    Bun?: { file(fd: number): { stream(): AsyncIterable<Uint8Array> } };
  }).Bun;
  if (!libc || !bun) return streamPipes();
  return {
    input: pipeInput(libc) ?? streamInput(),
    output: pipeOutput(libc, (fd) => bun.file(fd).stream()) ?? streamOutput(),
  };
}
