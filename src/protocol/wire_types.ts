/**
 * The target's state as the protocol carries it (in `state`, `selected` and `welcome`): the wire's
 * own shapes, defined here and not taken from the engine, so a change to an engine's types never
 * changes what goes over the wire unnoticed. The session maps engine values to these in one place
 * (src/session/engine_wire.ts), whose test fails when the two drift apart. Types only.
 */

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

/** Where the target is, with a `state` (what is known depends on the state). */
export interface StopInfo {
  /** The debugger's reason, e.g. "breakpoint-hit", "end-stepping-range", "signal-received". */
  reason?: string;
  func?: string;
  file?: string;
  line?: number;
  /** Set when state is "exited". */
  exitCode?: number;
  /** Signal name when stopped or killed by a signal, e.g. "SIGINT". */
  signal?: string;
  /** When stopped: the stack (innermost first, at most 32 frames). */
  frames?: StackFrame[];
  /** When stopped: the source around the stop. */
  source?: SourceExcerpt;
}
