/**
 * What an editor's connection needs of the session, in one place: the participant calls every
 * client has (join, submit, interrupt, leave), and the structured side (act, inspect,
 * breakpoints) the engine answers for editors and the page alike. Tests hand the DAP peer a
 * fake of this; the server hands it {@link sessionPort} of its Session.
 */
import type { Action, Breakpoint, InspectAnswer, InspectQuery } from "../engine/inspect.ts";
import type { StopInfo, TargetState } from "../engine/engine.ts";
import { DbgRemoteError } from "../errors.ts";
import type { SessionEvent } from "../protocol/messages.ts";
import type { Participant, Session } from "../session/session.ts";

/** The session's set of breakpoints changed (whoever changed it). */
export interface BreakpointsEvent {
  t: "breakpoints";
  breakpoints: Breakpoint[];
}

/** Every event an editor's participant may be handed. */
export type DapSessionEvent = SessionEvent | BreakpointsEvent;

export interface DapSession {
  readonly name: string;
  readonly ended: boolean;
  readonly state: TargetState;
  readonly stateInfo: StopInfo;
  join(p: Participant): { id: number; scrollback: SessionEvent[] };
  leave(id: number, reason?: string): void;
  drop(id: number, reason: string): void;
  /** A typed command (the editor's debug console). */
  submit(client: number, id: number, text: string): void;
  interrupt(client: number): Promise<void>;
  /** An action as a session command in the engine's words, issued by `client` (echo/out/done with `id`). */
  act(client: number, id: number, action: Action): void;
  /** Read-only, outside the transcript; rejects with a coded error (E_TARGET_RUNNING ...). */
  inspect(client: number, query: InspectQuery): Promise<InspectAnswer>;
  /** The session's one set of breakpoints, as last known. */
  breakpoints(): Breakpoint[];
}

type StructuredSide = Pick<DapSession, "act" | "inspect" | "breakpoints">;

/**
 * Until the session has its structured side (#13's inspect branch), stand-ins: actions as gdb's
 * words, the stack from the last stop, no breakpoint list. Goes once that lands.
 */
function gdbWords(action: Action): string {
  switch (action.do) {
    case "continue":
      return "continue";
    case "next":
      return "next";
    case "stepIn":
      return "step";
    case "stepOut":
      return "finish";
    case "break":
      return `break ${action.file}:${action.line}${
        action.condition ? ` if ${action.condition}` : ""
      }`;
    case "breakFunction":
      return `break ${action.name}${action.condition ? ` if ${action.condition}` : ""}`;
    case "clear":
      return `delete ${action.id}`;
    case "frame":
      return `frame ${action.level}`;
  }
}

function interimInspect(session: Session, query: InspectQuery): Promise<InspectAnswer> {
  if (session.state !== "stopped") {
    return Promise.reject(
      new DbgRemoteError("E_USAGE", "the target is running", { hint: "pause it first" }),
    );
  }
  if (query.what === "threads") {
    return Promise.resolve({ what: "threads", threads: [{ id: 1, name: "main" }] });
  }
  if (query.what === "stack") {
    return Promise.resolve({ what: "stack", frames: session.stateInfo.frames ?? [] });
  }
  if (query.what === "scopes") return Promise.resolve({ what: "scopes", scopes: [] });
  return Promise.reject(new DbgRemoteError("E_USAGE", `${query.what} is not available yet`));
}

/** The server's Session as an editor's connection sees it. */
export function sessionPort(session: Session): DapSession {
  const side = session as Session & Partial<StructuredSide>;
  return {
    get name() {
      return session.name;
    },
    get ended() {
      return session.ended;
    },
    get state() {
      return session.state;
    },
    get stateInfo() {
      return session.stateInfo;
    },
    join: (p) => session.join(p),
    leave: (id, reason) => session.leave(id, reason),
    drop: (id, reason) => session.drop(id, reason),
    submit: (client, id, text) => session.submit(client, id, text),
    interrupt: (client) => session.interrupt(client),
    act: (client, id, action) =>
      side.act ? side.act(client, id, action) : session.submit(client, id, gdbWords(action)),
    inspect: (client, query) =>
      side.inspect ? side.inspect(client, query) : interimInspect(session, query),
    breakpoints: () => side.breakpoints?.() ?? [],
  };
}
