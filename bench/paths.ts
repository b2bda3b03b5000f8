/**
 * The bench's real processes: the compiled server, a swarm of raw-protocol observers in their
 * own process (bench/swarm.ts), the compiled console client driven through its stdin and read
 * from its stdout (what a user sees), and gdb/MI driven directly for the baseline.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { type ClientConnection, openClient } from "../src/client/connection.ts";
import { parseConnStr, type TcpSpec } from "../src/connstr.ts";
import type { SessionEvent } from "../src/protocol/messages.ts";
import { readToken } from "../src/transport/loopback_token.ts";
import { pipeDirectory } from "../src/transport/npipe.ts";
import { createTcpTransport } from "../src/transport/tcp.ts";
import { CURRENT } from "../src/version.ts";

/** Epoch ms with sub-ms precision, comparable across this machine's processes. */
export const now = () => performance.timeOrigin + performance.now();

/** Lines of a child's stdout, each to `onLine`. */
function lines(child: ChildProcess, onLine: (line: string) => void): void {
  let buffer = "";
  child.stdout!.setEncoding("utf8").on("data", (s: string) => {
    buffer += s;
    let nl;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      onLine(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
    }
  });
}

export interface Server {
  proc: ChildProcess;
  address: string;
  spec: TcpSpec;
  /** The password, or the loopback endpoint's session token (the console client finds that). */
  token?: string;
  /** Resident memory now and at its peak, MiB (Linux). */
  rss(): { now: number; peak: number };
  /** CPU time it has used so far, in user space and in the kernel, in seconds (Linux). */
  cpuSeconds(): { user: number; system: number };
  /** A client in this process: events to `onEvent`. */
  connect(user: string, onEvent?: (e: SessionEvent) => void): Promise<ClientConnection>;
  closed: Promise<unknown>;
}

/** `dbgremote server --noio --nodiscover tcp:port=0,server=127.0.0.1 -- DEBUG...` */
export interface ServerOptions {
  /** Arguments before `server` (e.g. a runtime's profiler flags and main.ts). */
  before?: string[];
  /**
   * Listen on this machine's network address with a password, as a room's observers come in
   * from other machines; default: loopback, with the session token.
   */
  network?: boolean;
}

/** This machine's first non-loopback IPv4 address, if it has one. */
export function networkAddress(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return undefined;
}

const BENCH_PASSWORD = "bench-password-not-secret";

