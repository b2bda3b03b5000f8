/**
 * Round-trip benchmark: the same gdb command (`print x` at a breakpoint,
 * many times) driven directly over gdb/MI, and through dbgremote (the
 * compiled binary as server, this process as client) with 1 and with 10
 * clients connected over tcp, and with 1 client over the browser client's
 * WebSocket (http endpoint). Prints p50/p99 and the ratio to direct, in one run. Then the
 * same for the lldb and Python engines: `p x` through dbgremote versus the same request
 * sent straight to lldb-dap / debugpy (rows skipped when the debugger is not installed).
 *
 *   deno task bench            (builds dist/dbgremote first)
 *   ROUNDS=2000 deno task bench
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { type ClientConnection, openClient } from "../src/client/connection.ts";
import { parseConnStr } from "../src/connstr.ts";
import type { SessionEvent } from "../src/protocol/messages.ts";
import { createHttpTransport } from "../src/transport/http/transport.ts";
import { createTcpTransport } from "../src/transport/tcp.ts";
import { CURRENT } from "../src/version.ts";
import { directDap } from "./dap_direct.ts";

const ROUNDS = Number(process.env.ROUNDS ?? 500);
const WARMUP = 50;
const root = path.resolve(import.meta.dirname!, "..");
const binary = path.join(root, "dist/dbgremote");

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
}

function summarize(name: string, samples: number[]): Row {
  const sorted = [...samples].sort((a, b) => a - b);
  return { name, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

/** gdb/MI directly: one token per command, timed to its ^done. */
async function direct(program: string, line: number): Promise<number[]> {
  const gdb: ChildProcess = spawn("gdb", ["--interpreter=mi3", "--nx", "--quiet", program], {
    stdio: ["pipe", "pipe", "ignore"],
  });
  let buffer = "";
  let waiting: { token: number; resolve: () => void; until: RegExp } | undefined;
  gdb.stdout!.setEncoding("utf8").on("data", (s: string) => {
    buffer += s;
    let nl;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const l = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (waiting && waiting.until.test(l)) {
        const w = waiting;
        waiting = undefined;
        w.resolve();
      }
    }
  });
  let token = 0;
  const send = (cmd: string, until?: RegExp) =>
    new Promise<void>((resolve) => {
      const t = ++token;
      waiting = { token: t, resolve, until: until ?? new RegExp(`^${t}\\^(done|error)`) };
      gdb.stdin!.write(`${t}${cmd}\n`);
    });
  await send(`-break-insert demo.c:${line}`);
  await send("-exec-run", /^\*stopped/);
  const samples: number[] = [];
  for (let i = 0; i < WARMUP + ROUNDS; i++) {
    const t0 = performance.now();
    await send('-interpreter-exec console "print x"');
    if (i >= WARMUP) samples.push(performance.now() - t0);
  }
  gdb.kill("SIGKILL");
  return samples;
}

function until(events: SessionEvent[], pred: (e: SessionEvent) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (events.some(pred) ? resolve() : setTimeout(check, 1));
    check();
  });
}

/** An engine's words for the benchmark: how to start it, stop at the line, and print x. */
interface EngineWords {
  debug: string[];
  breakAt: string;
  run: string;
  print: string;
}

/** Through dbgremote: the compiled server, `clients` connections, one of them issuing the commands. */
async function throughServer(
  program: string,
  line: number,
  clients: number,
  via: "tcp" | "http" = "tcp",
  words: EngineWords = {
    debug: ["gdb", program],
    breakAt: `break demo.c:${line}`,
    run: "run",
    print: "print x",
  },
): Promise<number[]> {
  const server = spawn(binary, [
    "server",
    "--noio",
    "--nodiscover",
    `${via}:port=0,server=127.0.0.1`,
    "--",
    ...words.debug,
  ], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const serverClosed = new Promise((r) => server.on("close", r));
  let out = "";
  const address = await new Promise<string>((resolve, reject) => {
    server.stdout!.setEncoding("utf8").on("data", (s: string) => {
      out += s;
      const m = out.match(/dbgremote client (tcp:\S+)/) ??
        out.match(/open http:\/\/(127\.0\.0\.1):(\d+)\/ in a browser/);
      if (m) resolve(m.length === 2 ? m[1] : `http:server=${m[1]},port=${m[2]}`);
    });
    server.on("exit", () => reject(new Error(`server exited:\n${out}`)));
  });
  const transport = via === "tcp" ? createTcpTransport() : createHttpTransport();
  const conns: ClientConnection[] = [];
  let resolveDone: (() => void) | undefined;
  let lastEvents: SessionEvent[] = [];
  for (let i = 0; i < clients; i++) {
    const events: SessionEvent[] = [];
    const conn = await openClient(await transport.connect(parseConnStr(address, "connect")), {
      who: { user: `bench${i}`, host: os.hostname(), tool: "bench" },
      version: CURRENT,
      onEvent: (e) => {
        if (i === 0) {
          events.push(e);
          if (e.t === "done" && resolveDone) {
            const r = resolveDone;
            resolveDone = undefined;
            r();
          }
        }
      },
    });
    if (i === 0) lastEvents = events;
    conns.push(conn);
  }
  const issuer = conns[0];
  const run = (text: string) =>
    new Promise<void>((resolve) => {
      resolveDone = resolve;
      issuer.command(text);
    });
  await run(words.breakAt);
  await run(words.run);
  await until(lastEvents, (e) => e.t === "state" && e.state === "stopped");
  const samples: number[] = [];
  for (let i = 0; i < WARMUP + ROUNDS; i++) {
    const t0 = performance.now();
    await run(words.print);
    if (i >= WARMUP) samples.push(performance.now() - t0);
    lastEvents.length = 0;
  }
  issuer.command("q");
  await Promise.all(conns.map((c) => c.closed));
  await serverClosed;
  return samples;
}

/**
 * The floor: one loopback tcp round trip to a separate process that echoes a
 * small message back. dbgremote adds this hop to gdb's own time, whatever it does.
 */
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
  const samples: number[] = [];
  const msg = new TextEncoder().encode('{"t":"cmd","id":1,"text":"print x"}');
  for (let i = 0; i < WARMUP + ROUNDS; i++) {
    const t0 = performance.now();
    await new Promise<void>((r) => {
      wake = r;
      ch.write(msg);
    });
    if (i >= WARMUP) samples.push(performance.now() - t0);
  }
  ch.destroy();
  echo.kill();
  return samples;
}

