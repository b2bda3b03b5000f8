/**
 * Runs the compiled binary (dist/dbgremote) as a user would: real processes,
 * real pipes, real sockets. Every wait is bounded; every process is killed on
 * dispose.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const BINARY = path.resolve(import.meta.dirname!, "../../dist/dbgremote");

export function requireBinary(): void {
  if (!fs.existsSync(BINARY)) {
    throw new Error(`${BINARY} is missing: build it first with \`deno task compile\``);
  }
}

export interface Exit {
  code: number | null;
  signal: string | null;
}

export class Proc {
  readonly child: ChildProcess;
  readonly name: string;
  stdout = "";
  stderr = "";
  readonly exited: Promise<Exit>;
  #waiters: (() => void)[] = [];

  /**
   * Start the binary with `args`. `wrap` is a command that runs it elsewhere, e.g. in a test host's
   * network namespace (see netns.ts): the binary's path and `args` are appended to it.
   * `program` runs another program instead of the binary (an ssh client, a daemon).
   */
  constructor(
    name: string,
    args: string[],
    env: Record<string, string> = {},
    cwd?: string,
    wrap: string[] = [],
    program: string = BINARY,
  ) {
    this.name = name;
    const [command, ...prefix] = [...wrap, program];
    this.child = spawn(command, [...prefix, ...args], {
      // Servers stay off multicast DNS unless a test turns it on (in its own namespaces), so
      // test traffic never leaves loopback for the machine's network.
      env: { ...process.env, DBGREMOTE_DISCOVERY: "off", ...env },
      cwd,
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.child.stdout!.setEncoding("utf8").on("data", (s: string) => {
      this.stdout += s;
      this.#wake();
    });
    this.child.stderr!.setEncoding("utf8").on("data", (s: string) => {
      this.stderr += s;
      this.#wake();
    });
    this.child.stdin!.on("error", () => {}); // the process may exit before reading everything
    this.exited = new Promise((resolve) =>
      this.child.on("close", (code, signal) => {
        resolve({ code, signal });
        this.#wake();
      })
    );
  }

  #wake() {
    const w = this.#waiters;
    this.#waiters = [];
    w.forEach((f) => f());
  }

  /** Wait until `pattern` appears in stdout (or stderr) after `from`; returns the match. */
  async waitFor(
    pattern: RegExp | string,
    options: { stream?: "stdout" | "stderr"; timeoutMs?: number; from?: number } = {},
  ): Promise<RegExpMatchArray> {
    const stream = options.stream ?? "stdout";
    const deadline = Date.now() + (options.timeoutMs ?? 15_000);
    const re = typeof pattern === "string"
      ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      : pattern;
    let exited = false;
    void this.exited.then(() => (exited = true));
    while (true) {
      const text = this[stream].slice(options.from ?? 0);
      const m = text.match(re);
      if (m) return m;
      const left = deadline - Date.now();
      if (left <= 0 || exited) {
        throw new Error(
          `${this.name}: ${exited ? "exited" : "timed out"} waiting for ${re} on ${stream}\n` +
            `--- stdout ---\n${this.stdout}\n--- stderr ---\n${this.stderr}`,
        );
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  send(line: string): void {
    this.child.stdin!.write(line + "\n");
  }

  closeStdin(): void {
    this.child.stdin!.end();
  }

  /** Wait for exit, killing the process if it takes longer than `timeoutMs`. */
  async wait(timeoutMs = 15_000): Promise<Exit> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((
      r,
    ) => (timer = setTimeout(() => r("timeout"), timeoutMs)));
    const result = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (result === "timeout") {
      this.child.kill("SIGKILL");
      throw new Error(
        `${this.name} did not exit within ${timeoutMs} ms\n${this.stdout}\n${this.stderr}`,
      );
    }
    return result;
  }

  async [Symbol.asyncDispose]() {
    const gone = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) resolve();
      else this.child.once("exit", () => resolve());
    });
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill("SIGKILL");
    }
    this.child.stdin!.destroy();
    await gone;
    // A daemon's children (sshd's sessions, say) may hold its output pipes open after it is gone:
    // stop reading them, so disposal never waits on a process this one did not own.
    const closed = await Promise.race([
      this.exited,
      new Promise<"open">((resolve) => setTimeout(() => resolve("open"), 2000)),
    ]);
    if (closed === "open") {
      this.child.stdout!.destroy();
      this.child.stderr!.destroy();
    }
  }
}

/** A scratch directory for one test (pipes, sample build, lab files), removed on dispose. */
export function scratch(): { dir: string; env: Record<string, string> } & AsyncDisposable {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-e2e-"));
  fs.mkdirSync(path.join(dir, "pipes"), { mode: 0o700 });
  return {
    dir,
    env: {
      DBGREMOTE_PIPE_DIR: path.join(dir, "pipes"),
      DBGREMOTE_SAMPLE_DIR: path.join(os.tmpdir(), "dbgremote-e2e-sample"),
    },
    async [Symbol.asyncDispose]() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ServerOptions {
  /** On top of the scratch directory's environment (a password, a PATH). */
  env?: Record<string, string>;
  /** `--name NAME`. */
  name?: string;
  /** The program's arguments: `gdb --args PROGRAM ARGS...`. */
  args?: string[];
  /** The process's name in failure messages (default "server"). */
  proc?: string;
}

/**
 * `dbgremote server --noio [--name NAME] ENDPOINTS... -- gdb [--args] PROGRAM [ARGS...]`, with the
 * scratch directory's environment. Wait for its endpoints with {@link endpointAddress}.
 */
export function serverProc(
  tmp: { env: Record<string, string> },
  program: string,
  endpoints: string[],
  options: ServerOptions = {},
): Proc {
  const name = options.name === undefined ? [] : ["--name", options.name];
  const debug = options.args === undefined ? [program] : ["--args", program, ...options.args];
  return new Proc(
    options.proc ?? "server",
    ["server", "--noio", ...name, ...endpoints, "--", "gdb", ...debug],
    { ...tmp.env, ...options.env },
  );
}

/** The `dbgremote client ADDRESS` a server printed for its n-th endpoint. */
export async function endpointAddress(server: Proc, transport: "tcp" | "npipe"): Promise<string> {
  const m = await server.waitFor(
    new RegExp(`listening on ${transport}:\\S*: dbgremote client (\\S+)`),
  );
  return m[1];
}

/** Compile the sample program (samples/demo.c) into `dir`; returns its path. */
export function buildSample(dir: string): string {
  const source = path.resolve(import.meta.dirname!, "../../samples/demo.c");
  fs.copyFileSync(source, path.join(dir, "demo.c"));
  execFileSync("cc", ["-g", "-O0", "-o", path.join(dir, "demo"), path.join(dir, "demo.c")]);
  return path.join(dir, "demo");
}

/** Compile the terminal sample (samples/echo.c) into `dir`; returns its path. */
export function buildEcho(dir: string): string {
  const source = path.resolve(import.meta.dirname!, "../../samples/echo.c");
  execFileSync("cc", ["-g", "-O0", "-o", path.join(dir, "echo"), source]);
  return path.join(dir, "echo");
}

/** The processes whose parent is `pid` (from /proc), with their command names. */
export function childrenOf(pid: number): { pid: number; comm: string }[] {
  const found: { pid: number; comm: string }[] = [];
  for (const p of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = fs.readFileSync(path.join("/proc", p, "stat"), "utf8");
      const close = stat.lastIndexOf(")");
      if (Number(stat.slice(close + 2).split(" ")[1]) !== pid) continue;
      found.push({ pid: Number(p), comm: stat.slice(stat.indexOf("(") + 1, close) });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}