export async function startServer(
  binary: string,
  debug: string[],
  options: ServerOptions = {},
): Promise<Server> {
  const host = options.network ? networkAddress() : undefined;
  const endpoint = host
    ? `tcp:port=0,server=${host},password_env=BENCH_PW`
    : "tcp:port=0,server=127.0.0.1";
  const proc = spawn(binary, [
    ...(options.before ?? []),
    "server",
    "--noio",
    "--nodiscover",
    endpoint,
    "--",
    ...debug,
  ], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, BENCH_PW: BENCH_PASSWORD } });
  const closed = new Promise((r) => proc.on("close", r));
  let out = "";
  const address = await new Promise<string>((resolve, reject) => {
    proc.stdout!.setEncoding("utf8").on("data", (s: string) => {
      out += s;
      const m = out.match(/dbgremote client (tcp:\S+)/);
      if (m) resolve(m[1]);
    });
    proc.on("exit", () => reject(new Error(`server exited:\n${out}`)));
  });
  const spec = parseConnStr(address, "connect") as TcpSpec;
  const token = host ? BENCH_PASSWORD : readToken(pipeDirectory(), spec.port!);
  const tcp = createTcpTransport();
  return {
    proc,
    address,
    spec,
    token,
    rss() {
      const status = fs.readFileSync(`/proc/${proc.pid}/status`, "utf8");
      const kib = (f: string) => Number(new RegExp(`${f}:\\s+(\\d+) kB`).exec(status)![1]);
      return { now: kib("VmRSS") / 1024, peak: kib("VmHWM") / 1024 };
    },
    cpuSeconds() {
      // Fields 14 and 15 of /proc/PID/stat, after the command's parenthesis; clock ticks of 10 ms.
      const stat = fs.readFileSync(`/proc/${proc.pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
    },
    async connect(user, onEvent = () => {}) {
      return await openClient(await tcp.connect(spec), {
        who: { user, host: os.hostname(), tool: "bench" },
        version: CURRENT,
        token,
        password: host ? BENCH_PASSWORD : undefined,
        onEvent,
      });
    },
    closed,
  };
}

export interface Swarm {
  /** ms the swarm took to get every observer welcomed. */
  joined: Promise<number>;
  /** CPU seconds the swarm itself spent until then (it shares the machine with the server). */
  joinCpu: Promise<number>;
  /** When the last observer got the `done` of command `seq` (epoch ms). */
  doneAt(seq: number): Promise<number>;
  close(): Promise<void>;
}

/** `count` light observers in their own process (bench/swarm.ts, run by bun). */
export function startSwarm(server: Server, count: number): Swarm {
  // Under bun: its sockets cost a fraction of deno's node:net emulation per read, and the
  // swarm shares the machine's cores with the server it measures.
  const child = spawn(path.join(import.meta.dirname!, "../node_modules/.bin/bun"), [
    path.join(import.meta.dirname!, "swarm.ts"),
    server.spec.server ?? "127.0.0.1",
    String(server.spec.port),
    String(count),
    server.token ?? "",
  ], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<void>((r) => child.on("close", () => r()));
  const dones = new Map<number, number>();
  const waiting = new Map<number, (at: number) => void>();
  let joined!: (ms: number) => void;
  let joinCpu!: (s: number) => void;
  const joinCpuP = new Promise<number>((resolve) => (joinCpu = resolve));
  const joinedP = new Promise<number>((resolve, reject) => {
    joined = resolve;
    void exited.then(() => reject(new Error("the swarm exited before all joined")));
  });
  lines(child, (line) => {
    const m = JSON.parse(line);
    if (m.joined !== undefined) {
      joinCpu(m.cpu);
      return joined(m.joined);
    }
    const w = waiting.get(m.done);
    if (w) {
      waiting.delete(m.done);
      w(m.at);
    } else dones.set(m.done, m.at);
  });
  return {
    joined: joinedP,
    joinCpu: joinCpuP,
    doneAt(seq) {
      const at = dones.get(seq);
      if (at !== undefined) {
        dones.delete(seq);
        return Promise.resolve(at);
      }
      return new Promise((resolve) => waiting.set(seq, resolve));
    },
    async close() {
      child.stdin!.end();
      await exited;
    },
  };
}

/** The compiled console client, typed into and read from like a person at a terminal. */
export interface ConsoleClient {
  /** Type a line; resolves at the time the first output matching `until` shows. */
  type(line: string, until: RegExp): Promise<number>;
  close(): Promise<void>;
}

export async function startConsole(binary: string, server: Server): Promise<ConsoleClient> {
  const child = spawn(binary, ["client", "--user", "bench", server.address], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<void>((r) => child.on("close", () => r()));
  let screen = "";
  let wake: (() => void) | undefined;
  child.stdout!.setEncoding("utf8").on("data", (s: string) => {
    screen += s;
    wake?.();
  });
  const shows = (re: RegExp) =>
    new Promise<number>((resolve) => {
      const look = () => {
        const m = re.exec(screen);
        if (!m) return;
        const at = now();
        screen = screen.slice(m.index + m[0].length);
        wake = undefined;
        resolve(at);
      };
      wake = look;
      look();
    });
  await shows(/\*\*\* (?:type debugger commands|you are an observer)/);
  return {
    type(line, until) {
      const shown = shows(until);
      child.stdin!.write(line + "\n");
      return shown;
    },
    async close() {
      child.stdin!.end();
      await exited;
    },
  };
}

/** gdb/MI driven directly: `send` resolves at the command's ^done (or a line matching `until`). */
export async function directGdb(program: string) {
  const gdb: ChildProcess = spawn("gdb", ["--interpreter=mi3", "--nx", "--quiet", program], {
    stdio: ["pipe", "pipe", "ignore"],
  });
  let waiting: { resolve: () => void; until: RegExp } | undefined;
  lines(gdb, (l) => {
    if (waiting && waiting.until.test(l)) {
      const w = waiting;
      waiting = undefined;
      w.resolve();
    }
  });
  let token = 0;
  return {
    send: (cmd: string, until?: RegExp) =>
      new Promise<void>((resolve) => {
        const t = ++token;
        waiting = { resolve, until: until ?? new RegExp(`^${t}\\^(done|error)`) };
        gdb.stdin!.write(`${t}${cmd}\n`);
      }),
    close: () => gdb.kill("SIGKILL"),
  };
}
