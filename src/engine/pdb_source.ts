/**
 * pdb's views of the source: a frame's two lines (`> file(line)func()`, `-> source`), `list`,
 * `ll`, and where a function's body starts (for `b FUNCTION` before it is defined).
 */
import fs from "node:fs";
import type { CommandResult } from "./engine.ts";
import type { DapContext } from "./dap/profile.ts";
import { fail } from "./pdb_eval.ts";

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
export function frameLines(ctx: DapContext, level: number, mark: string): string {
  const f = ctx.frames[level];
  if (!f) return "";
  const src = sourceLine(f.file, f.line);
  return `${mark} ${where(f.file ?? "?", f.line, f.func)}\n` + (src ? `-> ${src}\n` : "");
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

export function longlist(ctx: DapContext): CommandResult {
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

export function list(ctx: DapContext, first?: number, last?: number): CommandResult {
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
