/**
 * What an editor's connection needs of the session, in one place: the participant calls every
 * client has (join, submit, interrupt, leave), and the structured side (act, inspect,
 * breakpoints) the engine answers for editors and the page alike. Tests hand the DAP peer a
 * fake of this; the server hands it {@link sessionPort} of its Session.
 */
import type { Action, Breakpoint, InspectAnswer, InspectQuery } from "../engine/inspect.ts";
import type { StopInfo, TargetState } from "../engine/engine.ts";
import type { SessionEvent } from "../protocol/messages.ts";
import type { Participant, Session } from "../session/session.ts";

/** Every event an editor's participant may be handed (the `breakpoints` one among them). */
export type DapSessionEvent = SessionEvent;

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

/** The server's Session as an editor's connection sees it. */
export function sessionPort(session: Session): DapSession {
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
    act: (client, id, action) => session.act(client, id, action),
    inspect: (client, query) => session.inspect(client, query),
    breakpoints: () => session.breakpoints(),
  };
}
