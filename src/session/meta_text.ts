/**
 * How the session's own words look: participants and endpoints as tables, durations, typed
 * text made safe for everyone's terminal. Pure: values in, text out.
 */
import { type ClientInfo, TERMINAL_UNSAFE, type Who } from "../protocol/messages.ts";
import type { EndpointInfo } from "./controls.ts";

/**
 * Text a participant typed, fit for everyone's terminal: control characters and bidirectional
 * overrides shown visibly (ESC as ^[, a newline as ^J, a C1 control as <U+009B>, an override as
 * <U+202E>; a tab stays), never acted on.
 */
export function printable(text: string): string {
  return text.replace(TERMINAL_UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    if (c === "\t") return c;
    if (code < 0x20) return `^${String.fromCharCode(code + 64)}`;
    if (code === 0x7f) return "^?";
    return `<U+${code.toString(16).toUpperCase().padStart(4, "0")}>`;
  });
}

/** The first word of a command line. */
export function commandWord(text: string): string {
  return text.trim().split(/\s+/, 1)[0] ?? "";
}

/** "a", "a and b", "a, b and c". */
export function listed(words: string[]): string {
  return words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

/** "1 client", "3 clients". */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** A duration for people: "45s", "2m13s", "1h05m", "3d02h". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const two = (n: number) => String(n).padStart(2, "0");
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${two(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${two(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86400)}d${two(Math.floor(s / 3600) % 24)}h`;
}

/** Time of day on the server's clock, "14:02:11". */
function clock(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 8);
}

/** A participant as people name it: "alice@laptop". */
export function whoText(who: Who): string {
  return `${who.user}@${who.host}`;
}

/** Left-aligned columns, two spaces apart, no trailing blanks. */
function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i].length))) ?? [];
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd());
}

/** `.clients`: one line per participant; `*` marks the one who asked (everyone sees the list). */
export function clientsLines(clients: ClientInfo[], issuer: number, now: number): string[] {
  const rows = clients.map((c) => [
    `${c.id === issuer ? "*" : " "} ${c.id}`,
    whoText(c.who),
    c.role ?? "operator",
    c.endpoint === undefined ? c.via : `${c.via} (endpoint ${c.endpoint})`,
    c.who.tool,
    c.since === undefined ? "" : `since ${clock(c.since)}`,
    c.lastActive === undefined ? "no commands yet" : `idle ${formatDuration(now - c.lastActive)}`,
  ]);
  const n = clients.length;
  return [`${n} participant${n === 1 ? "" : "s"} (* asked):`, ...table(rows).map((l) => `  ${l}`)];
}

/** `.servers`: one line per endpoint, WinDbg's "0 - tcp:Port=5005" first. */
export function serversLines(endpoints: EndpointInfo[], clients: ClientInfo[]): string[] {
  if (endpoints.length === 0) return ["this server has no endpoints"];
  const rows = endpoints.map((e) => {
    const n = clients.filter((c) => c.endpoint === e.id).length;
    const people = `${n} client${n === 1 ? "" : "s"}`;
    return [
      `${e.id} - ${e.spec}`,
      e.state === "accepting" ? "accepting" : `closed${e.closedBy ? ` by ${e.closedBy}` : ""}`,
      e.observe ? `${people} (observers)` : people,
      e.state === "accepting" ? `join: dbgremote client ${e.address}` : "",
    ];
  });
  return table(rows).map((l) => `  ${l}`);
}

/** What is said when a participant leaves with commands still queued: they will not run. */
export function forgottenText(who: Who, texts: string[]): string {
  const shown = texts.slice(0, 3).map((t) => {
    const text = printable(t.trim());
    return `\`${text.length > 40 ? `${text.slice(0, 37)}...` : text}\``;
  }).join(", ") + (texts.length > 3 ? ", ..." : "");
  return `${counted(texts.length, "command")} ${whoText(who)} queued will not run ` +
    `(they are gone): ${shown}`;
}
