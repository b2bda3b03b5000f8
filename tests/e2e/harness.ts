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

/** A process's resident memory now and its peak so far (Linux /proc), in KiB. */
export function memoryKiB(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)![1]);
  return { rss: field("VmRSS"), peak: field("VmHWM") };
}

/**
 * The connection string a client gives for the server's endpoint of `transport` (the first one
 * listed), from the server's `listening on` line. Web endpoints print a URL: it is turned into
 * `http:`/`https:` with `extra` (a password_env, a cafile) appended; other endpoints print the
 * client's full address, which `extra` does not change.
 */
export async function listeningAddress(
  server: Proc,
  transport: "tcp" | "npipe" | "ssl" | "http" | "https" | "com",
  extra = "",
): Promise<string> {
  const m = await server.waitFor(
    new RegExp(
      `listening on ${transport}:\\S*: (?:dbgremote client (\\S+)|open (https?)://([^/]+):(\\d+)/)`,
    ),
  );
  if (m[1]) return m[1];
  const host = m[3].replace(/^\[|\]$/g, "");
  return `${m[2]}:server=${host},port=${m[4]}${extra ? `,${extra}` : ""}`;
}

/** Resolve `promise`, or fail after `ms` with `what()` (say what was awaited, show output). */
export async function within<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what()}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A running server and its scratch directory, for tests that join clients to one session. */
export interface TestSession extends AsyncDisposable {
  dir: string;
  env: Record<string, string>;
  program: string;
  server: Proc;
  /** The address clients give (`dbgremote client ADDRESS`). */
  address: string;
  /** Start `dbgremote client --user USER [ARGS] ADDRESS` and wait until it is connected. */
  join(user: string, args?: string[]): Promise<Proc>;
}

/**
 * The e2e preamble as one fixture: a scratch directory, the sample program (or `program`), a
 * server on one endpoint (npipe by default), clients joined on demand; everything stopped on
 * dispose, clients first. `endpoint` is the listening connection string.
 */
export async function withServer(
  options: ServerOptions & { endpoint?: string; program?: string } = {},
): Promise<TestSession> {
  requireBinary();
  const tmp = scratch();
  const program = options.program ?? buildSample(tmp.dir);
  const endpoint = options.endpoint ?? "npipe:pipe=session-%d";
  const transport = endpoint.startsWith("tcp:") ? "tcp" : "npipe";
  const server = serverProc(tmp, program, [endpoint], options);
  const clients: Proc[] = [];
  const env = { ...tmp.env, ...options.env };
  let address: string;
  try {
    address = await endpointAddress(server, transport);
  } catch (err) {
    await server[Symbol.asyncDispose]();
    await tmp[Symbol.asyncDispose]();
    throw err;
  }
  return {
    dir: tmp.dir,
    env,
    program,
    server,
    address,
    async join(user, args = []) {
      const client = new Proc(user, ["client", "--user", user, ...args, address], env);
      clients.push(client);
      await client.waitFor("*** connected");
      return client;
    },
    async [Symbol.asyncDispose]() {
      for (const c of clients.reverse()) await c[Symbol.asyncDispose]();
      await server[Symbol.asyncDispose]();
      await tmp[Symbol.asyncDispose]();
    },
  };
}

/**
 * The lines of `output` strictly between the first line containing `start` and the next line
 * containing `end` (for comparing what two clients saw of the same stretch of a session).
 */
export function transcriptBetween(output: string, start: string, end: string): string[] {
  const lines = output.split("\n");
  const from = lines.findIndex((l) => l.includes(start));
  if (from < 0) throw new Error(`no line with ${start} in:\n${output}`);
  const to = lines.findIndex((l, i) => i > from && l.includes(end));
  if (to < 0) throw new Error(`no line with ${end} after ${start} in:\n${output}`);
  return lines.slice(from + 1, to);
}
