/**
 * Runs the compiled binary (dist/dbgremote) as a user would: real processes,
 * real pipes, real sockets. Every wait is bounded; every process is killed on
 * dispose.
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export { within } from "../support/within.ts";

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
  /**
   * The other processes of the same test (set by {@link withServer}): a wait that fails shows
   * their output too, since the reason is often on the other side (the server's stderr).
   */
  companions: Proc[] = [];
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
            `--- stdout ---\n${this.stdout}\n--- stderr ---\n${this.stderr}` + this.#others(),
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

  /** The tail of each companion's output, for a failure message. */
  #others(): string {
    const tail = (s: string) => s.length > 4000 ? `[...]${s.slice(-4000)}` : s;
    return this.companions.filter((p) => p !== this).map((p) =>
      `\n--- ${p.name} stdout ---\n${tail(p.stdout)}\n--- ${p.name} stderr ---\n${tail(p.stderr)}`
    ).join("");
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
        `${this.name} did not exit within ${timeoutMs} ms\n` +
          `--- stdout ---\n${this.stdout}\n--- stderr ---\n${this.stderr}` + this.#others(),
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

/** How to start a `dbgremote server` (see {@link TestScratch.startServer}). */
export interface ServerOptions {
  /** The listening connection strings (default one npipe endpoint). */
  endpoints?: string[];
  /** One listening connection string (shorthand for `endpoints: [endpoint]`). */
  endpoint?: string;
  /** On top of the scratch directory's environment (a password, a PATH). */
  env?: Record<string, string>;
  /** `--name NAME`. */
  name?: string;
  /** The program's arguments: `gdb --args PROGRAM ARGS...`. */
  args?: string[];
  /**
   * Another debugger's command line after `--` (`["lldb-19", program]`,
   * `["/usr/bin/python3", "-m", "pdb", script]`); it replaces gdb, `program` and `args`.
   */
  debug?: string[];
  /** The process's name in failure messages (default "server"). */
  proc?: string;
  /** `--noio` (default): the server's own terminal takes no part; false lets it type. */
  noio?: boolean;
  /** More server flags, before the endpoints (`--log FILE`). */
  flags?: string[];
  /** A command that runs the server elsewhere (a namespace): see {@link Proc}. */
  wrap?: string[];
}

/**
 * A scratch directory and the processes a test starts in it: the one place an e2e test gets its
 * processes from, so that disposal stops them all (last started first) and removes the
 * directory, even when a step of the disposal fails; and a wait that times out prints the
 * output of every process of the test, since the reason is often on the other side.
 */
export interface TestScratch extends AsyncDisposable {
  dir: string;
  /** The scratch directory's environment plus the fixture's `env` (what processes are given). */
  env: Record<string, string>;
  /** Start `dbgremote ARGS` (or `program ARGS`, see {@link Proc}) in the scratch environment. */
  spawn(
    name: string,
    args: string[],
    env?: Record<string, string>,
    options?: { cwd?: string; wrap?: string[]; program?: string },
  ): Proc;
  /**
   * `dbgremote server --noio [--name NAME] [FLAGS] ENDPOINTS... -- gdb [--args] PROGRAM [ARGS...]`;
   * wait
   * for its endpoints with {@link listeningAddress}.
   */
  startServer(program: string, options?: ServerOptions): Proc;
}

/** A {@link TestScratch} for a test that starts its own processes (fails, labs, restarts). */
export function withScratch(env: Record<string, string> = {}): TestScratch {
  requireBinary();
  const tmp = scratch();
  const procs: Proc[] = [];
  const all = { ...tmp.env, ...env };
  const spawn: TestScratch["spawn"] = (name, args, extra = {}, o = {}) => {
    const p = new Proc(name, args, { ...all, ...extra }, o.cwd, o.wrap, o.program);
    procs.push(p);
    p.companions = procs;
    return p;
  };
  return {
    dir: tmp.dir,
    env: all,
    spawn,
    startServer(program, o = {}) {
      const endpoints = o.endpoints ?? [o.endpoint ?? "npipe:pipe=session-%d"];
      const name = o.name === undefined ? [] : ["--name", o.name];
      const debug = o.debug ??
        ["gdb", ...(o.args === undefined ? [program] : ["--args", program, ...o.args])];
      const noio = o.noio === false ? [] : ["--noio"];
      return spawn(
        o.proc ?? "server",
        ["server", ...noio, ...name, ...(o.flags ?? []), ...endpoints, "--", ...debug],
        o.env,
        { wrap: o.wrap },
      );
    },
    async [Symbol.asyncDispose]() {
      const errors: unknown[] = [];
      for (const d of [...[...procs].reverse(), tmp]) {
        try {
          await d[Symbol.asyncDispose]();
        } catch (err) {
          errors.push(err);
        }
      }
      if (errors.length) throw new AggregateError(errors, "e2e disposal failed");
    },
  };
}

/** A server of `name` on loopback tcp running `debug` (lldb's or pdb's command line, say). */
export function debugServer(tmp: TestScratch, name: string, debug: string[]): Proc {
  return tmp.startServer("", /* the program is in `debug` */ {
    name,
    endpoint: "tcp:port=0,server=127.0.0.1",
    debug,
  });
}

/** How to start a {@link withServer} session. */
export interface SessionOptions extends ServerOptions {
  /** `env` is everyone's (server and clients); this is on top of it, for the server alone. */
  serverEnv?: Record<string, string>;
  /** The program gdb debugs, or how to build it in the scratch directory (default samples/demo.c). */
  program?: string | ((dir: string) => string);
}

