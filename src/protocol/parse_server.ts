/**
 * Messages from a server, checked: the counterpart of messages.ts's
 * parseClientMessage, for whatever reads a server (the browser page, bundled
 * from this very module). A message whose fields do not fit its type is
 * refused here, so callers switch on `msg.t` and never cast.
 *
 * Checked are the fields a client relies on; fields a newer server adds pass
 * through untouched (protocol minor versions only add optional fields). A
 * message type this release does not know is `unknown`, not an error: a newer
 * server's event, for the client to skip.
 */
import type { Message } from "./frame.ts";
import {
  type ClientInfo,
  isRecord,
  type Notice,
  type Out,
  type SelectedFrame,
  type ServerMessage,
  type SessionEvent,
} from "./messages.ts";
import type { StackFrame, StopInfo, TargetState } from "../engine/engine.ts";
import { isBreakpointList, isInspectAnswer } from "./inspect_wire.ts";

/** A server message, checked: narrowed, unknown (skip it), or wrong (why). */
export type ParsedServer =
  | { ok: true; msg: ServerMessage }
  | { ok: false; unknown: true; error: string }
  | { ok: false; unknown: false; error: string };

// Records with every member of a union as key: adding a member to the type without adding it
// here fails to compile, so the parser cannot lag behind messages.ts.
const TARGET_STATES: Record<TargetState, true> = {
  idle: true,
  running: true,
  stopped: true,
  exited: true,
};
const STREAMS: Record<Out["stream"], true> = { console: true, target: true, error: true };
const NOTICE_KINDS: Record<Notice["kind"], true> = {
  join: true,
  leave: true,
  drop: true,
  info: true,
  engine: true,
  warning: true,
};

const str = (v: unknown): v is string => typeof v === "string";
const int = (v: unknown): v is number => Number.isSafeInteger(v);
const optional = <T>(v: unknown, is: (v: unknown) => v is T): boolean => v === undefined || is(v);
/** Is `v` one of the keys of `set` (a record over a union of strings)? */
const inSet = <K extends string>(set: Record<K, unknown>, v: unknown): v is K =>
  str(v) && Object.hasOwn(set, v);

function isStopInfo(v: unknown): v is StopInfo {
  return isRecord(v) && optional(v.file, str) && optional(v.func, str) &&
    optional(v.line, int) && optional(v.signal, str) && optional(v.reason, str) &&
    optional(v.exitCode, int) &&
    (v.frames === undefined || (Array.isArray(v.frames) && v.frames.every(isFrame))) &&
    (v.source === undefined || isSource(v.source));
}

function isFrame(v: unknown): v is StackFrame {
  return isRecord(v) && int(v.level) && optional(v.func, str) && optional(v.file, str) &&
    optional(v.line, int) && optional(v.addr, str) && optional(v.from, str) &&
    (v.args === undefined ||
      (Array.isArray(v.args) &&
        v.args.every((a) => isRecord(a) && str(a.name) && optional(a.value, str))));
}

function isSource(v: unknown): boolean {
  return isRecord(v) && str(v.path) && int(v.first) && Array.isArray(v.lines) &&
    v.lines.every(str);
}

function isSelectedFrame(v: unknown): v is SelectedFrame {
  return isRecord(v) && isFrame(v.frame) && (v.source === undefined || isSource(v.source));
}

function isClientInfo(v: unknown): v is ClientInfo {
  return isRecord(v) && int(v.id) && str(v.via) && isRecord(v.who) && str(v.who.user) &&
    str(v.who.host) && str(v.who.tool) &&
    (v.role === undefined || v.role === "operator" || v.role === "observer");
}

/** Said of a message type this release does not know (not a problem with its fields). */
const UNKNOWN = Symbol("unknown message type");

/** The problem with a message's fields, or undefined when they are right for its type. */
type Check = (m: Message) => string | undefined;
const check = (fits: (m: Message) => boolean, problem: string): Check => (m) =>
  fits(m) ? undefined : problem;

