/**
 * The Python engine: debugpy's adapter (`python3 -m debugpy.adapter`, Debian's
 * `python3-debugpy`) over the Debug Adapter Protocol, run by the interpreter the
 * user named, which also runs their script. As `python3 -m pdb` does, the script
 * starts stopped at its first line.
 *
 * debugpy's REPL takes Python only: pdb's words are ours, mapped onto DAP requests
 * (see {@link parsePdb}); everything else is evaluated in the selected frame.
 */
import type { DebugProtocol } from "@vscode/debugprotocol";
import { execFile } from "node:child_process";
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
import { parsePdb, type PdbCommand } from "./pdb_words.ts";
import type { Breakpoint as SessionBreakpoint } from "./inspect.ts";
import { splitArgs } from "./split_args.ts";

/** What the interpreter says about itself: [version, debugpy version or null, executable]. */
const PROBE = "import sys, json\ntry:\n import debugpy; d = debugpy.__version__\n" +
  "except ImportError:\n d = None\nprint(json.dumps([sys.version.split()[0], d, sys.executable]))";

function probe(interpreter: string): Promise<[string, string | null, string]> {
  return new Promise((resolve, reject) => {
    execFile(interpreter, ["-c", PROBE], { timeout: 10_000 }, (err, stdout) => {
      if (err) {
        const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
        return reject(
          new EngineError(
            missing ? "E_ENGINE_MISSING" : "E_ENGINE_START",
            missing ? `${interpreter} not found` : `cannot run ${interpreter}: ${err.message}`,
            {
              hint: `install Python 3 with debugpy (Debian/Ubuntu: ${
                findKind("python")!.install
              }) or give the interpreter's path`,
              cause: err,
            },
          ),
        );
      }
      try {
        resolve(JSON.parse(stdout.trim().split("\n").pop()!));
      } catch (cause) {
        reject(
          new EngineError("E_ENGINE_START", `${interpreter} is not a Python 3 interpreter`, {
            hint: "name a python3 after --: -- python3 -m pdb script.py",
            cause,
          }),
        );
      }
    });
  });
}

async function findAdapter(spec: EngineSpec): Promise<AdapterCommand> {
  const interpreter = spec.debugger ?? "python3";
  const [version, debugpy, executable] = await probe(interpreter);
  if (!debugpy) {
    throw new EngineError(
      "E_ENGINE_MISSING",
      `${interpreter} (Python ${version}, ${executable}) cannot import debugpy`,
      {
        hint: `install debugpy for it (pip install debugpy), or name an interpreter that has it` +
          ` (Debian/Ubuntu: ${findKind("python")!.install} serves /usr/bin/python3:` +
          ` -- /usr/bin/python3 -m pdb script.py)`,
      },
    );
  }
  return {
    command: interpreter,
    args: ["-m", "debugpy.adapter"],
    version: `Python ${version} (debugpy ${debugpy})`,
  };
}

interface Breakpoint {
  number: number;
  file: string;
  line: number;
  condition?: string;
  enabled: boolean;
  temporary: boolean;
  /** (inspect) Set by a function's name (`b area`): that name. */
  func?: string;
}

/** Everything the Python engine keeps between commands: pdb's breakpoints and displays. */
interface PdbState {
  breakpoints: Breakpoint[];
  nextNumber: number;
  displays: string[];
  program: string;
  /** The script's arguments at its last launch: `restart` alone keeps them, as pdb does. */
  args: string[];
}

function where(file: string, line: number | undefined, func: string | undefined): string {
  return `${file}(${line ?? "?"})${func ?? "?"}()`;
}

function sourceLine(file: string | undefined, line: number | undefined): string | undefined {
  if (!file || !line) return undefined;
  try {
    return fs.readFileSync(file, "utf8").split("\n")[line - 1]?.trim();
  } catch {
    return undefined;
  }
}

