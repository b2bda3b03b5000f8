/**
 * The welcome a peer gets as it joins: who the server is, who is here, what happened lately and
 * where the target is. Made from the session as it is at that moment; fitted to one frame and
 * encoded once (protocol/fit.ts).
 */
import { encodeWelcome } from "../protocol/fit.ts";
import type { ClientInfo, Role, SessionEvent, Welcome } from "../protocol/messages.ts";
import type { VersionInfo } from "../version.ts";
import type { Session } from "./session.ts";

export interface Joining {
  /** The peer's participant id. */
  you: number;
  clients: ClientInfo[];
  /** The same list as JSON (Session.clientsJson): the welcome's frame puts it in as it is. */
  clientsJson?: Uint8Array;
  scrollback: SessionEvent[];
  role: Role;
  /** Set when the releases differ. */
  warning?: string;
  /** With a password: the server's proof that it knows it too. */
  proof?: string;
  /** (1.4) The peer knows the `breakpoints` event: its welcome carries the session's set. */
  knowsInspect?: boolean;
}

/** The welcome as the message it is (tests read it), not fitted. */
export function welcomeOf(session: Session, version: VersionInfo, joining: Joining): Welcome {
  const welcome: Welcome = {
    t: "welcome",
    protocol: version.protocol,
    release: version.release,
    server: { name: session.name, engine: session.engine.description, host: session.host },
    session: session.id,
    you: joining.you,
    clients: joining.clients,
    scrollback: joining.scrollback,
    state: session.state,
    role: joining.role,
  };
  if (session.state === "stopped") welcome.info = session.stateInfo;
  const selected = session.selected;
  if (selected) welcome.selected = selected;
  if (joining.knowsInspect) welcome.breakpoints = session.breakpoints();
  if (joining.warning) welcome.warning = joining.warning;
  if (joining.proof) welcome.proof = joining.proof;
  return welcome;
}

/** The welcome's frame, fitted to the frame limit. */
export function welcomeFrame(session: Session, version: VersionInfo, joining: Joining): Uint8Array {
  return encodeWelcome(welcomeOf(session, version, joining), undefined, joining.clientsJson);
}
