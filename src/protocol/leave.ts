/**
 * The command that leaves a session (WinDbg's `.remote_exit`), in one place: the session's
 * registry (src/session/meta.ts) runs it, and a client that sees it typed leaves at once on its
 * own side (saying goodbye) rather than waiting for the server to close on it. Pure.
 */

export const LEAVE_COMMAND = ".remote_exit";

/** Does the participant leave with this line? (The word alone, blanks around it allowed.) */
export function leavesSession(line: string): boolean {
  return line.trim() === LEAVE_COMMAND;
}
