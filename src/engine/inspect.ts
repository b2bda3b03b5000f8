/**
 * The structured side of an engine, beside `execute(text)`: what editors (the `dap:`
 * endpoint) and the browser page's panes read and do.
 *
 * Reading (breakpoints, threads, stack, scopes, variables, watch expressions) happens
 * outside the transcript, like the page's panel: nobody else sees a hover. Doing (stepping,
 * setting a breakpoint, selecting a frame) is always a session command in the engine's own
 * words, issued by whoever asked, so a console user reads an editor's `next` exactly as a
 * colleague's: {@link ActionWords} turns an {@link Action} into those words, once per engine
 * kind, for every client that acts.
 */
import type { StackFrame } from "./engine.ts";
import { DbgRemoteError, type InspectCode } from "../errors.ts";

/** One breakpoint of the session (there is one set, whoever made it). */
export interface Breakpoint {
  /** The debugger's own number (`delete 2`, `breakpoint delete 2`, `cl 2`). */
  id: number;
  file?: string;
  line?: number;
  func?: string;
  condition?: string;
  enabled: boolean;
  /** Times hit, when the debugger counts. */
  hits?: number;
  /** False while the debugger could not place it (pending, no code at that line). */
  verified: boolean;
  /** Where it was set, as it was said (`main`, `demo.c:9`): tells a function's from a line's. */
  location?: string;
}

export interface ThreadInfo {
  id: number;
  name: string;
}

/** A group of variables of one frame (locals, arguments, registers). */
export interface Scope {
  name: string;
  /** Hand to {@link Inspector.variables}. Valid until the target resumes. */
  ref: number;
}

export interface Variable {
  name: string;
  value: string;
  type?: string;
  /** >0: it has children, read with {@link Inspector.variables}(ref); valid until the target resumes. */
  ref: number;
}

export interface Evaluated {
  value: string;
  type?: string;
  ref: number;
}

/**
 * Read-only questions to the debugger while the target is stopped. Each rejects with an
 * EngineError (code E_TARGET_RUNNING while it runs) rather than returning stale answers.
 */
export interface Inspector {
  breakpoints(): Promise<Breakpoint[]>;
  threads(): Promise<ThreadInfo[]>;
  /** The stack of `thread` (default: the stopped one), innermost first. */
  stack(thread?: number, start?: number, levels?: number): Promise<StackFrame[]>;
  scopes(frameLevel: number, thread?: number): Promise<Scope[]>;
  variables(ref: number): Promise<Variable[]>;
  /** A watch or hover: evaluated in the frame, meant to have no side effects. */
  evaluate(expression: string, frameLevel?: number, thread?: number): Promise<Evaluated>;
}

/** What a toolbar, a click in the source or an editor asks the debugger to do. */
export type Action =
  | { do: "continue" }
  | { do: "next" }
  | { do: "stepIn" }
  | { do: "stepOut" }
  | { do: "break"; file: string; line: number; condition?: string }
  | { do: "breakFunction"; name: string; condition?: string }
  | { do: "clear"; id: number }
  | { do: "frame"; level: number };

/** An engine kind's own words for each action: the command the session runs and shows. */
export type ActionWords = (action: Action) => string;

/** One read-only question, as clients send it (the page over the wire, an editor through `dap:`). */
export type InspectQuery =
  | { what: "breakpoints" }
  | { what: "threads" }
  | { what: "stack"; thread?: number; start?: number; levels?: number }
  | { what: "scopes"; frame: number; thread?: number }
  | { what: "variables"; ref: number }
  | { what: "evaluate"; expression: string; frame?: number; thread?: number };

/** The answer to an {@link InspectQuery}, tagged by the same `what`. */
export type InspectAnswer =
  | { what: "breakpoints"; breakpoints: Breakpoint[] }
  | { what: "threads"; threads: ThreadInfo[] }
  | { what: "stack"; frames: StackFrame[] }
  | { what: "scopes"; scopes: Scope[] }
  | { what: "variables"; variables: Variable[] }
  | { what: "evaluate"; result: Evaluated };

/** Why the structured side did not answer: a stable code for clients to decide on. */
export type { InspectCode };

/** An inspector's refusal or the debugger's: rejected with this, never a stale answer. */
export class InspectError extends DbgRemoteError {
  constructor(code: InspectCode, message: string, hint?: string) {
    super(code, message, { hint });
    this.name = "InspectError";
  }
}

/** The target is not stopped: nothing to read (running: wait for a stop; none: start it). */
export function notStopped(state: string): InspectError {
  return state === "running"
    ? new InspectError(
      "E_TARGET_RUNNING",
      "the target is running",
      "interrupt it or wait for a stop",
    )
    : new InspectError("E_NO_TARGET", "the target is not stopped", "start the program first");
}

/** A variables reference that is unknown or died when the target resumed. */
export function badRef(ref: number): InspectError {
  return new InspectError(
    "E_BAD_REF",
    `variables reference ${ref} is unknown or died when the target resumed`,
    "ask for the scopes of the frame again",
  );
}
