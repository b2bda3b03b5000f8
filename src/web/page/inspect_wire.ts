/**
 * The page's checks of the two protocol 1.4 messages it reads besides the session events:
 * `inspected` (the answer to one of its inspect questions) and `breakpoints` (the session's
 * breakpoints changed). Checked here, field by field, so the panes never cast what a server
 * sent; an answer's body is checked by its `what` where the panes rely on it. Pure.
 */
import type { Breakpoint, InspectAnswer } from "../../engine/inspect.ts";
import { isRecord } from "../../protocol/messages.ts";
import type { Message } from "../../protocol/frame.ts";

export interface InspectedMsg extends Message {
  t: "inspected";
  id: number;
  ok: boolean;
  answer?: InspectAnswer;
  code?: string;
  error?: string;
}

export interface BreakpointsMsg extends Message {
  t: "breakpoints";
  breakpoints: Breakpoint[];
}

const str = (v: unknown): v is string => typeof v === "string";
const int = (v: unknown): v is number => Number.isSafeInteger(v);
const optional = <T>(v: unknown, is: (v: unknown) => v is T): boolean => v === undefined || is(v);
const bool = (v: unknown): v is boolean => typeof v === "boolean";
const listOf = <T>(v: unknown, is: (x: unknown) => x is T): v is T[] =>
  Array.isArray(v) && v.every(is);

export function isBreakpoint(v: unknown): v is Breakpoint {
  return isRecord(v) && int(v.id) && optional(v.file, str) && optional(v.line, int) &&
    optional(v.func, str) && optional(v.condition, str) && bool(v.enabled) &&
    optional(v.hits, int) && bool(v.verified);
}

const isNamedRef = (v: unknown): v is { name: string; ref: number } =>
  isRecord(v) && str(v.name) && int(v.ref);
const isVariable = (v: unknown): v is { name: string; value: string; ref: number } =>
  isNamedRef(v) && str((v as Record<string, unknown>).value) &&
  optional((v as Record<string, unknown>).type, str);

function isAnswer(v: unknown): v is InspectAnswer {
  if (!isRecord(v)) return false;
  switch (v.what) {
    case "breakpoints":
      return listOf(v.breakpoints, isBreakpoint);
    case "scopes":
      return listOf(v.scopes, isNamedRef);
    case "variables":
      return listOf(v.variables, isVariable);
    case "evaluate":
      return isRecord(v.result) && str(v.result.value) && int(v.result.ref) &&
        optional(v.result.type, str);
    case "threads":
      return Array.isArray(v.threads);
    case "stack":
      return Array.isArray(v.frames);
    default:
      return false;
  }
}

export function isInspected(m: Message): m is InspectedMsg {
  const r = m as Record<string, unknown>;
  return m.t === "inspected" && int(r.id) && bool(r.ok) && optional(r.code, str) &&
    optional(r.error, str) && (r.answer === undefined || isAnswer(r.answer));
}

export function isBreakpoints(m: Message): m is BreakpointsMsg {
  return m.t === "breakpoints" && listOf((m as Record<string, unknown>).breakpoints, isBreakpoint);
}

/** welcome.breakpoints (1.4), checked: absent or malformed reads as "none known". */
export function welcomeBreakpoints(welcome: unknown): Breakpoint[] | undefined {
  const list = isRecord(welcome) ? welcome.breakpoints : undefined;
  return listOf(list, isBreakpoint) ? list : undefined;
}
