/**
 * pdb's breakpoints in the Python engine: the list pdb keeps (numbers, conditions, enabled,
 * temporary), where `b` puts one (`file:line`, `line`, a function's first line), and sending
 * a file's list to debugpy. Separate from python.ts, which maps pdb's other words, because
 * the list is one piece of state with its own rules (DAP replaces breakpoints per file).
 * The engine's state between commands (PdbState) is declared here, with the list it holds.
 */
import path from "node:path";
import type { CommandResult } from "./engine.ts";
import type { DapContext } from "./dap/profile.ts";
import { evaluateJson, fail } from "./pdb_eval.ts";
import { firstBodyLine } from "./pdb_source.ts";

export interface Breakpoint {
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
export interface PdbState {
  breakpoints: Breakpoint[];
  nextNumber: number;
  displays: string[];
  program: string;
  /** The script's arguments at its last launch: `restart` alone keeps them, as pdb does. */
  args: string[];
}

/** Send a file's breakpoints (DAP replaces them per file); only while the script runs. */
export async function syncBreakpoints(ctx: DapContext, st: PdbState, file: string): Promise<void> {
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
export const LINE_LOCATION = /^(?:(.+):)?(\d+)$/;

/** Where `b` puts a breakpoint: `file:line`, `line` (the current file), or a function's first line. */
export async function resolveLocation(
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

export async function addBreakpoint(
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

export function byNumbers(st: PdbState, args: string): Breakpoint[] | string {
  const found: Breakpoint[] = [];
  for (const w of args.split(/\s+/).filter(Boolean)) {
    const bp = st.breakpoints.find((b) => String(b.number) === w);
    if (!bp) return `No breakpoint numbered ${w}`;
    found.push(bp);
  }
  return found;
}