/** pdb's two lines for a frame: `> file(line)func()` and `-> source`. */
function frameLines(ctx: DapContext, level: number, mark: string): string {
  const f = ctx.frames[level];
  if (!f) return "";
  const src = sourceLine(f.file, f.line);
  return `${mark} ${where(f.file ?? "?", f.line, f.func)}\n` + (src ? `-> ${src}\n` : "");
}

async function evaluate(
  ctx: DapContext,
  expression: string,
  context: "repl" | "watch",
): Promise<{ ok: true; result: string } | { ok: false; error: string }> {
  try {
    const r = await ctx.request<DebugProtocol.EvaluateResponse>("evaluate", {
      expression,
      context,
      frameId: ctx.frameId,
    });
    return { ok: true, result: r.body.result };
  } catch (err) {
    // debugpy answers with the traceback: its last line is pdb's `*** Error: message`.
    const lines = (err as Error).message.trim().split("\n");
    return { ok: false, error: lines[lines.length - 1] };
  }
}

/**
 * The value of a Python expression as JSON, or undefined if it fails. It travels as base64:
 * debugpy answers with a repr, whose quoting would otherwise have to be undone.
 */
async function evaluateJson(ctx: DapContext, expression: string): Promise<unknown> {
  const r = await evaluate(
    ctx,
    `__import__('base64').b64encode(__import__('json').dumps(${expression}).encode()).decode()`,
    "watch",
  );
  if (!r.ok) return undefined;
  try {
    const bytes = Uint8Array.from(atob(r.result.slice(1, -1)), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
}

function fail(ctx: DapContext, error: string): CommandResult {
  ctx.output("error", `*** ${error}\n`);
  return { ok: false, error };
}

/** Send a file's breakpoints (DAP replaces them per file); only while the script runs. */
async function syncBreakpoints(ctx: DapContext, st: PdbState, file: string): Promise<void> {
  if (ctx.state === "exited") return;
  const mine = st.breakpoints.filter((b) => b.file === file && b.enabled);
  await ctx.request("setBreakpoints", {
    source: { path: file },
    breakpoints: mine.map((b) => (b.condition ? { line: b.line, condition: b.condition } : {
      line: b.line,
    })),
  });
}

/** `b`'s location by line: `LINE` or `FILE:LINE` (anything else names a function). */
const LINE_LOCATION = /^(?:(.+):)?(\d+)$/;

/** Where `b` puts a breakpoint: `file:line`, `line` (the current file), or a function's first line. */
async function resolveLocation(
  ctx: DapContext,
  st: PdbState,
  where: string,
): Promise<{ file: string; line: number } | string> {
  const current = ctx.frames[ctx.selectedLevel]?.file ?? st.program;
  const m = LINE_LOCATION.exec(where);
  if (m) {
    const file = m[1] ? path.resolve(path.dirname(st.program), m[1]) : current;
    return { file, line: Number(m[2]) };
  }
  if (!/^[A-Za-z_][\w.]*$/.test(where)) return `bad location "${where}"`;
  // pdb stops at a function's first line inside it, not at its `def`.
  const code = `(lambda c: (c.co_filename, min([l for _, l in __import__('dis').findlinestarts(c)` +
    ` if l and l > c.co_firstlineno] or [c.co_firstlineno])))(${where}.__code__)`;
  const found = ctx.state === "stopped" ? await evaluateJson(ctx, code) : undefined;
  if (Array.isArray(found)) {
    const [file, line] = found;
    if (typeof file === "string" && typeof line === "number") return { file, line };
  }
  // Not defined yet (the script stopped at its first line): its `def` in the current file.
  const line = firstBodyLine(current, where);
  if (line) return { file: current, line };
  return `The specified object '${where}' is not a function or was not found in ${current}`;
}

/** The first statement inside `def NAME(...)` in a Python source file, or undefined. */
export function firstBodyLine(file: string, name: string): number | undefined {
  let lines: string[];
  try {
    lines = fs.readFileSync(file, "utf8").split("\n");
  } catch {
    return undefined;
  }
  const short = name.split(".").pop()!;
  const def = new RegExp(`^\\s*(async\\s+)?def\\s+${short}\\s*\\(`);
  const at = lines.findIndex((l) => def.test(l));
  if (at < 0) return undefined;
  // Past the signature (it may span lines), then the first line with code.
  let i = at;
  while (i < lines.length && !/:\s*(#.*)?$/.test(lines[i])) i++;
  for (i++; i < lines.length; i++) {
    const t = lines[i].trim();
    if (t && !t.startsWith("#")) return i + 1;
  }
  return undefined;
}

async function addBreakpoint(
  ctx: DapContext,
  st: PdbState,
  args: string,
  temporary: boolean,
): Promise<CommandResult> {
  if (!args) {
    if (!st.breakpoints.length) return { ok: true };
    const list = st.breakpoints.map((b) =>
      `${String(b.number).padEnd(4)}${b.temporary ? "del " : "keep"} ${b.enabled ? "yes" : "no "}` +
      `   at ${b.file}:${b.line}` + (b.condition ? `\n\tstop only if ${b.condition}` : "")
    );
    ctx.output(
      "console",
      `Num Type         Disp Enb   Where\n${list.map((l) => `${l}\n`).join("")}`,
    );
    return { ok: true };
  }
  const comma = args.indexOf(",");
  const location = (comma < 0 ? args : args.slice(0, comma)).trim();
  const condition = comma < 0 ? undefined : args.slice(comma + 1).trim() || undefined;
  const at = await resolveLocation(ctx, st, location);
  if (typeof at === "string") return fail(ctx, at);
  const bp: Breakpoint = { number: st.nextNumber++, ...at, enabled: true, temporary };
  if (!LINE_LOCATION.test(location)) bp.func = location; // (inspect) by name
  if (condition) bp.condition = condition;
  st.breakpoints.push(bp);
  await syncBreakpoints(ctx, st, bp.file);
  ctx.output(
    "console",
    `${temporary ? "Temporary breakpoint" : "Breakpoint"} ${bp.number} at ${bp.file}:${bp.line}\n`,
  );
  return { ok: true };
}

function byNumbers(st: PdbState, args: string): Breakpoint[] | string {
  const found: Breakpoint[] = [];
  for (const w of args.split(/\s+/).filter(Boolean)) {
    const bp = st.breakpoints.find((b) => String(b.number) === w);
    if (!bp) return `No breakpoint numbered ${w}`;
    found.push(bp);
  }
  return found;
}

/** After a stop: temporary breakpoints hit are gone; displays are shown. */
async function afterStop(ctx: DapContext, st: PdbState, stopsBefore: number): Promise<void> {
  if (ctx.state !== "stopped" || ctx.stops === stopsBefore) return;
  const top = ctx.frames[0];
  const hit = st.breakpoints.filter((b) =>
    b.temporary && b.file === top?.file && b.line === top?.line
  );
  for (const bp of hit) {
    st.breakpoints = st.breakpoints.filter((b) => b !== bp);
    ctx.output("console", `Deleted breakpoint ${bp.number} at ${bp.file}:${bp.line}\n`);
    await syncBreakpoints(ctx, st, bp.file);
  }
  ctx.output("console", frameLines(ctx, 0, ">"));
  for (const expr of st.displays) {
    const r = await evaluate(ctx, expr, "watch");
    ctx.output("console", `display ${expr}: ${r.ok ? r.result : `** raised ${r.error} **`}\n`);
  }
}

async function resume(
  ctx: DapContext,
  st: PdbState,
  request: string,
): Promise<CommandResult> {
  if (ctx.state !== "stopped") return fail(ctx, "the script is not stopped");
  const before = ctx.stops;
  await ctx.resuming(async () => {
    await ctx.request(request, { threadId: ctx.threadId });
  }, true);
  await afterStop(ctx, st, before);
  return { ok: true };
}

/**
 * The lines of the function `func` around `line` (1-based, inclusive), found by its `def`
 * and indentation as pdb's `ll` shows it; the whole file for `<module>` or when not found.
 */
export function functionRange(
  lines: readonly string[],
  func: string | undefined,
  line: number,
): [number, number] {
  const whole: [number, number] = [1, lines.length];
  if (!func || !/^[A-Za-z_]\w*$/.test(func)) return whole;
  const indent = (l: string) => l.length - l.trimStart().length;
  const def = new RegExp(`^\\s*(async\\s+)?def\\s+${func}\\s*\\(`);
  for (let at = Math.min(line, lines.length) - 1; at >= 0; at--) {
    if (!def.test(lines[at])) continue;
    // Decorators above belong to it, as pdb shows them.
    let first = at;
    while (first > 0 && lines[first - 1].trim().startsWith("@")) first--;
    let last = at;
    // Past the signature (it may span lines), then every line indented deeper (or blank).
    while (last < lines.length - 1 && !/:\s*(#.*)?$/.test(lines[last])) last++;
    for (let i = last + 1; i < lines.length; i++) {
      const t = lines[i].trim();
      if (t && indent(lines[i]) <= indent(lines[at])) break;
      if (t) last = i;
    }
    if (last + 1 >= line) return [first + 1, last + 1];
  }
  return whole;
}

function longlist(ctx: DapContext): CommandResult {
  const f = ctx.frames[ctx.selectedLevel];
  if (!f?.file || !f.line) return fail(ctx, "no source here");
  let lines: string[];
  try {
    lines = fs.readFileSync(f.file, "utf8").replace(/\n$/, "").split("\n");
  } catch {
    return fail(ctx, `cannot read ${f.file}`);
  }
  const [first, last] = functionRange(lines, f.func, f.line);
  return list(ctx, first, last);
}

function list(ctx: DapContext, first?: number, last?: number): CommandResult {
  const f = ctx.frames[ctx.selectedLevel];
  if (!f?.file || !f.line) return fail(ctx, "no source here");
  let lines: string[];
  try {
    lines = fs.readFileSync(f.file, "utf8").split("\n");
  } catch {
    return fail(ctx, `cannot read ${f.file}`);
  }
  const from = first ?? Math.max(1, f.line - 5);
  const to = Math.min(lines.length, last ?? from + 10);
  let out = "";
  for (let n = from; n <= to; n++) {
    out += `${String(n).padStart(3)}  ${n === f.line ? "->" : "  "} ${lines[n - 1]}\n`;
  }
  ctx.output("console", out);
  return { ok: true };
}

async function run(cmd: PdbCommand, ctx: DapContext, st: PdbState): Promise<CommandResult> {
  switch (cmd.op) {
    case "break":
      return await addBreakpoint(ctx, st, cmd.args, false);
    case "tbreak":
      return await addBreakpoint(ctx, st, cmd.args, true);
    case "clear": {
      const gone = cmd.args ? byNumbers(st, cmd.args) : [...st.breakpoints];
      if (typeof gone === "string") return fail(ctx, gone);
      st.breakpoints = st.breakpoints.filter((b) => !gone.includes(b));
      for (const file of new Set(gone.map((b) => b.file))) await syncBreakpoints(ctx, st, file);
      for (const b of gone) {
        ctx.output("console", `Deleted breakpoint ${b.number} at ${b.file}:${b.line}\n`);
      }
      return { ok: true };
    }
    case "disable":
    case "enable": {
      const bps = byNumbers(st, cmd.args);
      if (typeof bps === "string") return fail(ctx, bps);
      for (const b of bps) b.enabled = cmd.op === "enable";
      for (const file of new Set(bps.map((b) => b.file))) await syncBreakpoints(ctx, st, file);
      for (const b of bps) {
        ctx.output(
          "console",
          `${
            cmd.op === "enable" ? "Enabled" : "Disabled"
          } breakpoint ${b.number} at ${b.file}:${b.line}\n`,
        );
      }
      return { ok: true };
    }
    case "condition": {
      const [num, ...rest] = cmd.args.split(/\s+/);
      const bps = byNumbers(st, num ?? "");
      if (typeof bps === "string" || !bps.length) {
        return fail(ctx, typeof bps === "string" ? bps : "condition needs a breakpoint number");
      }
      const bp = bps[0];
      const cond = rest.join(" ").trim();
      if (cond) bp.condition = cond;
      else delete bp.condition;
      await syncBreakpoints(ctx, st, bp.file);
      ctx.output(
        "console",
        cond
          ? `New condition set for breakpoint ${bp.number}.\n`
          : `Breakpoint ${bp.number} is now unconditional.\n`,
      );
      return { ok: true };
    }
    case "continue":
      return await resume(ctx, st, "continue");
    case "next":
      return await resume(ctx, st, "next");
    case "step":
      return await resume(ctx, st, "stepIn");
    case "return":
      return await resume(ctx, st, "stepOut");
    case "until": {
      if (!cmd.args) return await resume(ctx, st, "next");
      const at = await resolveLocation(ctx, st, cmd.args);
      if (typeof at === "string") return fail(ctx, at);
      const bp: Breakpoint = { number: 0, ...at, enabled: true, temporary: true };
      st.breakpoints.push(bp);
      await syncBreakpoints(ctx, st, bp.file);
      const r = await resume(ctx, st, "continue");
      st.breakpoints = st.breakpoints.filter((b) => b !== bp);
      await syncBreakpoints(ctx, st, bp.file);
      return r;
    }
    case "where": {
      if (ctx.state !== "stopped") return fail(ctx, "the script is not stopped");
      let out = "";
      for (let level = ctx.frames.length - 1; level >= 0; level--) {
        out += frameLines(ctx, level, level === ctx.selectedLevel ? ">" : " ");
      }
      ctx.output("console", out);
      return { ok: true };
    }
    case "frame": {
      // `frame N` (the page's and editors' frame selection); anything else is Python's `frame`.
      if (!/^\d+$/.test(cmd.args)) {
        return await run({ op: "exec", args: `frame ${cmd.args}`.trim() }, ctx, st);
      }
      if (ctx.state !== "stopped") return fail(ctx, "the script is not stopped");
      const level = Number(cmd.args);
      if (level >= ctx.frames.length) return fail(ctx, "Oldest frame");
      ctx.selectFrame(level);
      ctx.output("console", frameLines(ctx, level, ">"));
      return { ok: true };
    }
    case "up":
    case "down": {
      if (ctx.state !== "stopped") return fail(ctx, "the script is not stopped");
      const n = cmd.args ? Number(cmd.args) : 1;
      const level = ctx.selectedLevel + (cmd.op === "up" ? n : -n);
      if (!Number.isInteger(level) || level < 0) return fail(ctx, "Newest frame");
      if (level >= ctx.frames.length) return fail(ctx, "Oldest frame");
      ctx.selectFrame(level);
      ctx.output("console", frameLines(ctx, level, ">"));
      return { ok: true };
    }
    case "pp": {
      // pdb's pp: pprint's layout of the value (a string comes back, as JSON).
      const r = await evaluate(ctx, cmd.args, "watch");
      if (!r.ok) return fail(ctx, r.error);
      const text = await evaluateJson(ctx, `__import__('pprint').pformat((${cmd.args}))`);
      ctx.output("console", `${typeof text === "string" ? text : r.result}\n`);
      return { ok: true };
    }
    case "longlist":
      return longlist(ctx);
    case "undisplay": {
      if (!cmd.args) {
        st.displays = [];
        return { ok: true };
      }
      if (!st.displays.includes(cmd.args)) return fail(ctx, `not displaying ${cmd.args}`);
      st.displays = st.displays.filter((d) => d !== cmd.args);
      return { ok: true };
    }
    case "restart": {
      // As pdb: the script again from its first line, breakpoints and displays kept;
      // `run ARGS` gives it new arguments, `restart` alone the last ones.
      const args = cmd.args ? splitArgs(cmd.args) : st.args;
      const before = ctx.stops;
      ctx.output("console", `Restarting ${st.program} with arguments:\n\t${args.join(" ")}\n`);
      await ctx.restart(args);
      for (const file of new Set(st.breakpoints.map((b) => b.file))) {
        await syncBreakpoints(ctx, st, file);
      }
      await afterStop(ctx, st, before);
      return { ok: true };
    }
    case "print": {
      const r = await evaluate(ctx, cmd.args, "watch");
      if (!r.ok) return fail(ctx, r.error);
      ctx.output("console", `${r.result}\n`);
      return { ok: true };
    }
    case "list": {
      const nums = cmd.args.split(",").map((s) => s.trim()).filter(Boolean).map(Number);
      if (nums.some((n) => !Number.isInteger(n))) {
        return fail(ctx, `bad line numbers "${cmd.args}"`);
      }
      const [first, last] = nums;
      return list(ctx, first, last !== undefined && last < first ? first + last : last);
    }
    case "display": {
      if (!cmd.args) {
        ctx.output(
          "console",
          `Currently displaying:\n${st.displays.map((d) => `${d}\n`).join("")}`,
        );
        return { ok: true };
      }
      st.displays.push(cmd.args);
      const r = await evaluate(ctx, cmd.args, "watch");
      ctx.output(
        "console",
        `display ${cmd.args}: ${r.ok ? r.result : `** raised ${r.error} **`}\n`,
      );
      return { ok: true };
    }
    case "args": {
      // pdb's `args`: the selected frame's arguments, by its function's code (a module-level
      // function or one reachable by name from the frame).
      const func = ctx.frames[ctx.selectedLevel]?.func;
      if (ctx.state !== "stopped" || !func) return fail(ctx, "the script is not stopped");
      if (!/^[A-Za-z_]\w*$/.test(func)) return { ok: true }; // <module>, <lambda>: none
      const pairs = await evaluateJson(
        ctx,
        `(lambda c, l: [[n, repr(l[n])] for n in c.co_varnames[:c.co_argcount + ` +
          `c.co_kwonlyargcount] if n in l])(${func}.__code__, locals())`,
      );
      if (!Array.isArray(pairs)) return fail(ctx, `cannot find the arguments of ${func}`);
      ctx.output("console", pairs.map(([n, v]) => `${n} = ${v}\n`).join(""));
      return { ok: true };
    }
    case "exec": {
      const r = await evaluate(ctx, cmd.args, "repl");
      if (!r.ok) return fail(ctx, r.error);
      if (r.result) ctx.output("console", `${r.result}\n`);
      return { ok: true };
    }
  }
}

export function pythonProfile(): DapProfile {
  const st: PdbState = { breakpoints: [], nextNumber: 1, displays: [], program: "", args: [] };
  return {
    kind: "python",
    launchAtStart: true,
    adapter: (spec) => findAdapter(spec),
    launchArguments(program, spec, cwd) {
      st.program = program;
      st.args = spec.args ?? [];
      return {
        program,
        args: spec.args ?? [],
        cwd,
        python: [spec.debugger ?? "python3"],
        // The script's output comes as output events: it shares no terminal with us.
        console: "internalConsole",
        redirectOutput: true,
        stopOnEntry: true,
        justMyCode: true,
      };
    },
    stopInfo: dapStopInfo,
    // (inspect) pdb's list, as the session's.
    breakpoints: () =>
      Promise.resolve(st.breakpoints.map((b): SessionBreakpoint => {
        const bp: SessionBreakpoint = {
          id: b.number,
          file: b.file,
          line: b.line,
          enabled: b.enabled,
          verified: true,
          location: b.func ?? `${b.file}:${b.line}`,
        };
        if (b.func) bp.func = b.func;
        if (b.condition) bp.condition = b.condition;
        return bp;
      })),
    async execute(text, ctx) {
      const cmd = parsePdb(text);
      if (cmd.op === "exec" && ctx.state === "exited") {
        return fail(ctx, "the script has finished: nothing to evaluate in");
      }
      return await run(cmd, ctx, st);
    },
  };
}

export function createPythonEngine(spec: EngineSpec, listener: EngineListener) {
  return createDapEngine(pythonProfile(), spec, listener);
}
