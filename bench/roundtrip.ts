/**
 * The bench, one run, one table: the same gdb commands driven directly over gdb/MI and through
 * dbgremote (the compiled binary), ratios side by side.
 *
 * - `print x` at a breakpoint: gdb/MI direct; one bare loopback tcp round trip (the floor any
 *   remote debugger pays); through the server with 1 and 10 clients in this process and over
 *   the browser's WebSocket; and as a user sees it: typed into the compiled console client's
 *   stdin and read from its stdout, alone and with 9 light observers watching.
 * - Fan-out: `x/320xg $sp` (about 9 KB) to 100 observers, timed until the last one has it.
 * - The room: 1,000 observers join (total time), the server's RSS with them, and `print x`
 *   from an operator until all 1,000 have its `done`.
 * - With `ENGINES=1`: `p x` through the lldb and Python engines against their adapters direct.
 *
 * Observers are light raw-protocol peers in their own process (bench/swarm.ts), so what is
 * measured is the server's cost.
 *
 *   deno task bench            (builds dist/dbgremote first)
 *   ROUNDS=2000 deno task bench     BINARY=path deno task bench (another build)
 *   ONLY=room deno run -A bench/roundtrip.ts   (the room alone, on the built binary)
 *   ONLY=user ...   (print x alone: direct, the floor, in-process clients, the console client)
 *   ONLY=engines ...   (the lldb and Python rows alone)
 *   ROOM_LOOPBACK=1 ...   (the room on loopback with the session token, observers from 16
 *                          loopback addresses, rather than on the network address)
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { parseConnStr } from "../src/connstr.ts";
import type { Done, SessionEvent } from "../src/protocol/messages.ts";
import { createHttpTransport } from "../src/transport/http/transport.ts";
import { createTcpTransport } from "../src/transport/tcp.ts";
import { CURRENT } from "../src/version.ts";
import { openClient } from "../src/client/connection.ts";
import { directDap } from "./dap_direct.ts";
import { spawn } from "node:child_process";
import { directGdb, now, type Server, startConsole, startServer, startSwarm } from "./paths.ts";

const ROUNDS = Number(process.env.ROUNDS ?? 500);
const FAN_ROUNDS = Math.max(20, Math.round(ROUNDS / 2));
const ROOM_ROUNDS = Math.max(10, Math.round(ROUNDS / 20));
const ROOM = Number(process.env.ROOM ?? 1000);
/** Warm-up rounds of the fan-out, the room and the engines' rows (each round is long). */
const WARMUP = 50;
/**
 * Warm-up rounds of the `print x` rows: a fresh server's first few hundred commands run while
 * JavaScriptCore still compiles its path (measured: about twice the steady cost over the first
 * 250), which the "first 200 commands" row shows on its own.
 */
const PRINT_WARMUP = Number(process.env.WARMUP ?? 500);
const COLD_ROUNDS = 200;
const root = path.resolve(import.meta.dirname!, "..");
const binary = process.env.BINARY ?? path.join(root, "dist/dbgremote");
const PRINT = "print x";
const DUMP = "x/320xg $sp";

function buildProgram(dir: string): { program: string; line: number } {
  const src = fs.readFileSync(path.join(root, "samples/demo.c"), "utf8");
  fs.writeFileSync(path.join(dir, "demo.c"), src);
  execFileSync("cc", ["-g", "-O0", "-o", path.join(dir, "demo"), path.join(dir, "demo.c")]);
  // Stop after x has its first value: the line holding the LINE:after-x marker.
  const line = src.split("\n").findIndex((l) => l.includes("LINE:after-x")) + 1;
  if (line === 0) throw new Error("samples/demo.c has no LINE:after-x marker");
  return { program: path.join(dir, "demo"), line };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

interface Row {
  name: string;
  p50: number;
  p99: number;
  /** The row its ratio is to. */
  base?: Row;
  /** What #11 asks of it, shown beside it. */
  target?: string;
  unit?: string;
}

function summarize(name: string, samples: number[], base?: Row, target?: string): Row {
  const sorted = [...samples].sort((a, b) => a - b);
  return { name, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), base, target };
}

