/**
 * pdb's command words, as `python3 -m pdb` takes them: the word (or its
 * abbreviation) and the rest of the line. Pure. A line that is no pdb command
 * is Python, evaluated in the selected frame (`!` forces that).
 */

export type PdbOp =
  | "break"
  | "tbreak"
  | "clear"
  | "disable"
  | "enable"
  | "condition"
  | "continue"
  | "next"
  | "step"
  | "return"
  | "until"
  | "where"
  | "up"
  | "down"
  | "print"
  | "pp"
  | "list"
  | "display"
  | "undisplay"
  | "longlist"
  | "restart"
  | "args"
  | "frame"
  | "exec";

export interface PdbCommand {
  op: PdbOp;
  /** The rest of the line, trimmed (for `exec`: the Python to run). */
  args: string;
}

/** Every spelling pdb accepts for each word (its documented abbreviations). */
const WORDS: Record<string, PdbOp> = {
  b: "break",
  break: "break",
  tbreak: "tbreak",
  cl: "clear",
  clear: "clear",
  disable: "disable",
  enable: "enable",
  condition: "condition",
  c: "continue",
  cont: "continue",
  continue: "continue",
  n: "next",
  next: "next",
  s: "step",
  step: "step",
  r: "return",
  return: "return",
  unt: "until",
  until: "until",
  w: "where",
  where: "where",
  bt: "where",
  u: "up",
  up: "up",
  d: "down",
  down: "down",
  p: "print",
  pp: "pp",
  l: "list",
  list: "list",
  display: "display",
  undisplay: "undisplay",
  ll: "longlist",
  longlist: "longlist",
  run: "restart",
  restart: "restart",
  a: "args",
  args: "args",
  // Not pdb's: ours, for the page and editors selecting a frame by number (`frame N`).
  frame: "frame",
};

export function parsePdb(text: string): PdbCommand {
  const line = text.trim();
  if (line.startsWith("!")) return { op: "exec", args: line.slice(1).trim() };
  // As pdb splits a line: the identifier characters first, then the rest.
  const m = /^(\w+)\s*(.*)$/s.exec(line);
  const op = m ? WORDS[m[1]] : undefined;
  // `p = 3` or `c.x` is Python, as at pdb's prompt only when the word stands alone.
  if (!op || /^[=.([]/.test(m![2]) && !["print", "pp"].includes(op)) {
    return { op: "exec", args: line };
  }
  return { op, args: m![2].trim() };
}
