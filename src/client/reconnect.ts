/**
 * When a client waits for its server to come back, and what it says. Pure.
 *
 * The rule: come back after an accident, not after a decision.
 * - The connection broke or closed without a word (the server died, the
 *   network failed): reconnect.
 * - The server said it is shutting down (a signal, its lab finished) or its
 *   debugger died: reconnect; a restarted server is expected.
 * - A user ended the session with `q`: never; everyone is done (and an older
 *   server that does not say why it ended is treated the same way).
 * - The server disconnected this client on purpose (too slow, a protocol
 *   error), or this side left: never.
 */
import type { ConnectionEnd } from "./connection.ts";
import type { Welcome } from "../protocol/messages.ts";

export function worthReconnecting(end: ConnectionEnd): boolean {
  switch (end.kind) {
    case "lost":
      return true;
    case "ended":
      return end.cause === "shutdown" || end.cause === "engine";
    default:
      return false;
  }
}

/** Why the server went away, in a few words. */
export function goneWhy(end: ConnectionEnd): string {
  switch (end.kind) {
    case "lost":
      return end.error ? `connection lost: ${end.error.message}` : "connection lost";
    case "ended": // the reason itself was shown with the end of the session, just before
      return end.cause === "engine"
        ? "its debugger ended"
        : end.cause === "shutdown"
        ? "shutting down"
        : end.reason;
    case "dropped":
      return end.reason;
    case "left":
      return "this client left";
  }
}

/** `server `target``, or `the server` before we know its name. */
export function serverLabel(name: string | undefined): string {
  return name ? `server \`${name}\`` : "the server";
}

/** What a reconnected client is told: the same session, or a new one. */
export function reconnectedText(label: string, before: Welcome, after: Welcome): string {
  if (before.session === after.session) {
    return `*** reconnected to ${label}: the same session goes on\n`;
  }
  return `*** reconnected to ${label}: this is a NEW session (id ${after.session.slice(0, 8)}, ` +
    `was ${before.session.slice(0, 8)}): the server restarted, so breakpoints and the program's ` +
    `state from before are gone\n`;
}
