/**
 * Wire protocol v1 messages. Every frame carries one of these.
 *
 * Client → server: hello, auth, cmd, interrupt, bye.
 * Server → client: challenge, welcome, error, echo, out, state, notice, done, end,
 * selected (1.2).
 *
 * Protocol 1.1 added optional fields only (a 1.0 peer ignores them; a 1.1 peer
 * must cope with their absence): roles and activity in ClientInfo, `observe`
 * in hello, `role` in welcome, `refused` in done.
 *
 * Protocol 1.2 added the `selected` event and `welcome.selected`. A 1.1 client
 * would print an event type it does not know, so the server sends `selected`
 * only to peers whose hello said {@link SELECTED_SINCE} or newer.
 *
 * Protocol 1.3 (output of any size) added optional fields only: `code` in
 * done (why a command was refused) and in notice (on a drop, told to the one
 * dropped), so clients decide on codes, never on text. An `out` was always a
 * piece of the output, not a line: long text comes as several, which clients
 * join as they arrive, adding nothing (see protocol/fit.ts).
 *
 * Protocol 1.4 (the structured side, for the page's panes; see protocol/inspect_wire.ts)
 * added client messages `act` (an action run as the client's own command, in the engine's
 * words: echo, out and done as for `cmd`; refused to observers) and `inspect` (a read-only
 * question, observers too), the server's `inspected` (to the asker alone, never in scrollback
 * or the record) and the `breakpoints` event (the whole set, live only) with
 * `welcome.breakpoints`. A 1.3 server closes a peer sending `act` or `inspect` (an unknown
 * type), so clients send them only to a server whose welcome says 1.4; the server sends
 * `breakpoints` only to peers whose hello said {@link INSPECT_SINCE} or newer.
 */
import type { SourceExcerpt, StackFrame, StopInfo, TargetState } from "../engine/engine.ts";
import type { Message } from "./frame.ts";
import type { Breakpoint } from "../engine/inspect.ts";
import {
  type Act,
  actProblem,
  type Breakpoints,
  type Inspect,
  type Inspected,
  inspectProblem,
} from "./inspect_wire.ts";

export { type Act, type Breakpoints, type Inspect, type Inspected };
export { INSPECT_SINCE } from "./inspect_wire.ts";

export interface Who {
  user: string;
  host: string;
  /** The client program, e.g. "dbgremote-console". */
  tool: string;
}

/**
 * What a participant may do. An operator runs commands and interrupts; an
 * observer sees everything but may only read (.clients, .servers, .help),
 * speak (.echo) and leave.
 */
export type Role = "operator" | "observer";

export interface ClientInfo {
  id: number;
  who: Who;
  /** Transport the client came in on, e.g. "tcp:127.0.0.1:40312". */
  via: string;
  /** (1.1) Absent from a 1.0 server: an operator. */
  role?: Role;
  /** (1.1) When it joined: ms since the epoch, by the server's clock. */
  since?: number;
  /** (1.1) Its last command or interrupt: ms since the epoch, by the server's clock; absent: none yet. */
  lastActive?: number;
  /** (1.1) Id of the server endpoint it came in through (as `.servers` lists them); absent: the server's own terminal. */
  endpoint?: number;
}

export interface Hello extends Message {
  t: "hello";
  protocol: string;
  release: string;
  who: Who;
  /** (1.1) Join as an observer. A client can ask to be one, never to be promoted. */
  observe?: boolean;
}

export interface Welcome extends Message {
  t: "welcome";
  protocol: string;
  release: string;
  server: { name: string; engine: string; host: string };
  session: string;
  you: number;
  clients: ClientInfo[];
  /** Recent session events, oldest first, for a late joiner. */
  scrollback: SessionEvent[];
  state: TargetState;
  /** Where the target is (stack, source) when it is stopped, as the last `state` said. */
  info?: StopInfo;
  /**
   * (1.2) While stopped, once a command selected a frame since the stop (`up`, `down`,
   * `frame N`): that frame. Absent: the stop's own frame (level 0) is selected.
   */
  selected?: SelectedFrame;
  /**
   * (1.1) Your role, decided by the server: "observer" if the endpoint says `observe`
   * or the hello asked for it, else "operator". Absent from a 1.0 server: operator.
   */
  role?: Role;
  /** (1.4) The session's breakpoints now (then live `breakpoints` events). */
  breakpoints?: Breakpoint[];
  /** Set when the releases differ. */
  warning?: string;
  /** With a password: the server's proof that it knows it too (see protocol/auth.ts). */
  proof?: string;
}

/** The server needs the password: prove you know it. */
export interface Challenge extends Message {
  t: "challenge";
  nonce: string;
  salt: string;
  iterations: number;
}

/** The client's answer to a challenge. */
export interface Auth extends Message {
  t: "auth";
  nonce: string;
  proof: string;
}

export interface ErrorMsg extends Message {
  t: "error";
  code: string;
  message: string;
  hint?: string;
}

export interface Cmd extends Message {
  t: "cmd";
  id: number;
  text: string;
}

export interface Interrupt extends Message {
  t: "interrupt";
}

export interface Bye extends Message {
  t: "bye";
}

/** Who typed what; sent to everyone before the command runs. */
export interface Echo extends Message {
  t: "echo";
  /** Issuer as `user@host`. */
  from: string;
  /** Client id of the issuer (0 is the server's own terminal). */
  client: number;
  /** The issuer's own id for the command. */
  id: number;
  /** Session-wide command number: `out` and `done` refer to it. */
  seq: number;
  text: string;
}

export interface Out extends Message {
  t: "out";
  /** Session command number this output belongs to, or null for output between commands. */
  seq: number | null;
  stream: "console" | "target" | "error";
  text: string;
}

