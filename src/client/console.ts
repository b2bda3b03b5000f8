/**
 * The console: a person at a terminal taking part in a session, either as a
 * network client or as the server's own terminal. Terminal I/O comes in
 * through {@link Terminal} so tests can drive it with plain arrays.
 */
import type { SessionEvent } from "../protocol/messages.ts";
import type { Session } from "../session/session.ts";
import type { Who } from "../protocol/messages.ts";
import type { ClientConnection, ConnectionEnd } from "./connection.ts";
import { renderEvent } from "./render.ts";
import { describeError } from "../errors.ts";
import type { Terminal } from "../terminal.ts";
import { leavesSession } from "../protocol/leave.ts";

export type { Terminal };

/** The Ctrl+B character: a line holding only it means "leave", also when stdin is not a tty. */
export const CTRL_B = "\x02";
/** The Esc character: a line holding only it leaves input mode, also when stdin is not a tty. */
export const ESC = "\x1b";
/** The console's own command for typing many lines to the program. */
export const INPUT_MODE = ".inputmode";

/**
 * Renders events, and shows a failed command's error once even when the
 * debugger printed nothing on its error stream.
 */
export function eventPrinter(write: (text: string) => void): (event: SessionEvent) => void {
  const erred = new Set<number>();
  /** The last output shown stopped mid-line (a prompt, a piece of a long line). */
  let midLine = false;
  /** Output as it came; anything else starts on a line of its own, so it never reads as output. */
  const show = (text: string, isOutput: boolean) => {
    if (text === "") return;
    write(!isOutput && midLine ? `\n${text}` : text);
    midLine = !text.endsWith("\n");
  };
  return (event) => {
    if (event.t === "out" && event.stream === "error" && event.seq !== null) erred.add(event.seq);
    if (event.t === "done") {
      if (!event.ok && event.error && !erred.has(event.seq)) show(`${event.error}\n`, false);
      erred.delete(event.seq);
      return;
    }
    show(renderEvent(event), event.t === "out");
  };
}

export type ConsoleEnd = "left" | "ended" | "lost" | "input-closed" | "gave-up";

export interface ConsoleOptions {
  /**
   * Called when the connection closes without this user leaving: return the
   * next connection (after waiting for the server to come back), or undefined
   * to stop. `giveUp` aborts when the user gives up waiting (Ctrl+C, Ctrl+B,
   * end of input). Without it, the console ends with the connection.
   */
  next?: (
    ended: ConnectionEnd,
    giveUp: AbortSignal,
  ) => Promise<ClientConnection | undefined>;
}

/**
 * Drive a network client from a terminal until the user leaves or the session
 * ends (or, with `next`, until no next connection comes). Lines typed while
 * there is no connection are refused, never queued for a session that may not
 * be the one they were meant for.
 */
export async function runConsoleClient(
  first: ClientConnection,
  term: Terminal,
  options: ConsoleOptions = {},
): Promise<ConsoleEnd> {
  let conn: ClientConnection | undefined = first;
  let end: ConsoleEnd | undefined;
  let waiting: AbortController | undefined;
  const giveUp = (why: ConsoleEnd) => {
    if (end) return;
    end = why;
    term.close();
    term.write("*** stopped waiting for the server\n");
    waiting?.abort();
  };
  const leave = () => {
    if (end) return;
    if (!conn) return giveUp("gave-up");
    end = "left";
    term.close();
    term.write("*** leaving the session (it goes on for the others)\n");
    conn.leave();
  };
  term.onInterrupt(() => (conn ? conn.interrupt() : giveUp("gave-up")));
  term.onLeave(leave);
  // Input mode: every line typed goes to the program as it is (`.input LINE`), until Esc.
  let inputMode = false;
  const leaveInputMode = () => {
    if (!inputMode) return;
    inputMode = false;
    term.write("*** input mode off: lines are debugger commands again\n");
  };
  term.onEscape?.(leaveInputMode);
  (async () => {
    for await (const raw of term.lines()) {
      if (end) break;
      const line = raw.trim();
      if (inputMode && line !== ESC && line !== CTRL_B) {
        if (conn) conn.command(`.input ${raw}`);
        else term.write("*** not connected: the line was not sent\n");
        continue;
      }
      if (line === ESC) {
        leaveInputMode();
        continue;
      }
      if (line === INPUT_MODE) {
        inputMode = true;
        term.write(
          "*** input mode: each line you type goes to the program (as .input LINE); " +
            "Esc leaves it; .eof is Ctrl+D for the program, typed outside input mode\n",
        );
        continue;
      }
      if (line === "") continue;
      if (line === CTRL_B || leavesSession(line)) {
        leave();
        break;
      }
      if (!conn) {
        term.write(
          `*** not connected: \`${line}\` was not sent (waiting for the server; Ctrl+C gives up)\n`,
        );
        continue;
      }
      try {
        conn.command(line);
      } catch (err) {
        term.write(`${describeError(err)}\n`); // too long to send: nothing was sent
      }
    }
    // End of input (stdin closed, a script ran out): let the commands sent finish, then leave.
    if (conn && !end) await conn.idle();
    if (conn && !end) {
      end = "input-closed";
      conn.leave();
    } else if (!end) {
      giveUp("input-closed");
    }
  })();
  while (true) {
    const current: ClientConnection = conn!;
    await current.closed;
    if (end) return end;
    conn = undefined;
    const ended = current.ending();
    let next: ClientConnection | undefined;
    if (options.next) {
      waiting = new AbortController();
      next = await options.next(ended, waiting.signal);
      waiting = undefined;
    }
    if (end) {
      next?.leave();
      return end;
    }
    if (!next) {
      end = ended.kind === "ended" ? "ended" : "lost";
      term.close();
      return end;
    }
    conn = next;
  }
}

/**
 * The server's own terminal as a participant (WinDbg: the server's user types
 * and sees everything). End of input stops reading; the server goes on.
 */
export function attachServerConsole(session: Session, term: Terminal, who: Who): void {
  const print = eventPrinter((t) => term.write(t));
  const { id } = session.join({
    who,
    via: "server console",
    deliver: print,
    close: () => term.close(),
  });
  term.onInterrupt(() => void session.interrupt(id));
  const cannotLeave = () =>
    term.write("*** this is the server's terminal: type q to end the session\n");
  term.onLeave(cannotLeave);
  (async () => {
    let n = 0;
    for await (const raw of term.lines()) {
      const line = raw.trim();
      if (line === "") continue;
      if (line === CTRL_B || leavesSession(line)) {
        cannotLeave();
        continue;
      }
      session.submit(id, ++n, line);
    }
  })();
}
