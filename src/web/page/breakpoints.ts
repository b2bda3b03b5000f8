/**
 * The breakpoints as the page shows them: which of the source panel's lines carry one, what a
 * click on a line number asks for (set one there, or clear the one there), and a row of the
 * breakpoints pane. Pure.
 */
import { basename } from "../../client/describe.ts";
import type { Action, Breakpoint } from "../../engine/inspect.ts";

/**
 * Do two names of a source file name the same file? The debugger may name a breakpoint's file
 * relative (as it was typed: `break demo.c:9`) or in full; the panel has the full path. Two full
 * paths must be equal; a relative one must be the other's tail.
 */
export function sameFile(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.startsWith("/") && b.startsWith("/")) return false;
  return a.endsWith(`/${b}`) || b.endsWith(`/${a}`);
}

/** The breakpoints on `file`'s lines: line → the first breakpoint there. */
export function breakpointsIn(list: Breakpoint[], file: string): Map<number, Breakpoint> {
  const at = new Map<number, Breakpoint>();
  for (const bp of list) {
    if (bp.file && bp.line !== undefined && sameFile(bp.file, file) && !at.has(bp.line)) {
      at.set(bp.line, bp);
    }
  }
  return at;
}

/** A click on `file:line`'s number: clear the breakpoint there, else set one. */
export function toggleAt(list: Breakpoint[], file: string, line: number): Action {
  const here = breakpointsIn(list, file).get(line);
  return here ? { do: "clear", id: here.id } : { do: "break", file, line };
}

export interface BreakpointRow {
  id: number;
  /** demo.c:9, or the function's name, or #N. */
  where: string;
  /** The full path, for the tooltip. */
  title: string;
  condition: string;
  enabled: boolean;
  /** "2 hits", "1 hit", "" when not counted; "pending" while not placed. */
  note: string;
}

export function breakpointRow(bp: Breakpoint): BreakpointRow {
  const where = bp.file && bp.line !== undefined
    ? `${basename(bp.file)}:${bp.line}`
    : bp.func ?? `#${bp.id}`;
  const hits = bp.hits === undefined ? "" : plural(bp.hits, "hit");
  return {
    id: bp.id,
    where,
    title: [
      bp.file ? `${bp.file}${bp.line !== undefined ? `:${bp.line}` : ""}` : where,
      bp.location && bp.location !== where ? `set as ${bp.location}` : "",
    ].filter(Boolean).join(", "),
    condition: bp.condition ?? "",
    enabled: bp.enabled,
    note: bp.verified ? hits : hits ? `pending, ${hits}` : "pending",
  };
}

/** "1 event", "2 events", "0 events". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
