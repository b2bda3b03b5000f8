/**
 * How session events look in a terminal. Pure: event in, text out.
 *
 *   alice@lab1> break main           a command and who issued it
 *   Breakpoint 1 at 0x1151: ...      the debugger's output, as it printed it
 *   -- stopped at demo.c:12 in main (breakpoint-hit)
 *   *** bob@laptop joined (tcp:10.0.0.7:40312)
 */
import type { SessionEvent, Welcome } from "../protocol/messages.ts";
import { describeStop } from "./describe.ts";

// The stop wording lives in describe.ts, shared with the browser page.
export { describeStop };

/** Text for one event, ending in a newline, or "" for events shown by other means. */
export function renderEvent(event: SessionEvent): string {
  switch (event.t) {
    case "echo":
      return `${event.from}> ${event.text}\n`;
    case "out":
      return event.text;
    case "state":
      // gdb already says "Continuing." / "Starting program"; only stops and exits get a line.
      return event.state === "running" ? "" : describeStop(event.state, event.info) + "\n";
    case "notice":
      return `*** ${event.text}\n`;
    case "done":
      return event.ok || !event.error ? "" : `${event.error}\n`;
    case "end":
      return `*** session ended: ${event.reason}\n`;
    case "selected":
      // gdb already printed the frame it selected; panels show it.
      return "";
    default:
      return ""; // a newer server's event this release does not know
  }
}

export function renderWelcome(w: Welcome): string {
  const others =
    w.clients.filter((c) => c.id !== w.you).map((c) =>
      `${c.who.user}@${c.who.host}${c.role === "observer" ? " (observer)" : ""}`
    ).join(", ") || "nobody else";
  let text = `*** connected to ${w.server.name} on ${w.server.host}: ${w.server.engine}\n` +
    `*** dbgremote ${w.release}, protocol ${w.protocol}; also here: ${others}\n`;
  if (w.role === "observer") {
    text += `*** you are an observer: you see everything, commands are refused\n` +
      `*** .clients, .servers, .echo TEXT and .help work; Ctrl+B leaves\n`;
  } else {
    text +=
      `*** type debugger commands; .help lists dbgremote's own; Ctrl+C interrupts, Ctrl+B leaves, q ends the session for everyone\n`;
  }
  if (w.warning) text += `*** warning: ${w.warning}\n`;
  if (w.scrollback.length) {
    text += `*** recent output (${w.scrollback.length} events):\n`;
    for (const e of w.scrollback) text += renderEvent(e);
    text += `*** live:\n`;
  }
  return text;
}
