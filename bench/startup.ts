/**
 * Start-up benchmark: how long the compiled binary takes to run a short
 * command to its end (`version`, `check`, `plan`, and `client` up to its first
 * connection attempt, which a closed loopback port refuses at once), beside a
 * bun-compiled hello-world built in the same run with the same compile flags,
 * so the table says what dbgremote adds on this machine today.
 * Prints the median (and min, max) wall time of RUNS runs per command, after a warm-up, and
 * the median CPU time (user + system), which a machine busy with other work disturbs less.
 *
 *   deno task bench:startup        (builds dist/dbgremote first)
 *   RUNS=31 deno task bench:startup
 *   BINARY=/tmp/old/dbgremote deno run -A bench/startup.ts   (another build)
 *   BEFORE=/tmp/old/dbgremote deno task bench:startup         (both, in the same rounds)
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import process from "node:process";

const RUNS = Number(process.env.RUNS ?? 15);
const WARMUP = 2;
const root = path.resolve(import.meta.dirname!, "..");
/** BINARY=path: time another build (an older one, for a before/after table). */
const binary = path.resolve(process.env.BINARY ?? path.join(root, "dist/dbgremote"));
/** BEFORE=path: also time that build, in the same rounds, as rows marked [before]. */
const before = process.env.BEFORE ? path.resolve(process.env.BEFORE) : undefined;
const bun = path.join(root, "node_modules/.bin/bun");

/** The flags `deno task compile` passes to `bun build` (besides the entry and --outfile). */
function compileFlags(): string[] {
  const task: string = JSON.parse(fs.readFileSync(path.join(root, "deno.json"), "utf8"))
    .tasks.compile;
  const words = task.split(/\s+/);
  return words.filter((w, i) =>
    w.startsWith("--") && w !== "--outfile" && words[i - 1] !== "--outfile"
  );
}

function buildHello(dir: string, flags: string[]): string {
  const src = path.join(dir, "hello.ts");
  const out = path.join(dir, "hello");
  fs.writeFileSync(src, 'console.log("hello");\n');
  execFileSync(bun, ["build", ...flags, src, "--outfile", out], { stdio: "ignore" });
  return out;
}

/** A loopback port nothing listens on: `client` is refused there at once. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Row {
  name: string;
  /** Wall-clock ms: median, min, max. */
  median: number;
  min: number;
  max: number;
  /** user + system CPU ms, median: steadier than wall time on a busy machine. */
  cpu: number;
}

/**
 * One run, timed by bash's `time` (getrusage: wall, user and system time of exactly that
 * process, in ms): spawning from here would add this runtime's own spawn cost to each sample.
 */
function once(file: string, args: string[]): { status: number | null; wall: number; cpu: number } {
  const script = 'TIMEFORMAT="%3R %3U %3S"; time "$0" "$@" >/dev/null 2>&1';
  const run = spawnSync("bash", ["-c", script, file, ...args], { cwd: root, encoding: "utf8" });
  const [wall, user, sys] = run.stderr.trim().split(" ").map((n) => Number(n) * 1000);
  return { status: run.status, wall, cpu: user + sys };
}

function median(sorted: number[]): number {
  return sorted[Math.floor(sorted.length / 2)];
}

interface Command {
  name: string;
  file: string;
  args: string[];
  okCodes: number[];
}

/**
 * Runs the commands in turn, round after round (not each one RUNS times in a row), so that
 * other work on the machine weighs on every row alike.
 */
function timeAll(commands: Command[]): Row[] {
  const walls = commands.map((): number[] => []);
  const cpus = commands.map((): number[] => []);
  for (let i = 0; i < WARMUP + RUNS; i++) {
    commands.forEach((c, k) => {
      const run = once(c.file, c.args);
      if (run.status === null || !c.okCodes.includes(run.status) || Number.isNaN(run.wall)) {
        const again = spawnSync(c.file, c.args, { cwd: root, encoding: "utf8" });
        throw new Error(`${c.name}: exit ${run.status}\n${again.stdout}${again.stderr}`);
      }
      if (i >= WARMUP) {
        walls[k].push(run.wall);
        cpus[k].push(run.cpu);
      }
    });
  }
  return commands.map((c, k) => {
    const w = walls[k].sort((a, b) => a - b);
    return {
      name: c.name,
      median: median(w),
      min: w[0],
      max: w[w.length - 1],
      cpu: median(cpus[k].sort((a, b) => a - b)),
    };
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-bench-startup-"));
try {
  const flags = compileFlags();
  const hello = buildHello(dir, flags);
  const port = await closedPort();
  const lab = "topologies/local.toml";
  const commands = (file: string, tag: string): Command[] => [
    { name: `dbgremote version${tag}`, file, args: ["version"], okCodes: [0] },
    { name: `dbgremote check ${lab}${tag}`, file, args: ["check", lab], okCodes: [0] },
    { name: `dbgremote plan ${lab}${tag}`, file, args: ["plan", lab], okCodes: [0] },
    // Exit 1 (E_CONNECT): refused at once, so this is start-up plus one local connect.
    {
      name: `dbgremote client tcp (refused)${tag}`,
      file,
      args: ["client", `tcp:server=127.0.0.1,port=${port}`],
      okCodes: [1],
    },
  ];
  const rows = timeAll([
    { name: "hello-world (bun --compile)", file: hello, args: [], okCodes: [0] },
    ...commands(binary, ""),
    ...(before ? commands(before, " [before]") : []),
  ]);
  const base = rows[0].median;
  const width = Math.max(...rows.map((r) => r.name.length));
  console.log(`${binary}; hello-world compiled with: ${flags.join(" ")}`);
  console.log(`${RUNS} runs each (after ${WARMUP} warm-up)`);
  console.log(
    `${"command".padEnd(width)}  median ms  min ms  max ms  vs hello  cpu ms  cpu vs hello`,
  );
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(width)}  ${r.median.toFixed(1).padStart(9)}  ${
        r.min.toFixed(1).padStart(6)
      }  ${r.max.toFixed(1).padStart(6)}  ${(r.median / base).toFixed(2).padStart(7)}x  ${
        r.cpu.toFixed(0).padStart(6)
      }  ${(r.cpu / rows[0].cpu).toFixed(2).padStart(11)}x`,
    );
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
