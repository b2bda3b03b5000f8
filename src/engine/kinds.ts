/**
 * The one registry of engine kinds: what each is called (in a lab's `kind`, with aliases),
 * how its command line after `--` looks (`gdb ./app`, `lldb-19 -- ./app`,
 * `python3 -m pdb script.py`), which debugger it needs and how to install it.
 * Pure data and parsers: the factories are wired in main.ts by `kind`.
 */
import { UsageError } from "../errors.ts";
import { didYouMean } from "../suggest.ts";
import type { EngineSpec } from "./engine.ts";
import type { ActionWords } from "./inspect.ts";
import { gdbWords, lldbWords, pdbWords } from "./action_words.ts";

export interface EngineKind {
  /** The name in a lab's `engine = { kind = ... }` and in `EngineSpec.kind`. */
  kind: string;
  /** Other names a lab may use for it. */
  aliases: readonly string[];
  /** What it needs, for `check` and errors: "gdb 10 or newer". */
  needs: string;
  /** How to install what it needs on Debian/Ubuntu. */
  install: string;
  /** Whether a debugger word after `--` (its file name, no directory) is this kind's. */
  recognises(base: string): boolean;
  /** The command line after `--` (the debugger word first) as a spec; throws UsageError. */
  parse(words: string[]): EngineSpec;
  /** A command line to show in hints. */
  example: string;
  /** Its own words for a toolbar's or an editor's actions (engine/action_words.ts). */
  words: ActionWords;
}

/** A debugger word's file name: `/opt/gdb-14/bin/gdb` → `gdb`. */
function baseName(word: string): string {
  return word.split("/").pop()!;
}

/**
 * What follows the debugger's own words must start with the program (or script): an option of
 * the debugger's there is not passed on, so it is refused with the right form as the hint.
 */
function programFirst(
  debuggerName: string,
  what: "program" | "script",
  args: string[],
  hints: { none: string; option: string },
): void {
  if (args.length === 0) throw new UsageError(`no ${what} given to ${debuggerName}`, hints.none);
  if (args[0].startsWith("-")) {
    throw new UsageError(`${debuggerName} option "${args[0]}" is not supported here`, hints.option);
  }
}

const gdb: EngineKind = {
  kind: "gdb",
  aliases: [],
  needs: "gdb 10 or newer",
  install: "apt-get install gdb",
  example: "-- gdb --args ./app ARG...",
  words: gdbWords,
  recognises: (base) => /^gdb(-[\w.]+)?$/.test(base),
  parse(words) {
    const [debuggerPath, ...rest] = words;
    let args = rest;
    const withArgs = args[0] === "--args";
    if (withArgs) args = args.slice(1);
    programFirst("gdb", "program", args, {
      none: "-- gdb ./app, or -- gdb --args ./app ARG...",
      option: "give the program first: -- gdb --args ./app ARG...",
    });
    if (!withArgs && args.length > 1) {
      throw new UsageError(
        `gdb takes one program, got "${args.join(" ")}"`,
        `to pass arguments use --args: -- gdb --args ${args.join(" ")}`,
      );
    }
    const spec: EngineSpec = { kind: "gdb", program: args[0], args: args.slice(1) };
    if (debuggerPath !== "gdb") spec.debugger = debuggerPath;
    return spec;
  },
};

const lldb: EngineKind = {
  kind: "lldb",
  aliases: [],
  needs: "lldb 19 or newer with its lldb-dap",
  install: "apt-get install lldb-19",
  example: "-- lldb -- ./app ARG...",
  words: lldbWords,
  // Debian names them by version: lldb-19 (whose adapter is lldb-dap-19).
  recognises: (base) => /^lldb(-\d+(\.\d+)*)?$/.test(base),
  parse(words) {
    const [debuggerPath, ...rest] = words;
    let args = rest;
    // As lldb itself: `lldb ./app`, or `lldb -- ./app ARG...` to pass arguments.
    const withArgs = args[0] === "--";
    if (withArgs) args = args.slice(1);
    programFirst("lldb", "program", args, {
      none: "-- lldb ./app, or -- lldb -- ./app ARG...",
      option: "give the program first: -- lldb -- ./app ARG...",
    });
    if (!withArgs && args.length > 1) {
      throw new UsageError(
        `lldb takes one program, got "${args.join(" ")}"`,
        `to pass arguments put -- before the program: -- lldb -- ${args.join(" ")}`,
      );
    }
    const spec: EngineSpec = { kind: "lldb", program: args[0], args: args.slice(1) };
    if (debuggerPath !== "lldb") spec.debugger = debuggerPath;
    return spec;
  },
};

const python: EngineKind = {
  kind: "python",
  aliases: ["pdb", "python3"],
  needs: "a python3 that can import debugpy",
  install: "apt-get install python3-debugpy",
  example: "-- python3 -m pdb script.py ARG...",
  words: pdbWords,
  recognises: (base) => /^python(3(\.\d+)?)?$/.test(base),
  parse(words) {
    const [interpreter, ...rest] = words;
    let args = rest;
    // `python3 -m pdb script.py`, as at home; `python3 script.py` means the same here.
    if (args[0] === "-m" && args[1] === "pdb") args = args.slice(2);
    programFirst("python", "script", args, {
      none: "-- python3 -m pdb script.py ARG...",
      option: "give the script: -- python3 -m pdb script.py ARG...",
    });
    const spec: EngineSpec = { kind: "python", program: args[0], args: args.slice(1) };
    spec.debugger = interpreter;
    return spec;
  },
};

/** Every engine kind, in the order they are listed to users. */
export const ENGINE_KINDS: readonly EngineKind[] = [gdb, lldb, python];

/** Every name a lab may write in `kind`, aliases included. */
export function kindNames(): string[] {
  return ENGINE_KINDS.flatMap((k) => [k.kind, ...k.aliases]);
}

/** The kind a lab's `kind` (or an alias of it) names, or undefined. */
export function findKind(name: string): EngineKind | undefined {
  return ENGINE_KINDS.find((k) => k.kind === name || k.aliases.includes(name));
}

/** "unknown engine kind" with did-you-mean, for labs and the server command. */
export function unknownKindHint(name: string): string {
  const guess = didYouMean(name, kindNames());
  return guess
    ? `did you mean "${guess}"?`
    : `engines in this release: ${ENGINE_KINDS.map((k) => k.kind).join(", ")}`;
}

/** Parse the debugger command line after `--` into a spec, whichever kind it is. */
export function parseEngineCommand(words: string[]): EngineSpec {
  if (words.length === 0) {
    throw new UsageError(
      "no debugger given after --",
      "for example: dbgremote server tcp:port=5005 -- gdb --args ./app arg1",
    );
  }
  const base = baseName(words[0]);
  const kind = ENGINE_KINDS.find((k) => k.recognises(base));
  if (!kind) {
    const guess = didYouMean(base, ENGINE_KINDS.map((k) => k.kind));
    throw new UsageError(
      `unknown debugger "${words[0]}"`,
      (guess ? `did you mean "${guess}"? ` : "") +
        `this release drives: ${ENGINE_KINDS.map((k) => k.example).join(", ")}`,
    );
  }
  return kind.parse(words);
}
