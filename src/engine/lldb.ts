/**
 * The lldb engine: drives `lldb-dap` (Debian: `lldb-dap-19`, from `lldb-19`) over the
 * Debug Adapter Protocol, launched with `commandEscapePrefix: ""` so every line the
 * user types is an lldb command, as at lldb's own prompt (gdb's
 * `-interpreter-exec console` model again).
 *
 * As lldb does, the target is created but not launched: breakpoints set before
 * `run` go to lldb's dummy target and are copied into the real one. The first
 * `run` (or `process launch`) is the DAP launch.
 */
import type { DebugProtocol } from "@vscode/debugprotocol";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { EngineError } from "../errors.ts";
import type { CommandResult, EngineListener, EngineSpec } from "./engine.ts";
import { findKind } from "./kinds.ts";
import {
  type AdapterCommand,
  createDapEngine,
  type DapContext,
  type DapProfile,
  dapStopInfo,
} from "./dap/engine_core.ts";
import { splitArgs } from "./split_args.ts";
import { lldbBreakpointReader } from "./lldb_breakpoints.ts";

/** The program's terminal type, when it runs on the server's pty. */
const TARGET_TERM = "xterm-256color";
/** The oldest lldb-dap checked to take `commandEscapePrefix: ""` as this engine needs. */
const MIN_VERSION = 19;

/** An executable on PATH (or the path itself when it has a directory), or undefined. */
function which(name: string, envPath = process.env.PATH ?? ""): string | undefined {
  const candidates = name.includes("/")
    ? [name]
    : envPath.split(":").filter(Boolean).map((d) => path.join(d, name));
  for (const c of candidates) {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      if (fs.statSync(c).isFile()) return c;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The `lldb-dap-N` programs on PATH, newest first. */
function versionedAdapters(envPath = process.env.PATH ?? ""): string[] {
  const found = new Map<number, string>();
  for (const dir of envPath.split(":").filter(Boolean)) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) {
      const m = /^lldb-dap-(\d+)$/.exec(n);
      if (m && !found.has(Number(m[1]))) found.set(Number(m[1]), path.join(dir, n));
    }
  }
  return [...found.entries()].sort((a, b) => b[0] - a[0]).map(([, p]) => p);
}

/**
 * The lldb-dap matching the lldb the user named: `lldb-19` → `lldb-dap-19` (beside it
 * when given with a directory); `lldb` → `lldb-dap`, else the newest `lldb-dap-N`.
 * A word naming an lldb-dap is taken as it is.
 */
export function adapterCandidates(word: string): string[] {
  const dir = word.includes("/") ? path.dirname(word) : "";
  const base = path.basename(word);
  if (/^lldb-dap(-\d+)?$/.test(base) || !/^lldb(-\d+(\.\d+)*)?$/.test(base)) return [word];
  const suffix = base.slice("lldb".length);
  const named = `lldb-dap${suffix}`;
  return [dir ? path.join(dir, named) : named];
}

/** `lldb version 19.1.7` of the lldb beside an adapter, for descriptions and errors. */
function lldbVersion(lldbPath: string): string | undefined {
  try {
    const out = execFileSync(lldbPath, ["--version"], { encoding: "utf8", timeout: 5000 });
    return /lldb version (\d+(\.\d+)*)/.exec(out)?.[1];
  } catch {
    return undefined;
  }
}

async function findAdapter(spec: EngineSpec): Promise<AdapterCommand> {
  const word = spec.debugger ?? "lldb";
  const install = findKind("lldb")!.install;
  let adapter: string | undefined;
  for (const c of adapterCandidates(word)) adapter ??= which(c);
  if (!adapter && word === "lldb") adapter = versionedAdapters()[0];
  if (!adapter) {
    // Say which lldb is here, if any: the usual trouble is an lldb without its lldb-dap.
    const lldb = which(word.includes("/") ? word : path.basename(word));
    const version = lldb ? lldbVersion(lldb) : undefined;
    const found = lldb ? ` (found ${lldb}${version ? `, lldb ${version}` : ""}, without it)` : "";
    throw new EngineError(
      "E_ENGINE_MISSING",
      `${adapterCandidates(word)[0]} not found${found}`,
      { hint: `install lldb ${MIN_VERSION} (Debian/Ubuntu: ${install}) or name its lldb` },
    );
  }
  // lldb-dap-19 is a link into /usr/lib/llvm-19/bin, beside that release's lldb.
  let real = adapter;
  try {
    real = fs.realpathSync(adapter);
  } catch {
    // a dangling link: spawning it fails and says so
  }
  const version = lldbVersion(path.join(path.dirname(real), "lldb"));
  const major = version ? Number(version.split(".")[0]) : undefined;
  if (major !== undefined && major < MIN_VERSION) {
    throw new EngineError(
      "E_ENGINE_MISSING",
      `${adapter} is lldb ${version}; the lldb engine needs lldb ${MIN_VERSION} or newer`,
      { hint: `install a newer lldb (Debian/Ubuntu: ${install})` },
    );
  }
  return { command: adapter, args: [], version: `lldb${version ? " " + version : ""}` };
}

/** lldb's words for launching: the first one is the DAP launch. */
function isLaunch(words: string[]): boolean {
  return words[0] === "run" || words[0] === "r" ||
    (words[0] === "process" && words[1] === "launch");
}

/**
 * The program's arguments typed with a launch word, or undefined when none are (the
 * command line's then): `run ARGS` (lldb's alias for `process launch --`), and
 * `process launch [OPTIONS] -- ARGS`. Quotes group words as lldb's do; no shell expansion.
 */
