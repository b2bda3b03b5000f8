/**
 * Each engine kind's own words for an {@link Action}: what the session runs and everyone reads
 * in the transcript when a toolbar, a click in the source or an editor acts (`alice@laptop> next`).
 * Pure. A word that the debugger would read as two commands (a newline in a condition) or as
 * another location (a blank in a file name it cannot quote) is refused, never sent.
 */
import type { Action, ActionWords } from "./inspect.ts";
import { InspectError } from "./inspect.ts";

/** No control characters (a newline would be a second command) in what goes into a word. */
function checked(text: string, what: string): string {
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f]/.test(text)) {
    throw new InspectError("E_BAD_ACTION", `the ${what} holds control characters`);
  }
  return text;
}

/** A file name as one word: a blank or a quote in it cannot be said to the debugger. */
function fileWord(file: string): string {
  checked(file, "file name");
  if (/[\s"'\\]/.test(file) || file === "") {
    throw new InspectError(
      "E_BAD_ACTION",
      `a breakpoint in "${file}" cannot be set by its name`,
      "set it by function name, or type the debugger's own command",
    );
  }
  return file;
}

function levelWord(n: number, what: string): string {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new InspectError("E_BAD_ACTION", `${what} must be a whole number, got ${n}`);
  }
  return String(n);
}

export const gdbWords: ActionWords = (a: Action) => {
  switch (a.do) {
    case "continue":
      return "continue";
    case "next":
      return "next";
    case "stepIn":
      return "step";
    case "stepOut":
      return "finish";
    case "break":
      return `break ${fileWord(a.file)}:${levelWord(a.line, "a line")}` +
        (a.condition ? ` if ${checked(a.condition, "condition")}` : "");
    case "breakFunction":
      return `break ${checked(a.name, "function name")}` +
        (a.condition ? ` if ${checked(a.condition, "condition")}` : "");
    case "clear":
      return `delete ${levelWord(a.id, "a breakpoint id")}`;
    case "frame":
      return `frame ${levelWord(a.level, "a frame level")}`;
  }
};

/** lldb's long forms: what its help shows, and unambiguous whatever aliases a user has. */
export const lldbWords: ActionWords = (a: Action) => {
  const cond = (c?: string) =>
    c ? ` --condition '${checked(c, "condition").replace(/'/g, `'\\''`)}'` : "";
  switch (a.do) {
    case "continue":
      return "continue";
    case "next":
      return "next";
    case "stepIn":
      return "step";
    case "stepOut":
      return "finish";
    case "break":
      return `breakpoint set --file ${fileWord(a.file)} --line ${levelWord(a.line, "a line")}` +
        cond(a.condition);
    case "breakFunction":
      return `breakpoint set --name ${fileWord(a.name)}${cond(a.condition)}`;
    case "clear":
      return `breakpoint delete ${levelWord(a.id, "a breakpoint id")}`;
    case "frame":
      return `frame select ${levelWord(a.level, "a frame level")}`;
  }
};

/** pdb's words, as the python engine maps them (engine/pdb_words.ts). */
export const pdbWords: ActionWords = (a: Action) => {
  switch (a.do) {
    case "continue":
      return "c";
    case "next":
      return "n";
    case "stepIn":
      return "s";
    case "stepOut":
      return "r";
    case "break":
      return `b ${fileWord(a.file)}:${levelWord(a.line, "a line")}` +
        (a.condition ? `, ${checked(a.condition, "condition")}` : "");
    case "breakFunction":
      return `b ${checked(a.name, "function name")}` +
        (a.condition ? `, ${checked(a.condition, "condition")}` : "");
    case "clear":
      return `cl ${levelWord(a.id, "a breakpoint id")}`;
    case "frame":
      return `frame ${levelWord(a.level, "a frame level")}`;
  }
};