export interface State extends Message {
  t: "state";
  state: TargetState;
  info: StopInfo;
}

export interface Notice extends Message {
  t: "notice";
  kind: "join" | "leave" | "drop" | "info" | "engine" | "warning";
  text: string;
  /** On join, leave and drop: who (clients keep their list of participants up to date). */
  client?: ClientInfo;
  /**
   * (1.3) On a drop, in the notice to the one dropped (its `client` is itself): why, as a
   * stable code (E_SLOW_CLIENT: it did not read its output).
   */
  code?: string;
}

export interface Done extends Message {
  t: "done";
  client: number;
  id: number;
  /** The command's session number; 0 for a refused command (it never ran). */
  seq: number;
  ok: boolean;
  error?: string;
  /**
   * (1.1) The command was refused and never ran (an observer's command): this
   * done goes to the issuer only, with the reason in `error`.
   */
  refused?: boolean;
  /** (1.3) With `refused`: why, as a stable code (E_TOO_LONG, ...); absent: an observer's command. */
  code?: string;
}

/**
 * Why a session ended, for clients deciding whether to wait for the server to
 * come back: `quit` a user ended it (q); `shutdown` the server was stopped
 * (a signal, its lab finished); `engine` the debugger exited or died.
 */
export type EndCause = "quit" | "shutdown" | "engine";

/** The session is over; the server closes the connection after this. */
export interface End extends Message {
  t: "end";
  reason: string;
  /** Added in protocol 1.0 releases after 0.1.0: absent from older servers. */
  cause?: EndCause;
}

/** The frame the debugger's commands apply to, and the source around its line. */
export interface SelectedFrame {
  frame: StackFrame;
  source?: SourceExcerpt;
}

/** The first protocol with the `selected` event. */
export const SELECTED_SINCE = "1.2";

/**
 * (1.2) A command selected another frame while the target is stopped (`up`, `down`,
 * `frame N`, from anyone). Beside the transcript, for panels: the debugger's own
 * answer is in `out` as always. Sent live only, never in scrollback (late joiners get
 * `welcome.selected`), and only to peers whose hello said 1.2 or newer. The next
 * `state` selects frame 0 again.
 */
export interface Selected extends Message {
  t: "selected";
  frame: StackFrame;
  source?: SourceExcerpt;
}

/** What every client sees, and what scrollback replays (`selected`, `breakpoints` only live). */
export type SessionEvent = Echo | Out | State | Notice | Done | End | Selected | Breakpoints;

export type ClientMessage = Hello | Auth | Cmd | Interrupt | Bye | Act | Inspect;
export type ServerMessage = Challenge | Welcome | ErrorMsg | SessionEvent | Inspected;

function isString(v: unknown): v is string {
  return typeof v === "string";
}

/** A plain object (not null, not an array): its fields can be looked at. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * A decoded message, checked: either the narrowed message, or why it is not one.
 * Callers switch on `msg.t` and need no casts.
 */
export type Parsed<T> = { ok: true; msg: T } | { ok: false; error: string };

/** C0 and C1 control characters and DEL: what a terminal may act on instead of showing. */
// deno-lint-ignore no-control-regex
export const CONTROL_CHAR = /[\x00-\x1f\x7f-\x9f]/;

/**
 * What must never reach a terminal as it is: the control characters above, and the
 * bidirectional marks and overrides that make a line read as something else (a search
 * answer from the network, an `.echo` from an observer). One set for every place that
 * shows others' text; each shows what it finds in its own notation.
 * Global: for `replace`, never `test`.
 */
// deno-lint-ignore no-control-regex
export const TERMINAL_UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function hasControls(text: string): boolean {
  return CONTROL_CHAR.test(text);
}

/** The problem with a client message's fields, or undefined when they are right for its type. */
function clientProblem(m: Message): string | undefined {
  switch (m.t) {
    case "hello": {
      const who = isRecord(m.who) ? m.who : undefined;
      if (!isString(m.protocol) || !isString(m.release)) return "hello needs protocol and release";
      if (!who || !isString(who.user) || !isString(who.host) || !isString(who.tool)) {
        return "hello needs who {user, host, tool}";
      }
      // Names reach every console and the server's log, even from a peer that has not logged
      // in: no terminal control sequences, no forged lines, no screenfuls.
      if ([who.user, who.host, who.tool].some((v) => v.length > 255 || hasControls(v))) {
        return "hello's who {user, host, tool} must be printable, up to 255 characters each";
      }
      if (m.observe !== undefined && typeof m.observe !== "boolean") {
        return "hello's observe must be true or false";
      }
      return undefined;
    }
    case "auth":
      if (
        !isString(m.nonce) || !isString(m.proof) || m.nonce.length > 200 || m.proof.length > 200
      ) {
        return "auth needs nonce and proof";
      }
      return undefined;
    case "cmd":
      if (!Number.isSafeInteger(m.id) || !isString(m.text)) {
        return "cmd needs an integer id and text";
      }
      return undefined;
    case "interrupt":
    case "bye":
      return undefined;
    case "act":
      return actProblem(m);
    case "inspect":
      return inspectProblem(m);
    default:
      return `unknown message type "${m.t}"`;
  }
}

/** clientProblem found nothing: the fields are those of the message type `t` names. */
function isClientMessage(m: Message): m is ClientMessage {
  return clientProblem(m) === undefined;
}

/**
 * A decoded message from a client, checked field by field: the narrowed
 * {@link ClientMessage} (switch on `msg.t`), or the error text for the peer.
 * Fields a newer client adds pass through untouched.
 */
export function parseClientMessage(m: Message): Parsed<ClientMessage> {
  return isClientMessage(m) ? { ok: true, msg: m } : { ok: false, error: clientProblem(m)! };
}
