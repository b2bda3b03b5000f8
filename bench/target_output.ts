/**
 * Target output benchmark: a program writing MB megabytes of ordinary 80-character lines
 * (samples/echo.c --spew) to its terminal, under gdb directly (the program's output on gdb's
 * stdout, read by this process: once a pipe, once a terminal) and under dbgremote (the compiled server, the program on its own
 * terminal, three clients over loopback tcp, every one of them receiving every byte). Timed from
 * the program's first byte to its exit as the last reader sees it (gdb's start is not counted).
 * Prints MB/s for each and the ratio.
 *
 *   deno task compile && deno run -A bench/target_output.ts
 *   MB=50 deno run -A bench/target_output.ts
 */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { type ClientConnection, openClient } from "../src/client/connection.ts";
import { parseConnStr } from "../src/connstr.ts";
import { createTcpTransport } from "../src/transport/tcp.ts";
import { openPty } from "../src/platform.ts";
import { CURRENT } from "../src/version.ts";

const MB = Number(process.env.MB ?? 20);
const CLIENTS = Number(process.env.CLIENTS ?? 3);
const root = path.resolve(import.meta.dirname!, "..");
const binary = path.join(root, "dist/dbgremote");
/** What the program writes: whole 80-byte lines, as samples/echo.c's spew() counts them. */
const BYTES = Math.floor(MB * 1024 * 1024 / 80) * 80;

function buildEcho(dir: string): string {
  const program = path.join(dir, "echo");
  execFileSync("cc", ["-O2", "-o", program, path.join(root, "samples/echo.c")]);
  return program;
}

/** gdb runs the program; its output comes through gdb's stdout. */
async function direct(program: string): Promise<number> {
  const gdb = spawn("gdb", ["-nx", "-batch", "-ex", "run", "--args", program, "--spew", `${MB}`], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  let first = 0;
  let seen = 0;
  gdb.stdout!.on("data", (chunk: Uint8Array) => {
    if (!first) first = performance.now();
    seen += chunk.length; // the program's lines, and gdb's few words
  });
  await new Promise((r) => gdb.on("close", r));
  const ms = performance.now() - first;
  if (seen < BYTES) throw new Error(`direct: saw ${seen} of ${BYTES} bytes`);
  return ms;
}

/** gdb runs the program on a terminal, as for a person typing gdb in a terminal window. */
async function directOnTerminal(program: string): Promise<number> {
  const pty = await openPty({ cols: 80, rows: 24 });
  let first = 0;
  let seen = 0;
  pty.onData((chunk) => {
    if (!first) first = performance.now();
    seen += chunk.length;
  });
  const gdb = spawn("sh", [
    "-c",
    `exec gdb -nx -batch -ex run --args "$1" --spew "$2" <"$0" >"$0" 2>&1`,
    pty.path,
    program,
    `${MB}`,
  ], { stdio: "ignore" });
  await new Promise((r) => gdb.on("close", r));
  await pty.drain();
  const ms = performance.now() - first;
  await pty.close();
  if (seen < BYTES) throw new Error(`direct on a terminal: saw ${seen} of ${BYTES} bytes`);
  return ms;
}

/** Through dbgremote: three clients, each counting every target byte until it sees the exit. */
async function throughServer(program: string): Promise<number> {
  const server = spawn(binary, [
    "server",
    "--noio",
    "--nodiscover",
    "tcp:port=0,server=127.0.0.1",
    "--",
    "gdb",
    "--args",
    program,
    "--spew",
    `${MB}`,
  ], { stdio: ["ignore", "pipe", "inherit"] });
  const serverClosed = new Promise((r) => server.on("close", r));
  let out = "";
  const address = await new Promise<string>((resolve, reject) => {
    server.stdout!.setEncoding("utf8").on("data", (s: string) => {
      out += s;
      const m = out.match(/dbgremote client (tcp:\S+)/);
      if (m) resolve(m[1]);
    });
    server.on("exit", () => reject(new Error(`server exited:\n${out}`)));
  });
  const transport = createTcpTransport();
  let first = 0;
  const conns: ClientConnection[] = [];
  const finished: Promise<number>[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    let bytes = 0;
    let exited!: (at: number) => void;
    finished.push(new Promise((r) => (exited = r)));
    conns.push(
      await openClient(await transport.connect(parseConnStr(address, "connect")), {
        who: { user: `bench${i}`, host: os.hostname(), tool: "bench" },
        version: CURRENT,
        onEvent: (e) => {
          if (e.t === "out" && e.stream === "target") {
            if (!first) first = performance.now();
            bytes += e.text.length;
          }
          if (e.t === "state" && e.state === "exited") {
            if (bytes < BYTES) throw new Error(`client ${i}: ${bytes} of ${BYTES} bytes`);
            exited(performance.now());
          }
        },
      }),
    );
  }
  conns[0].command("run");
  const last = Math.max(...await Promise.all(finished));
  conns[0].command("q");
  await Promise.all(conns.map((c) => c.closed));
  await serverClosed;
  return last - first;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-bench-out-"));
try {
  const program = buildEcho(dir);
  await direct(program); // warm the page cache and gdb's start
  const pipeMs = await direct(program);
  const ttyMs = await directOnTerminal(program);
  const serverMs = await throughServer(program);
  const rate = (ms: number) => (BYTES / 1024 / 1024) / (ms / 1000);
  // The like-for-like baseline is the program writing to a terminal, as it does under dbgremote.
  const rows = [
    ["gdb direct, program on a pipe", rate(pipeMs), rate(pipeMs) / rate(ttyMs)],
    ["gdb direct, program on a terminal", rate(ttyMs), 1],
    [`dbgremote, ${CLIENTS} clients`, rate(serverMs), rate(serverMs) / rate(ttyMs)],
  ] as const;
  console.log(`${MB} MB of 80-byte lines from the program to every reader`);
  console.log("| path | MB/s | ratio |");
  console.log("| ---- | ---- | ----- |");
  for (const [name, mbs, ratio] of rows) {
    console.log(`| ${name} | ${mbs.toFixed(1)} | ${ratio.toFixed(2)}x |`);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
