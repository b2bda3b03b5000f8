/**
 * The interface every debugger engine implements (gdb/MI first).
 *
 * An engine owns one real debugger process. The session sends it one command
 * at a time with {@link Engine.execute}; everything the debugger says comes
 * back as {@link EngineEvent}s to the listener given at creation, in order.
 * The debugged program has a terminal of its own, which participants type into
 * with {@link Engine.input} at any time, never through the command queue.
 * Each engine passes the shared contract suite in tests/engine/.
 */

import type { Breakpoint, Inspector } from "./inspect.ts";

export type TargetState = "idle" | "running" | "stopped" | "exited";

/** One frame of the stopped thread's stack, innermost first. */
export interface StackFrame {
  level: number;
  func?: string;
  /** Source file as the debugger names it (may be relative). */
  file?: string;
  line?: number;
  addr?: string;
  /** The library or object file, for frames without source. */
  from?: string;
  /** Arguments; `value` is left out for values too large to show (structs, arrays). */
  args?: { name: string; value?: string }[];
}

/** Lines of source around where the target stopped. */
export interface SourceExcerpt {
  /** The file's full path on the server. */
  path: string;
  /** Line number of `lines[0]`. */
  first: number;
  lines: string[];
}

export interface StopInfo {
  /** gdb's reason, e.g. "breakpoint-hit", "end-stepping-range", "signal-received". */
  reason?: string;
  func?: string;
  file?: string;
  line?: number;
  /** Set when state is "exited". */
  exitCode?: number;
  /** Signal name when stopped or killed by a signal, e.g. "SIGINT". */
  signal?: string;
  /**
   * When stopped: the stack (innermost first, at most 32 frames) and the source
   * around the stop, gathered by the engine outside the transcript.
   */
  frames?: StackFrame[];
  source?: SourceExcerpt;
}

export type EngineEvent =
  /** Text for the user. `console`: the debugger's own answers; `target`: the
   * debugged program's stdout/stderr; `error`: the debugger's error text. */
  | { type: "output"; stream: "console" | "target" | "error"; text: string }
  /** The target changed state (running, stopped at a place, exited). A stop selects frame 0. */
  | { type: "state"; state: TargetState; info: StopInfo }
  /**
   * While stopped, a command selected another frame (`up`, `down`, `frame N`): the
   * frame the debugger's commands now apply to, and the source around its line
   * when it can be read. Reported outside the transcript (the debugger already
   * printed the frame); the next stop selects frame 0 again.
   */
  | { type: "frame"; frame: StackFrame; source?: SourceExcerpt }
  /** (inspect) The session's breakpoints changed (anyone's command): the whole set. */
  | { type: "breakpoints"; breakpoints: Breakpoint[] }
  /** The debugger process itself went away (crash, kill, quit). */
  | { type: "exit"; code: number | null; signal: string | null; expected: boolean };

export interface CommandResult {
  ok: boolean;
  /** Error message from the debugger when ok is false. */
  error?: string;
}

export interface Engine {
  /** Short name of the engine kind, e.g. "gdb". */
  readonly kind: string;
  /** Human description, e.g. "gdb 13.1 debugging ./demo". */
  readonly description: string;
  /** Current target state as last reported. */
  readonly state: TargetState;
  /** Start the debugger. Rejects with an EngineError (missing binary, missing program). */
  start(): Promise<void>;
  /**
   * Run one user command (ordinary debugger syntax, e.g. `break main`).
   * Resolves when the command is finished: for commands that resume the
   * target, when the target has stopped or exited again (or was interrupted).
   * Output produced meanwhile is delivered as events before this resolves.
   */
  execute(text: string): Promise<CommandResult>;
  /**
   * Interrupt the target (Ctrl+C). Resolves true when it acts: the target runs, or a command
   * under way may be about to run it (then the interrupt takes effect as soon as it does).
   * False, and nothing happens, when nothing runs or is about to.
   */
  interrupt(): Promise<boolean>;
  /**
   * Type `text` into the program's own terminal, at once (also while a command runs the
   * target). Fails when there is no program to read it.
   */
  input(text: string): CommandResult;
  /** End of input on the program's terminal (Ctrl+D), at once; fails as input() does. */
  eof(): CommandResult;
  /** The size of the program's terminal, in characters (the program is told, as by a window). */
  resize(cols: number, rows: number): CommandResult;
  /**
   * Keep these environment variables from programs started from now on (secrets the server
   * learned after the debugger started). Runs after the commands queued before it.
   */
  unsetEnv(names: string[]): Promise<void>;
  /** Stop the debugger and its target. Idempotent. */
  stop(): Promise<void>;
  /** (inspect) The structured side, outside the transcript (engine/inspect.ts); absent: none. */
  readonly inspector?: Inspector;
}

export type EngineListener = (event: EngineEvent) => void;

export interface EngineSpec {
  kind: string;
  /** Program to debug; resolved relative to cwd. */
  program?: string;
  args?: string[];
  /** Path of the debugger binary, default: the kind's name on PATH. */
  debugger?: string;
  cwd?: string;
  /**
   * The environment of the debugger and of every program it starts (default: this
   * process's). The server leaves its endpoints' secrets out.
   */
  env?: Record<string, string | undefined>;
}

export type EngineFactory = (spec: EngineSpec, listener: EngineListener) => Engine;