if (!fs.existsSync(binary)) throw new Error("dist/dbgremote is missing: run `deno task compile`");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-bench-"));
try {
  const { program, line } = buildProgram(dir);
  console.log(
    `print x at demo.c:${line}, ${ROUNDS} rounds each (+${WARMUP} warm-up), ${os.cpus().length} cores`,
  );
  const rows = [
    summarize("gdb/MI direct", await direct(program, line)),
    summarize("tcp hop alone (floor)", await tcpFloor()),
    summarize("dbgremote, 1 client", await throughServer(program, line, 1)),
    summarize("dbgremote, 10 clients", await throughServer(program, line, 10)),
    summarize("dbgremote, WebSocket", await throughServer(program, line, 1, "http")),
  ];
  const base = rows[0];
  const floor = rows[1];
  console.log(
    "\n| path                  | p50 ms | p99 ms | p50 ratio | p99 ratio |\n" +
      "| --------------------- | ------ | ------ | --------- | --------- |",
  );
  // The DAP engines: each against its own adapter, driven directly.
  const have = (cmd: string, args: string[]) => {
    try {
      execFileSync(cmd, args, { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  };
  const engineRows: [Row, Row][] = [];
  if (have("lldb-dap-19", ["--help"])) {
    engineRows.push([
      summarize(
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
      ),
      summarize(
        "dbgremote lldb",
        await throughServer(program, line, 1, "tcp", {
          debug: ["lldb-19", program],
          breakAt: `b demo.c:${line}`,
          run: "run",
          print: "p x",
        }),
      ),
    ]);
  }
  const python = "/usr/bin/python3";
  if (have(python, ["-c", "import debugpy"])) {
    const src = fs.readFileSync(path.join(root, "samples/demo.py"), "utf8");
    const script = path.join(dir, "demo.py");
    fs.writeFileSync(script, src);
    const pyLine = src.split("\n").findIndex((l) => l.includes("LINE:after-x")) + 1;
    engineRows.push([
      summarize(
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
      ),
      summarize(
        "dbgremote python",
        await throughServer(script, pyLine, 1, "tcp", {
          debug: [python, "-m", "pdb", script],
          breakAt: `b ${script}:${pyLine}`,
          run: "c",
          print: "p x",
        }),
      ),
    ]);
  }
  for (const r of rows) {
    console.log(
      `| ${r.name.padEnd(21)} | ${r.p50.toFixed(3).padStart(6)} | ${
        r.p99.toFixed(3).padStart(6)
      } | ` +
        `${(r.p50 / base.p50).toFixed(2).padStart(8)}x | ${
          (r.p99 / base.p99).toFixed(2).padStart(8)
        }x |`,
    );
  }
  for (const [direct, through] of engineRows) {
    for (const r of [direct, through]) {
      console.log(
        `| ${r.name.padEnd(21)} | ${r.p50.toFixed(3).padStart(6)} | ${
          r.p99.toFixed(3).padStart(6)
        } | ${(r.p50 / direct.p50).toFixed(2).padStart(8)}x | ${
          (r.p99 / direct.p99).toFixed(2).padStart(8)
        }x |`,
      );
    }
  }
  console.log(
    `\nratios are to gdb/MI direct (lldb and python rows: to their own adapter, direct). Any remote path costs at least direct + one tcp hop: ` +
      `${((base.p50 + floor.p50) / base.p50).toFixed(2)}x at p50 here; ` +
      `dbgremote's own share at p50 (1 client): ${
        (rows[2].p50 - base.p50 - floor.p50).toFixed(3)
      } ms.`,
  );
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