/** Time `rounds` (after a warm-up) of `once`, which resolves with one sample in ms. */
async function sample(rounds: number, once: () => Promise<number>, warmup = PRINT_WARMUP) {
  const samples: number[] = [];
  for (let i = 0; i < warmup + rounds; i++) {
    const ms = await once();
    if (i >= warmup) samples.push(ms);
  }
  return samples;
}

/** gdb/MI directly: `command` at the breakpoint, timed to its ^done. */
async function direct(
  program: string,
  line: number,
  command: string,
  rounds: number,
  warmup = PRINT_WARMUP,
) {
  const gdb = await directGdb(program);
  await gdb.send(`-break-insert demo.c:${line}`);
  await gdb.send("-exec-run", /^\*stopped/);
  const samples = await sample(rounds, async () => {
    const t0 = performance.now();
    await gdb.send(`-interpreter-exec console "${command.replaceAll("$", "\\$")}"`);
    return performance.now() - t0;
  }, warmup);
  gdb.close();
  return samples;
}

/** A client of `server` in this process that runs commands one at a time; resolves at done. */
async function operator(server: Server, user = "op") {
  let resolveDone: ((d: Done) => void) | undefined;
  const events: SessionEvent[] = [];
  const conn = await server.connect(user, (e) => {
    events.push(e);
    if (e.t === "done" && resolveDone) {
      const r = resolveDone;
      resolveDone = undefined;
      r(e);
    }
  });
  const run = (text: string) =>
    new Promise<Done>((resolve) => {
      resolveDone = resolve;
      conn.command(text);
    });
  return { conn, run, events };
}

/** Stop at the line, from an operator in this process. */
async function stopAt(run: (t: string) => Promise<Done>, words: EngineWords) {
  await run(words.breakAt);
  await run(words.run);
}

async function quit(server: Server, conn: { command(t: string): number }) {
  conn.command("q");
  await server.closed;
}

/** An engine's words for the benchmark: how to start it, stop at the line, and print x. */
interface EngineWords {
  debug: string[];
  breakAt: string;
  run: string;
  print: string;
}

const gdbWords = (program: string, line: number): EngineWords => ({
  debug: ["gdb", program],
  breakAt: `break demo.c:${line}`,
  run: "run",
  print: PRINT,
});

/** Through dbgremote: `clients` connections in this process, the first issuing the commands. */
async function throughServer(
  clients: number,
  words: EngineWords,
  via: "tcp" | "http" = "tcp",
  warmup = PRINT_WARMUP,
) {
  if (via === "http") return await throughWeb(words);
  const server = await startServer(binary, words.debug);
  const op = await operator(server);
  const others = [];
  for (let i = 1; i < clients; i++) others.push(await server.connect(`watcher${i}`));
  await stopAt(op.run, words);
  const samples = await sample(ROUNDS, async () => {
    const t0 = performance.now();
    await op.run(words.print);
    return performance.now() - t0;
  }, warmup);
  await quit(server, op.conn);
  return samples;
}

/** One client over the browser's WebSocket (an http endpoint). */
async function throughWeb(words: EngineWords): Promise<number[]> {
  const server = spawn(binary, [
    "server",
    "--noio",
    "--nodiscover",
    "http:port=0,server=127.0.0.1",
    "--",
    ...words.debug,
  ], { stdio: ["ignore", "pipe", "inherit"] });
  const closed = new Promise((r) => server.on("close", r));
  let out = "";
  const address = await new Promise<string>((resolve, reject) => {
    server.stdout!.setEncoding("utf8").on("data", (s: string) => {
      out += s;
      const m = out.match(/open http:\/\/(127\.0\.0\.1):(\d+)\/\S* in a browser/);
      if (m) resolve(`http:server=${m[1]},port=${m[2]}`);
    });
    server.on("exit", () => reject(new Error(`server exited:\n${out}`)));
  });
  const { readToken } = await import("../src/transport/loopback_token.ts");
  const { pipeDirectory } = await import("../src/transport/npipe.ts");
  const spec = parseConnStr(address, "connect");
  let resolveDone: (() => void) | undefined;
  const conn = await openClient(await createHttpTransport().connect(spec), {
    who: { user: "bench", host: os.hostname(), tool: "bench" },
    version: CURRENT,
    token: readToken(pipeDirectory(), (spec as { port: number }).port),
    onEvent: (e) => {
      if (e.t === "done" && resolveDone) resolveDone();
    },
  });
  const run = (text: string) =>
    new Promise<void>((resolve) => {
      resolveDone = resolve;
      conn.command(text);
    });
  await run(words.breakAt);
  await run(words.run);
  const samples = await sample(ROUNDS, async () => {
    const t0 = performance.now();
    await run(words.print);
    return performance.now() - t0;
  });
  conn.command("q");
  await closed;
  return samples;
}

