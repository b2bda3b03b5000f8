/**
 * Protocol 1.4: the structured side on the wire (see messages.ts's header).
 *
 * Client → server: `act` (a toolbar's or a click's action, run as the client's own command in
 * the engine's words) and `inspect` (a read-only question, answered by `inspected` to the asker
 * alone, never in the transcript). Server → client: `inspected`, and `breakpoints` (the
 * session's whole set, live, whenever anyone's command changes it) to peers that said 1.4.
 *
 * The checks here are the wire's: shapes and sizes, each problem in words for the peer.
 * Pure; no casts (every check narrows).
 */
import type {
  Action,
  Breakpoint,
  Evaluated,
  InspectAnswer,
  InspectQuery,
  Scope,
  ThreadInfo,
  Variable,
} from "../engine/inspect.ts";
import type { StackFrame } from "../engine/engine.ts";
import type { Message } from "./frame.ts";

/** The first protocol with act, inspect, inspected and breakpoints. */
export const INSPECT_SINCE = "1.4";

/** Longest expression, file name or condition: as a command line (fit.ts's MAX_COMMAND_CHARS). */
export const MAX_INSPECT_CHARS = 16 * 1024;

/** (1.4) Do this, as my command `id` (echo, out and done follow as for `cmd`). */
export interface Act extends Message {
  t: "act";
  id: number;
  action: Action;
}

/** (1.4) A read-only question; answered by `inspected` with the same id, to the asker only. */
export interface Inspect extends Message {
  t: "inspect";
  id: number;
  query: InspectQuery;
}

/** (1.4) The answer to `inspect` `id`: `answer` when ok, else a stable `code` and `error`. */
export interface Inspected extends Message {
  t: "inspected";
  id: number;
  ok: boolean;
  answer?: InspectAnswer;
  code?: string;
  error?: string;
}

/** (1.4) The session's breakpoints changed: the whole set. Live only, never in scrollback. */
export interface Breakpoints extends Message {
  t: "breakpoints";
  breakpoints: Breakpoint[];
  /** The participant whose command changed them; absent: the debugger itself (a run). */
  client?: number;
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): v is string => typeof v === "string";
const int = (v: unknown): v is number => Number.isSafeInteger(v);
const count = (v: unknown): v is number => int(v) && v >= 0;
const optional = <T>(v: unknown, is: (v: unknown) => v is T): boolean => v === undefined || is(v);
// deno-lint-ignore no-control-regex
const CONTROLS = /[\x00-\x1f\x7f-\x9f]/;
/** Text that becomes part of a debugger command: bounded, one line. */
const word = (v: unknown): v is string =>
  str(v) && v.length > 0 && v.length <= MAX_INSPECT_CHARS && !CONTROLS.test(v);

/** The problem with an `act`'s fields, or undefined when they are right. */
export function actProblem(m: Message): string | undefined {
  if (!int(m.id)) return "act needs an integer id";
  const a = m.action;
  if (!isRec(a) || !str(a.do)) return "act needs an action {do, ...}";
  const cond = optional(a.condition, word);
  switch (a.do) {
    case "continue":
    case "next":
    case "stepIn":
    case "stepOut":
      return undefined;
    case "break":
      return word(a.file) && int(a.line) && a.line > 0 && cond
        ? undefined
        : "break needs a file, a line from 1, and an optional condition (one line each, " +
          `up to ${MAX_INSPECT_CHARS} characters)`;
    case "breakFunction":
      return word(a.name) && cond
        ? undefined
        : "breakFunction needs a name and an optional condition (one line each)";
    case "clear":
      return count(a.id) ? undefined : "clear needs the breakpoint's id";
    case "frame":
      return count(a.level) ? undefined : "frame needs a level from 0";
    default:
      return `unknown action "${a.do}"`;
  }
}

/** The problem with an `inspect`'s fields, or undefined when they are right. */
export function inspectProblem(m: Message): string | undefined {
  if (!int(m.id)) return "inspect needs an integer id";
  const q = m.query;
  if (!isRec(q) || !str(q.what)) return "inspect needs a query {what, ...}";
  const thread = optional(q.thread, count);
  switch (q.what) {
    case "breakpoints":
    case "threads":
      return undefined;
    case "stack":
      return thread && optional(q.start, count) && optional(q.levels, count)
        ? undefined
        : "stack's thread, start and levels are whole numbers";
    case "scopes":
      return count(q.frame) && thread ? undefined : "scopes needs a frame level";
    case "variables":
      return count(q.ref) ? undefined : "variables needs a ref";
    case "evaluate":
      if (!str(q.expression) || q.expression.length === 0) return "evaluate needs an expression";
      if (q.expression.length > MAX_INSPECT_CHARS) {
        return `the expression is over ${MAX_INSPECT_CHARS} characters (E_TOO_LONG)`;
      }
      return optional(q.frame, count) && thread
        ? undefined
        : "evaluate's frame and thread are whole numbers";
    default:
      return `unknown question "${q.what}"`;
  }
}

// What a client checks of the server's answers.

export function isBreakpoint(v: unknown): v is Breakpoint {
  return isRec(v) && int(v.id) && typeof v.enabled === "boolean" &&
    typeof v.verified === "boolean" && optional(v.file, str) && optional(v.line, int) &&
    optional(v.func, str) && optional(v.condition, str) && optional(v.hits, int) &&
    optional(v.location, str);
}

function isThread(v: unknown): v is ThreadInfo {
  return isRec(v) && int(v.id) && str(v.name);
}

function isScope(v: unknown): v is Scope {
  return isRec(v) && str(v.name) && int(v.ref);
}

function isValue(v: unknown): v is Evaluated {
  return isRec(v) && str(v.value) && int(v.ref) && optional(v.type, str);
}

function isVariable(v: unknown): v is Variable {
  return isRec(v) && str(v.name) && isValue(v);
}

const listOf = <T>(v: unknown, is: (v: unknown) => v is T): v is T[] =>
  Array.isArray(v) && v.every(is);

/** An answer's shape, by its `what`. `isFrame` comes from the caller (parse_server.ts). */
export function isInspectAnswer(
  v: unknown,
  isFrame: (f: unknown) => f is StackFrame,
): v is InspectAnswer {
  if (!isRec(v)) return false;
  switch (v.what) {
    case "breakpoints":
      return listOf(v.breakpoints, isBreakpoint);
    case "threads":
      return listOf(v.threads, isThread);
    case "stack":
      return listOf(v.frames, isFrame);
    case "scopes":
      return listOf(v.scopes, isScope);
    case "variables":
      return listOf(v.variables, isVariable);
    case "evaluate":
      return isValue(v.result);
    default:
      return false;
  }
}

export function isBreakpointList(v: unknown): v is Breakpoint[] {
  return listOf(v, isBreakpoint);
}