/** How {@link TestSession.join} starts a client. */
export interface JoinOptions {
  /** Client flags before the address (`--reconnect`, `--observe`). */
  args?: string[];
  /** Another address than the session's first endpoint's. */
  address?: string;
  /** On top of the session's environment (a password). */
  env?: Record<string, string>;
}

/** A running server in a {@link TestScratch}, for tests that join clients to one session. */
export interface TestSession extends TestScratch {
  program: string;
  server: Proc;
  /** The address clients give (`dbgremote client ADDRESS`) for the first endpoint. */
  address: string;
  /** The address the server printed for its `n`-th endpoint of `transport` (0 is the first). */
  addressOf(transport: string, n?: number): Promise<string>;
  /**
   * Start `dbgremote client --user USER [ARGS] ADDRESS` and wait until it is connected (to the
   * server's `name`, when the options gave one).
   */
  join(user: string, options?: string[] | JoinOptions): Promise<Proc>;
  /** Start another server like the first (a restart), in the same scratch directory. */
  restart(options?: ServerOptions): Proc;
  /** `by` types q: the server must exit with `code`. */
  quit(by: Proc, code?: number): Promise<void>;
}

/**
 * The e2e preamble as one fixture: a scratch directory, the sample program (or `program`), a
 * `dbgremote server` on its endpoints, clients joined on demand. A live session in one line:
 * `await using s = await withServer(); const alice = await s.join("alice");`. Everything is
 * stopped on dispose, as {@link withScratch} does.
 */
export async function withServer(options: SessionOptions = {}): Promise<TestSession> {
  const tmp = withScratch(options.env);
  try {
    return await serve(tmp, options);
  } catch (err) {
    await tmp[Symbol.asyncDispose]();
    throw err;
  }
}

/**
 * {@link withServer} in a scratch directory the test prepared first (a certificate, a lab file):
 * `await using tmp = withScratch(); ...; const s = await serve(tmp, {...});`. The scratch
 * directory's disposal stops the session.
 */
export async function serve(tmp: TestScratch, options: SessionOptions = {}): Promise<TestSession> {
  const program = typeof options.program === "function"
    ? options.program(tmp.dir)
    : options.program ?? buildSample(tmp.dir);
  const server = tmp.startServer(program, { ...options, env: options.serverEnv });
  const first = (options.endpoints ?? [options.endpoint ?? "npipe:"])[0];
  const address = await listeningAddress(server, first.slice(0, first.indexOf(":")) as "npipe");
  const connected = options.name === undefined
    ? "*** connected"
    : `*** connected to ${options.name}`;
  return {
    ...tmp,
    program,
    server,
    address,
    addressOf: (transport, n = 0) => nthAddress(server, transport, n),
    async join(user, how = {}) {
      const o = Array.isArray(how) ? { args: how } : how;
      const args = ["client", "--user", user, ...(o.args ?? []), o.address ?? address];
      const client = tmp.spawn(user, args, o.env);
      await client.waitFor(connected);
      return client;
    },
    restart: (o = {}) =>
      tmp.startServer(program, {
        ...options,
        env: options.serverEnv,
        proc: "server again",
        ...o,
      }),
    async quit(by, code = 0) {
      by.send("q");
      assert.equal((await server.wait(20_000)).code, code, `${server.name}'s exit code`);
    },
  };
}

/** The `n`-th `listening on TRANSPORT:... dbgremote client ADDRESS` the server printed. */
async function nthAddress(server: Proc, transport: string, n: number): Promise<string> {
  const re = new RegExp(`listening on ${transport}:\\S*: dbgremote client (\\S+)`, "g");
  await server.waitFor(new RegExp(`(listening on ${transport}:[^\\n]*\\n[^]*){${n + 1}}`));
  return [...server.stdout.matchAll(re)][n][1];
}

/**
 * A serial cable made by socat (apt-get install socat), stopped with the scratch directory:
 * `tty` is the pty a server opens (`com:port=TTY`); `other` is the far end, a second pty (a
 * null-modem pair) or, with `end: "socket"`, a unix socket the test writes raw bytes to. Ready
 * when socat says both ends are open (its -d -d notices), not after a guessed delay.
 */
export async function serialCable(
  tmp: TestScratch,
  end: "pty" | "socket" = "pty",
): Promise<{ tty: string; other: string; socat: Proc }> {
  const tty = path.join(tmp.dir, "ttyA");
  const other = path.join(tmp.dir, end === "pty" ? "ttyB" : "line.sock");
  const far = end === "pty" ? `pty,raw,echo=0,link=${other}` : `UNIX-LISTEN:${other}`;
  const socat = tmp.spawn("socat", ["-d", "-d", `pty,raw,echo=0,link=${tty}`, far], {}, {
    program: "socat",
  });
  await socat.waitFor(end === "pty" ? /starting data transfer loop/ : /listening on AF=1 /, {
    stream: "stderr",
    timeoutMs: 5000,
  });
  return { tty, other, socat };
}

/**
 * One check of a longer story, as a step of the test: a failing step is reported and the next
 * ones still run, so the first failure does not hide the others. The story's processes outlive
 * its steps: the sanitizers are the test's, not the step's.
 */
export async function step(
  t: Deno.TestContext,
  name: string,
  fn: () => Promise<void> | void,
): Promise<boolean> {
  return await t.step({ name, fn, sanitizeOps: false, sanitizeResources: false });
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