/**
 * As a user sees it: `print x` typed into the compiled console client's stdin, timed until its
 * answer shows on its stdout; `watchers` light observers watch. `cold`: a fresh server's and
 * client's first COLD_ROUNDS commands, no warm-up.
 */
async function userView(words: EngineWords, watchers: number, cold = false): Promise<number[]> {
  const server = await startServer(binary, words.debug);
  const swarm = watchers ? startSwarm(server, watchers) : undefined;
  await swarm?.joined;
  const client = await startConsole(binary, server);
  await client.type(words.breakAt, /Breakpoint 1 at/);
  await client.type(words.run, /-- stopped at/);
  const samples = await sample(cold ? COLD_ROUNDS : ROUNDS, async () => {
    const t0 = now();
    return (await client.type(words.print, /\$\d+ = \d+\r?\n/)) - t0;
  }, cold ? 0 : PRINT_WARMUP);
  await client.type("q", /session ended/);
  await client.close();
  await server.closed;
  await swarm?.close();
  return samples;
}

/** `command` from an operator until the last of `observers` has its done. */
async function fanOut(words: EngineWords, observers: number, command: string, rounds: number) {
  // Over the network address with a password, as observers in a hall come from other machines
  // (though here from one address: 8 of them in their handshake at once, prelogin_gate.ts).
  const server = await startServer(binary, words.debug, {
    network: process.env.ROOM_LOOPBACK !== "1",
  });
  const rssBefore = server.rss().now;
  const cpuBefore = server.cpuSeconds();
  const swarm = startSwarm(server, observers);
  const joinMs = await swarm.joined;
  const swarmCpu = await swarm.joinCpu;
  const cpuAfter = server.cpuSeconds();
  const joinCpu = {
    user: cpuAfter.user - cpuBefore.user,
    system: cpuAfter.system - cpuBefore.system,
  };
  const rss = server.rss();
  const op = await operator(server);
  await stopAt(op.run, words);
  const samples = await sample(rounds, async () => {
    const t0 = now();
    const done = await op.run(command);
    return (await swarm.doneAt(done.seq)) - t0;
  }, Math.min(WARMUP, rounds));
  await quit(server, op.conn);
  await swarm.close();
  return { samples, joinMs, joinCpu, swarmCpu, rss, rssBefore };
}

/**
 * The floor of a server in between: bench/relay.ts, a bun process passing MI commands to gdb
 * and its result records back over loopback tcp, with nothing of dbgremote's.
 */
async function relayFloor(program: string, line: number): Promise<number[]> {
  const relay = spawn(path.join(root, "node_modules/.bin/bun"), [
    path.join(root, "bench/relay.ts"),
    program,
  ], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve) =>
    relay.stdout!.setEncoding("utf8").once("data", (s: string) => resolve(Number(s.trim())))
  );
  const socket = net.connect({ host: "127.0.0.1", port, noDelay: true });
  let received = "";
  let waiting: { until: RegExp; resolve: () => void } | undefined;
  socket.setEncoding("utf8").on("data", (s: string) => {
    received += s;
    if (waiting?.until.test(received)) {
      const w = waiting;
      waiting = undefined;
      received = "";
      w.resolve();
    }
  });
  let token = 0;
  const send = (command: string, until?: RegExp) =>
    new Promise<void>((resolve) => {
      const t = ++token;
      waiting = { until: until ?? new RegExp(`^${t}\\^(done|error)`, "m"), resolve };
      socket.write(`${t}${command}\n`);
    });
  await send(`-break-insert demo.c:${line}`);
  await send("-exec-run", /^\*stopped/m);
  const samples = await sample(ROUNDS, async () => {
    const t0 = performance.now();
    await send(`-interpreter-exec console "${PRINT}"`);
    return performance.now() - t0;
  });
  socket.destroy();
  await new Promise((r) => relay.on("close", r));
  return samples;
}