// One check per type of the unions: a type added to SessionEvent or ServerMessage in
// messages.ts without a check here fails to compile, so no client drops it unnoticed.
const EVENT_CHECKS: { [T in SessionEvent["t"]]: Check } = {
  echo: check(
    (m) => str(m.from) && int(m.client) && int(m.id) && int(m.seq) && str(m.text),
    "echo needs from, client, id, seq and text",
  ),
  out: check(
    (m) => (m.seq === null || int(m.seq)) && inSet(STREAMS, m.stream) && str(m.text),
    "out needs seq, a stream and text",
  ),
  state: check(
    (m) => inSet(TARGET_STATES, m.state) && isStopInfo(m.info),
    "state needs a state and its info",
  ),
  notice: check(
    (m) =>
      inSet(NOTICE_KINDS, m.kind) && str(m.text) &&
      (m.client === undefined || isClientInfo(m.client)) && optional(m.code, str),
    "notice needs a kind and text",
  ),
  done: check(
    (m) =>
      int(m.client) && int(m.id) && int(m.seq) && typeof m.ok === "boolean" &&
      optional(m.error, str) && optional(m.code, str),
    "done needs client, id, seq and ok",
  ),
  end: check((m) => str(m.reason), "end needs a reason"),
  selected: check(isSelectedFrame, "selected needs a frame"),
  breakpoints: check(
    (m) => isBreakpointList(m.breakpoints) && optional(m.client, int),
    "breakpoints needs a list of them",
  ),
};

const HANDSHAKE_CHECKS: { [T in Exclude<ServerMessage["t"], SessionEvent["t"]>]: Check } = {
  challenge: check(
    (m) => str(m.nonce) && str(m.salt) && typeof m.iterations === "number",
    "challenge needs nonce, salt and iterations",
  ),
  error: check(
    (m) => str(m.code) && str(m.message) && optional(m.hint, str),
    "error needs a code and a message",
  ),
  welcome: welcomeProblem,
  inspected: check(
    (m) =>
      int(m.id) && typeof m.ok === "boolean" &&
      (m.ok ? isInspectAnswer(m.answer, isFrame) : str(m.code) && str(m.error)),
    "inspected needs id and ok, then an answer, or a code and an error",
  ),
};

function eventProblem(m: Message): string | typeof UNKNOWN | undefined {
  return inSet(EVENT_CHECKS, m.t) ? EVENT_CHECKS[m.t](m) : UNKNOWN;
}

function isEvent(m: unknown): m is SessionEvent {
  return isRecord(m) && str(m.t) && eventProblem({ ...m, t: m.t }) === undefined;
}

/** A newer server's event in a scrollback: skipped, as it would be live. */
function isUnknownEvent(m: unknown): boolean {
  return isRecord(m) && str(m.t) && eventProblem({ ...m, t: m.t }) === UNKNOWN;
}

function welcomeProblem(m: Message): string | undefined {
  const server = m.server;
  if (
    !str(m.protocol) || !str(m.release) || !str(m.session) || !int(m.you) ||
    !isRecord(server) || !str(server.name) || !str(server.engine) || !str(server.host)
  ) {
    return "welcome needs protocol, release, server, session and you";
  }
  if (!Array.isArray(m.clients) || !m.clients.every(isClientInfo)) {
    return "welcome's clients are not a list of participants";
  }
  // A newer server's scrollback may hold events this release does not know: they are
  // dropped below, as live ones are skipped; known ones must be right.
  if (!Array.isArray(m.scrollback) || !m.scrollback.every((e) => isEvent(e) || isUnknownEvent(e))) {
    return "welcome's scrollback is not a list of session events";
  }
  if (!inSet(TARGET_STATES, m.state) || (m.info !== undefined && !isStopInfo(m.info))) {
    return "welcome needs the target's state";
  }
  if (m.selected !== undefined && !isSelectedFrame(m.selected)) {
    return "welcome's selected is not a frame";
  }
  if (m.breakpoints !== undefined && !isBreakpointList(m.breakpoints)) {
    return "welcome's breakpoints are not a list of breakpoints";
  }
  if (m.role !== undefined && m.role !== "operator" && m.role !== "observer") {
    return "welcome's role is neither operator nor observer";
  }
  return optional(m.warning, str) && optional(m.proof, str)
    ? undefined
    : "welcome's warning and proof are text";
}

function problem(m: Message): string | typeof UNKNOWN | undefined {
  return inSet(HANDSHAKE_CHECKS, m.t) ? HANDSHAKE_CHECKS[m.t](m) : eventProblem(m);
}

/** `problem` finds nothing: the fields are those of the type `t` names. */
function isServerMessage(m: Message): m is ServerMessage {
  return problem(m) === undefined;
}

/** Check one decoded message from a server. */
export function parseServerMessage(m: Message): ParsedServer {
  if (isServerMessage(m)) {
    if (m.t !== "welcome") return { ok: true, msg: m };
    return { ok: true, msg: { ...m, scrollback: m.scrollback.filter(isEvent) } };
  }
  const found = problem(m);
  if (found === UNKNOWN) {
    return {
      ok: false,
      unknown: true,
      error: `a message type this release does not know: "${m.t}"`,
    };
  }
  return { ok: false, unknown: false, error: `bad "${m.t}" message: ${found}` };
}
