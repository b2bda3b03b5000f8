/**
 * The editors' path (the `dap:` endpoint) against gdb/MI direct, on a program that steps in a
 * loop forever:
 *
 *   next → stopped     an editor's `next` request until its `stopped` event, versus
 *                      `-exec-next` until gdb's `*stopped`
 *   stack+scopes+vars  `stackTrace` + `scopes` + `variables` after a stop, versus
 *                      `-stack-list-frames` + `-stack-list-variables --simple-values`
 *
 * Prints p50/p99 and the ratio to direct.
 *
 *   deno task compile && deno run -A bench/dap.ts       (ROUNDS=500 for more)
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { DapTestClient } from "../tests/e2e/dap_client.ts";

const ROUNDS = Number(process.env.ROUNDS ?? 200);
const WARMUP = 20;
const root = path.resolve(import.meta.dirname!, "..");
const binary = path.join(root, "dist/dbgremote");

const PROGRAM = `int main(void) {
  volatile long i = 0;
  for (;;) {
    i++;
    i--;
  }
}
`;

function build(dir: string): string {
  fs.writeFileSync(path.join(dir, "steps.c"), PROGRAM);
  execFileSync("cc", ["-g", "-O0", "-o", path.join(dir, "steps"), path.join(dir, "steps.c")]);
  return path.join(dir, "steps");
}

function row(name: string, samples: number[], base?: number) {
  const s = [...samples].sort((a, b) => a - b);
  const p = (q: number) => s[Math.min(s.length - 1, Math.floor(s.length * q))];
  const ratio = base === undefined ? "1.00x" : `${(p(0.5) / base).toFixed(2)}x`;
  console.log(
    `${name.padEnd(34)} p50 ${p(0.5).toFixed(2).padStart(7)} ms  p99 ${
      p(0.99).toFixed(2).padStart(7)
    } ms  ${ratio}`,
  );
  return p(0.5);
}

async function direct(program: string): Promise<{ next: number[]; read: number[] }> {
  const gdb: ChildProcess = spawn("gdb", ["--interpreter=mi3", "--nx", "--quiet", program], {
    stdio: ["pipe", "pipe", "ignore"],
  });
  let buffer = "";
  let waiting: { until: RegExp; resolve: () => void } | undefined;
  gdb.stdout!.setEncoding("utf8").on("data", (s: string) => {
    buffer += s;
    let nl;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (waiting?.until.test(line)) {
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
      waiting = { resolve, until: until ?? new RegExp(`^${t}\\^(done|error)`) };
      gdb.stdin!.write(`${t}${cmd}\n`);
    });
  await send("-break-insert main");
  await send("-exec-run", /^\*stopped/);
  const next: number[] = [];
  const read: number[] = [];
  for (let i = 0; i < WARMUP + ROUNDS; i++) {
    let t0 = performance.now();
    await send("-exec-next", /^\*stopped/);
    if (i >= WARMUP) next.push(performance.now() - t0);
    t0 = performance.now();
    await send("-stack-list-frames");
    await send("-stack-list-variables --simple-values");
    if (i >= WARMUP) read.push(performance.now() - t0);
  }
  gdb.kill("SIGKILL");
  return { next, read };
}

async function throughDap(program: string): Promise<{ next: number[]; read: number[] }> {
  const server = spawn(binary, [
    "server",
    "--noio",
    "--nodiscover",
    "dap:port=0,server=127.0.0.1",
    "--",
    "gdb",
    program,
  ], { stdio: ["ignore", "pipe", "inherit"] });
  const closed = new Promise((r) => server.on("close", r));
  let out = "";
  const port = await new Promise<number>((resolve) => {
    server.stdout!.setEncoding("utf8").on("data", (s: string) => {
      out += s;
      const m = out.match(/"debugServer": (\d+)/);
      if (m) resolve(Number(m[1]));
    });
  });
  const editor = await DapTestClient.connect(port);
  await editor.attach({ user: "bench" });
  await editor.ok("setFunctionBreakpoints", { breakpoints: [{ name: "main" }] });
  await editor.ok("evaluate", { expression: "run", context: "repl" });
  const first = await editor.waitEvent("stopped");
  const thread = first.body?.threadId;
  const next: number[] = [];
  const read: number[] = [];
  for (let i = 0; i < WARMUP + ROUNDS; i++) {
    const from = editor.events.length;
    let t0 = performance.now();
    const answered = editor.ok("next", { threadId: thread });
    await editor.waitEvent("stopped", () => true, from);
    if (i >= WARMUP) next.push(performance.now() - t0);
    await answered;
    t0 = performance.now();
    const trace = await editor.ok("stackTrace", { threadId: thread });
    const top = (trace.stackFrames as { id: number }[])[0];
    const scopes = (await editor.ok("scopes", { frameId: top.id })).scopes as {
      variablesReference: number;
    }[];
    await editor.ok("variables", { variablesReference: scopes[0].variablesReference });
    if (i >= WARMUP) read.push(performance.now() - t0);
    // Keep memory flat: the events are not needed once measured.
    editor.events.length = 0;
  }
  await editor.ok("disconnect", { terminateDebuggee: true });
  await closed;
  return { next, read };
}

if (!fs.existsSync(binary)) throw new Error(`${binary} is missing: deno task compile first`);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-bench-dap-"));
try {
  const program = build(dir);
  const d = await direct(program);
  const e = await throughDap(program);
  console.log(`editor (dap:) vs gdb/MI direct, ${ROUNDS} rounds`);
  const nextBase = row("next → stopped, gdb/MI direct", d.next);
  row("next → stopped, editor via dap:", e.next, nextBase);
  const readBase = row("stack+variables, gdb/MI direct", d.read);
  row("stack+scopes+variables, dap:", e.read, readBase);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