export function launchArgs(text: string): string[] | undefined {
  const words = splitArgs(text.trim());
  let rest: string[];
  if (words[0] === "run" || words[0] === "r") rest = words.slice(1);
  else {
    const dashes = words.indexOf("--");
    rest = dashes < 0 ? [] : words.slice(dashes + 1);
  }
  return rest.length ? rest : undefined;
}

/** The frame a frame-selecting command asks for, or undefined if it selects none. */
export function frameRequested(words: string[], current: number): number | undefined {
  const n = (w: string | undefined, dflt: number) => w === undefined ? dflt : Number(w);
  if (words[0] === "up") return current + n(words[1], 1);
  if (words[0] === "down") return current - n(words[1], 1);
  if (words[0] === "f" && words.length === 2 && /^\d+$/.test(words[1])) {
    return Number(words[1]);
  }
  if (words[0] === "frame" && words[1] === "select" && /^\d+$/.test(words[2] ?? "")) {
    return Number(words[2]);
  }
  return undefined;
}

/**
 * An lldb REPL answer as transcript text: the echo of the command dropped, lldb's
 * `error:` lines (its command status, which lldb-dap does not report otherwise) apart.
 */
export function splitReplAnswer(
  command: string,
  result: string,
): { console: string; error: string } {
  let lines = result.split("\n");
  const echoed = lines[0].startsWith("(lldb) ") ? lines[0].slice(7).trim().replace(/^`/, "") : "";
  if (echoed && echoed === command.trim()) {
    lines = lines.slice(1);
  }
  const errorAt = lines.findIndex((l) => l.startsWith("error: "));
  if (errorAt < 0) return { console: lines.join("\n"), error: "" };
  return {
    console: lines.slice(0, errorAt).join("\n") + (errorAt ? "\n" : ""),
    error: lines.slice(errorAt).join("\n"),
  };
}

/**
 * lldb's own commands (and built-in aliases) that resume the target. lldb-dap's `continued`
 * for a REPL command may come after its answer, late under load: for these the engine waits
 * for the stop whatever the timing. Others that resume (a user's alias) are caught by the event.
 */
export function resumes(words: string[]): boolean {
  const [a, b] = words;
  if (["c", "continue", "n", "next", "s", "step", "si", "ni", "finish", "run", "r"].includes(a)) {
    return true;
  }
  if (a === "thread") {
    return ["continue", "step-in", "step-over", "step-out", "step-inst", "step-inst-over", "until"]
      .includes(b);
  }
  return a === "process" && (b === "continue" || b === "launch");
}

async function repl(text: string, ctx: DapContext): Promise<CommandResult> {
  let answer = { console: "", error: "" };
  const resuming = ctx.state !== "exited" && resumes(text.trim().split(/\s+/));
  await ctx.resuming(async () => {
    const r = await ctx.request<DebugProtocol.EvaluateResponse>("evaluate", {
      // Until the launch sets `commandEscapePrefix: ""`, lldb-dap guesses whether a line is
      // a command or an expression; its default prefix makes it a command.
      expression: ctx.launched ? text : "`" + text,
      context: "repl",
      frameId: ctx.frameId,
    });
    answer = splitReplAnswer(text, r.body.result);
    ctx.output("console", answer.console);
    ctx.output("error", answer.error);
    return resuming && !answer.error;
  }, false);
  if (!answer.error) return { ok: true };
  const first = answer.error.split("\n")[0].slice("error: ".length);
  return { ok: false, error: first };
}

/** lldb's profile, one per engine (its breakpoint reader knows what it taught its lldb). */
export function lldbProfile(): DapProfile {
  const breakpoints = lldbBreakpointReader();
  return {
    ...LLDB_WORDS,
    breakpoints: (ctx) => breakpoints.read(ctx), // (inspect)
    stopped: () => breakpoints.close(),
  };
}

/** What every lldb engine does the same way. */
const LLDB_WORDS: DapProfile = {
  kind: "lldb",
  launchAtStart: false,
  adapter: (spec) => findAdapter(spec),
  launchArguments: (program, spec, cwd) => ({
    program,
    args: spec.args ?? [],
    cwd,
    commandEscapePrefix: "",
    stopOnEntry: false,
  }),
  stopInfo: dapStopInfo,
  async execute(text, ctx) {
    const words = text.trim().split(/\s+/);
    if (!ctx.launched && isLaunch(words)) {
      if (ctx.tty) {
        // The program's stdin, stdout and stderr are the server's pty, as gdb's
        // -inferior-tty-set makes them; set before the target exists, so it inherits them.
        // Not lldb-dap's runInTerminal: there lldb-dap starts itself as the launcher and
        // attaches to it, and reading that launcher's symbols (libLLVM) costs seconds per run.
        // Its TERM is what most consoles are, as under gdb (for lldb's own reruns too).
        const settings = ["input", "output", "error"].map((s) =>
          `${s}-path ${JSON.stringify(ctx.tty)}`
        ).concat(`env-vars TERM=${TARGET_TERM}`);
        for (const setting of settings) {
          await ctx.request("evaluate", {
            expression: "`settings set target." + setting,
            context: "repl",
          });
        }
      }
      await ctx.launch(launchArgs(text));
      return { ok: true };
    }
    const level = ctx.state === "stopped" ? frameRequested(words, ctx.selectedLevel) : undefined;
    const r = await repl(text, ctx);
    const args = isLaunch(words) ? launchArgs(text) : undefined;
    if (r.ok && args) ctx.describeRun(args);
    if (r.ok && level !== undefined && level >= 0 && level < ctx.frames.length) {
      ctx.selectFrame(level);
    }
    return r;
  },
};

export function createLldbEngine(spec: EngineSpec, listener: EngineListener) {
  return createDapEngine(lldbProfile(), spec, listener);
}