/** The floor: one loopback tcp round trip to a separate process that echoes a small message. */
async function tcpFloor(): Promise<number[]> {
  const echo = spawn(process.execPath, [
    "eval",
    `import net from "node:net";
     const s = net.createServer({ noDelay: true }, (c) => c.on("data", (d) => c.write(d)));
     s.listen(0, "127.0.0.1", () => console.log(s.address().port));`,
  ], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve) =>
    echo.stdout!.setEncoding("utf8").once("data", (s: string) => resolve(Number(s.trim())))
  );
  const tcp = createTcpTransport();
  const ch = await tcp.connect(parseConnStr(`tcp:server=127.0.0.1,port=${port}`, "connect"));
  let wake: (() => void) | undefined;
  ch.start({ data: () => wake?.(), close() {} });
  const msg = new TextEncoder().encode('{"t":"cmd","id":1,"text":"print x"}');
  const samples = await sample(ROUNDS, async () => {
    const t0 = performance.now();
    await new Promise<void>((r) => {
      wake = r;
      ch.write(msg);
    });
    return performance.now() - t0;
  });
  ch.destroy();
  echo.kill();
  return samples;
}

function have(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** lldb and Python: `p x` through dbgremote against the same request straight to the adapter. */
async function engineRows(dir: string, program: string, line: number): Promise<Row[]> {
  const rows: Row[] = [];
  if (have("lldb-dap-19", ["--help"])) {
    const base = summarize(
      "lldb-dap direct",
      await directDap(
        {
          command: "lldb-dap-19",
          args: [],
          breakBefore: `\`b demo.c:${line}`,
          launch: { program, commandEscapePrefix: "" },
          evaluate: { expression: "p x", context: "repl" },
        },
        ROUNDS,
        WARMUP,
      ),
    );
    rows.push(base);
    rows.push(summarize(
      "dbgremote lldb",
      await throughServer(
        1,
        {
          debug: ["lldb-19", program],
          breakAt: `b demo.c:${line}`,
          run: "run",
          print: "p x",
        },
        "tcp",
        WARMUP,
      ),
      base,
    ));
  }
  const python = "/usr/bin/python3";
  if (have(python, ["-c", "import debugpy"])) {
    const src = fs.readFileSync(path.join(root, "samples/demo.py"), "utf8");
    const script = path.join(dir, "demo.py");
    fs.writeFileSync(script, src);
    const pyLine = src.split("\n").findIndex((l) => l.includes("LINE:after-x")) + 1;
    const base = summarize(
      "debugpy direct",
      await directDap(
        {
          command: python,
          args: ["-m", "debugpy.adapter"],
          breakAfter: { path: script, line: pyLine },
          launch: { program: script, python: [python], console: "internalConsole" },
          evaluate: { expression: "x", context: "watch" },
        },
        ROUNDS,
        WARMUP,
      ),
    );
    rows.push(base);
    rows.push(summarize(
      "dbgremote python",
      await throughServer(
        1,
        {
          debug: [python, "-m", "pdb", script],
          breakAt: `b ${script}:${pyLine}`,
          run: "c",
          print: "p x",
        },
        "tcp",
        WARMUP,
      ),
      base,
    ));
  }
  return rows;
}

function printTable(rows: Row[]): void {
  const w = Math.max(...rows.map((r) => r.name.length));
  const num = (n: number, unit = "ms") => `${n.toFixed(unit === "ms" ? 3 : 1)} ${unit}`;
  const head = ["path", "p50", "p99", "p50 ratio", "p99 ratio", "target (#11)"];
  const body = rows.map((r) => [
    r.name,
    num(r.p50, r.unit),
    r.unit ? "" : num(r.p99),
    r.base ? `${(r.p50 / r.base.p50).toFixed(2)}x` : "",
    r.base ? `${(r.p99 / r.base.p99).toFixed(2)}x` : "",
    r.target ?? "",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length), i ? 0 : w));
  const line = (cells: string[]) =>
    `| ${
      cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")
    } |`;
  console.log("\n" + line(head));
  console.log(`| ${widths.map((n) => "-".repeat(n)).join(" | ")} |`);
  for (const b of body) console.log(line(b));
}

