/**
 * The console: a person at a terminal taking part in a session, either as a
 * network client or as the server's own terminal. Terminal I/O comes in
 * through {@link Terminal} so tests can drive it with plain arrays.
 */
import type { SessionEvent } from "../protocol/messages.ts";
import type { Session } from "../session/session.ts";
import type { Who } from "../protocol/messages.ts";
import type { ClientConnection } from "./connection.ts";
import { renderEvent } from "./render.ts";

export interface Terminal {
  /** Show text (may hold several lines). */
  write(text: string): void;
  /** Lines the user types, until end of input. */
  lines(): AsyncIterable<string>;
  /** Ctrl+C. */
  onInterrupt(handler: () => void): void;
  /** Ctrl+B. */
  onLeave(handler: () => void): void;
  /** Stop reading input. */
  close(): void;
}

/** The Ctrl+B character: a line holding only it means "leave", also when stdin is not a tty. */
export const CTRL_B = "\x02";

/**
 * Renders events, and shows a failed command's error once even when the
 * debugger printed nothing on its error stream.
 */
export function eventPrinter(write: (text: string) => void): (event: SessionEvent) => void {
  const erred = new Set<number>();
  return (event) => {
    if (event.t === "out" && event.stream === "error" && event.seq !== null) erred.add(event.seq);
    if (event.t === "done") {
      if (!event.ok && event.error && !erred.has(event.seq)) write(`${event.error}\n`);
      erred.delete(event.seq);
      return;
    }
    write(renderEvent(event));
  };
}

export type ConsoleEnd = "left" | "ended" | "lost" | "input-closed";

/** Drive a network client from a terminal until the user leaves or the session ends. */
export async function runConsoleClient(
  conn: ClientConnection,
  term: Terminal,
): Promise<ConsoleEnd> {
  let end: ConsoleEnd | undefined;
  const leave = () => {
    if (end) return;
    end = "left";
    term.close();
    term.write("*** leaving the session (it goes on for the others)\n");
    conn.leave();
  };
  term.onInterrupt(() => conn.interrupt());
  term.onLeave(leave);
  void conn.closed.then(() => {
    end ??= "lost";
    term.close();
  });
  (async () => {
    for await (const raw of term.lines()) {
      if (end) break;
      const line = raw.trim();
      if (line === "") continue;
      if (line === CTRL_B || line === ".remote_exit") {
        leave();
        break;
      }
      conn.command(line);
    }
    // End of input (stdin closed, a script ran out): let the commands sent finish, then leave.
    if (!end) await conn.idle();
    if (!end) {
      end = "input-closed";
      conn.leave();
    }
  })();
  await conn.closed;
  return end ?? "lost";
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
      if (line === CTRL_B || line === ".remote_exit") {
        cannotLeave();
        continue;
      }
      session.submit(id, ++n, line);
    }
  })();
}
