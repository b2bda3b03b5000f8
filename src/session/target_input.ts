/**
 * What `.input`, `.eof` and `.ttysize` do to the program's terminal. They act at once, ahead
 * of the queue; the engine says whether there is a program to take them.
 */
import type { Engine } from "../engine/engine.ts";
import { commandWord } from "./meta_text.ts";

/** What `.input TEXT` types: TEXT as given after one space, then Enter; `.eof`: Ctrl+D. */
export function targetInput(
  text: string,
): { eof: true } | { line: string } | { cols: number; rows: number } | { error: string } {
  const trimmed = text.trimStart();
  if (commandWord(trimmed) === ".eof") return { eof: true };
  if (commandWord(trimmed) === ".ttysize") {
    const m = /^\.ttysize\s+(\d{1,4})x(\d{1,4})\s*$/.exec(trimmed);
    const [cols, rows] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
    if (cols < 1 || rows < 1 || cols > 1000 || rows > 1000) {
      return { error: ".ttysize needs COLSxROWS between 1x1 and 1000x1000, e.g. .ttysize 132x43" };
    }
    return { cols, rows };
  }
  return { line: trimmed.slice(".input".length).replace(/^[ \t]/, "") + "\n" };
}

/** Type a `.input`/`.eof`/`.ttysize` line to the engine's program; ok, or why not. */
export function typeToProgram(engine: Engine, text: string): { ok: boolean; error?: string } {
  const input = targetInput(text);
  const result = "error" in input
    ? { ok: false, error: input.error }
    : "eof" in input
    ? engine.eof()
    : "cols" in input
    ? engine.resize(input.cols, input.rows)
    : engine.input(input.line);
  return result.ok
    ? result
    : { ok: false, error: result.error ?? "the program cannot take input now" };
}