if (!fs.existsSync(binary)) throw new Error(`${binary} is missing: run \`deno task compile\``);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-bench-"));
try {
  const { program, line } = buildProgram(dir);
  const words = gdbWords(program, line);
  console.log(
    `print x at demo.c:${line}: ${ROUNDS} rounds (+${PRINT_WARMUP} warm-up); ` +
      `${DUMP}: ${FAN_ROUNDS} (+${WARMUP}); ` +
      `the room: ${ROOM} observers, ${ROOM_ROUNDS} rounds; ${os.cpus().length} cores; ${binary}`,
  );
  const base = summarize("gdb/MI direct: print x", await direct(program, line, PRINT, ROUNDS));
  const rows: Row[] = [base];
  const only = process.env.ONLY;
  if (only === "engines") {
    rows.push(...await engineRows(dir, program, line));
    printTable(rows);
    process.exit(0);
  }
  const roomOnly = only === "room";
  const add = (r: Row) => {
    rows.push(r);
    console.error(`  ${r.name}: p50 ${r.p50.toFixed(3)}, p99 ${r.p99.toFixed(3)}`);
  };
  add(summarize("tcp hop alone (floor)", await tcpFloor(), base));
  add(summarize("a bare relay between (floor)", await relayFloor(program, line), base));
  if (!roomOnly) {
    add(summarize("dbgremote, 1 client", await throughServer(1, words), base));
    add(summarize("dbgremote, 10 clients", await throughServer(10, words), base));
    add(summarize("dbgremote, WebSocket", await throughServer(1, words, "http"), base));
    add(summarize("console client, alone", await userView(words, 0), base, "p50 <= 2.0x"));
    add(summarize("console client, 9 watching", await userView(words, 9), base, "p50 <= 2.5x"));
    add(summarize(
      `console client, first ${COLD_ROUNDS} commands`,
      await userView(words, 0, true),
      base,
    ));
  }
  if (only === "user") {
    printTable(rows);
    process.exit(0);
  }
  if (!roomOnly) {
    const dumpBase = summarize(
      `gdb/MI direct: ${DUMP}`,
      await direct(program, line, DUMP, FAN_ROUNDS, WARMUP),
    );
    add(dumpBase);
    const fan = await fanOut(words, 100, DUMP, FAN_ROUNDS);
    add(summarize(`${DUMP}, last of 100 observers`, fan.samples, dumpBase, "p50 <= 1.5x"));
  }
  const room = await fanOut(words, ROOM, PRINT, ROOM_ROUNDS);
  add({
    name: `room: ${ROOM} observers join`,
    p50: room.joinMs / 1000,
    p99: 0,
    unit: "s",
    target: `<= 5 s (server CPU: user ${room.joinCpu.user.toFixed(1)} s, ` +
      `system ${room.joinCpu.system.toFixed(1)} s; swarm ${room.swarmCpu.toFixed(1)} s)`,
  });
  add({
    name: `room: server RSS with ${ROOM}`,
    p50: room.rss.now,
    p99: 0,
    unit: "MiB",
    target: `<= 200 MiB (peak ${room.rss.peak.toFixed(0)}, alone ${room.rssBefore.toFixed(0)})`,
  });
  add(summarize(`room: print x to all ${ROOM}`, room.samples, base, "p50 <= 100 ms"));
  if (process.env.ENGINES === "1") rows.push(...await engineRows(dir, program, line));
  printTable(rows);
  const one = rows.find((r) => r.name === "dbgremote, 1 client");
  const floor = rows[1];
  if (one) {
    console.log(
      `\nratios are to gdb/MI direct for the same command (lldb and python rows: to their own ` +
        `adapter). Any remote path costs at least direct + one tcp hop: ` +
        `${
          ((base.p50 + floor.p50) / base.p50).toFixed(2)
        }x at p50 here; dbgremote's own share at ` +
        `p50 (1 client): ${(one.p50 - base.p50 - floor.p50).toFixed(3)} ms.`,
    );
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
