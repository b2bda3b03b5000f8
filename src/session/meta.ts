/**
 * dbgremote's own session commands (WinDbg's meta-commands): their help, the
 * rule for observers, and how `.clients` and `.servers` look. Pure.
 *
 * The observer rule: an observer may read (.clients, .servers, .help), speak
 * (.echo) and leave (.remote_exit). Everything that acts on the debugger or
 * the session is control and is refused: debugger commands, q, .server,
 * .endsrv, Ctrl+C.
 */
import { type ClientInfo, TERMINAL_UNSAFE, type Who } from "../protocol/messages.ts";
import type { EndpointInfo } from "./controls.ts";

interface MetaCommand {
  usage: string;
  what: string;
  /** An observer may use it. */
  observer: boolean;
}

export const META_COMMANDS: Record<string, MetaCommand> = {
  ".clients": {
    usage: ".clients",
    what: "who is connected: role, transport, since when, idle how long",
    observer: true,
  },
  ".echo": { usage: ".echo TEXT", what: "say TEXT to everyone", observer: true },
  ".servers": {
    usage: ".servers",
    what: "this server's endpoints: id, state, the address clients use",
    observer: true,
  },
  ".server": {
    usage: ".server CONNSTR",
    what: "open one more endpoint now, e.g. .server tcp:port=5007,password_env=LAB_PW",
    observer: false,
  },
  ".endsrv": {
    usage: ".endsrv ID",
    what: "stop accepting on endpoint ID (see .servers); its clients stay",
    observer: false,
  },
  ".remote_exit": {
    usage: ".remote_exit",
    what: "leave the session (Ctrl+B does the same); it goes on for the others",
    observer: true,
  },
  // The session record (src/record/): FILE is on the server's machine.
  ".logopen": {
    usage: ".logopen [/t] FILE",
    what: "record the session to FILE on the server (/t: add the pid and time to the name)",
    observer: false,
  },
  ".logappend": {
    usage: ".logappend FILE",
    what: "record the session, appending to FILE on the server",
    observer: false,
  },
  ".logclose": { usage: ".logclose", what: "stop recording the session", observer: false },
  ".logfile": {
    usage: ".logfile",
    what: "where the session is recorded, if it is",
    observer: false,
  },
  ".help": { usage: ".help", what: "this list", observer: true },
  ".input": {
    usage: ".input [TEXT]",
    what: "type TEXT and Enter to the program (alone: an empty line), also while it runs",
    observer: false,
  },
  ".eof": {
    usage: ".eof",
    what: "end of input for the program (Ctrl+D on its terminal); at once",
    observer: false,
  },
  ".ttysize": {
    usage: ".ttysize COLSxROWS",
    what: "the size of the program's terminal (default 80x24), e.g. .ttysize 132x43",
    observer: false,
  },
};

/** Commands for the program's terminal: they act at once, never waiting behind the queue. */
export function isTargetInput(text: string): boolean {
  const word = commandWord(text);
  return word === ".input" || word === ".eof" || word === ".ttysize";
}

/** What `.input TEXT` types: TEXT as given after one space, then Enter; `.eof`: Ctrl+D. */
export function targetInput(
  text: string,
): { eof: true } | { line: string } | { cols: number; rows: number } | { error: string } {
  const trimmed = text.trimStart();
  if (commandWord(trimmed) === ".eof") return { eof: true };
  if (commandWord(trimmed) === ".ttysize") {
    const m = /^\.ttysize\s+(\d{1,4})x(\d{1,4})\s*$/.exec(trimmed);
    const [cols, rows] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
    if (cols < 1 || rows < 1 || cols > 1000 || rows > 1000) {
      return { error: ".ttysize needs COLSxROWS between 1x1 and 1000x1000, e.g. .ttysize 132x43" };
    }
    return { cols, rows };
  }
  return { line: trimmed.slice(".input".length).replace(/^[ \t]/, "") + "\n" };
}

const OBSERVER_MAY = Object.keys(META_COMMANDS).filter((k) => META_COMMANDS[k].observer);
const OPERATORS_ONLY = Object.keys(META_COMMANDS).filter((k) => !META_COMMANDS[k].observer);

export function helpLines(): string[] {
  const rows: [string, string][] = [
    ...Object.values(META_COMMANDS).map((c): [string, string] => [c.usage, c.what]),
    ["q", "end the session for everyone: stops the debugger and the target"],
    ["Ctrl+C", "interrupt the running target"],
  ];
  const width = Math.max(...rows.map(([u]) => u.length)) + 2;
  return [
    "dbgremote session commands (everything else goes to the debugger):",
    ...rows.map(([u, w]) => `  ${u.padEnd(width)}${w}`),
    `observers may use ${listed(OBSERVER_MAY)}; ${
      listed(["debugger commands", "q", ...OPERATORS_ONLY, "Ctrl+C"])
    } are refused`,
  ];
}

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

/** May an observer issue this command line? */
export function observerMay(text: string): boolean {
  return META_COMMANDS[commandWord(text)]?.observer === true;
}

export function refusalText(text: string): string {
  const shown = text.trim().length > 60 ? `${text.trim().slice(0, 57)}...` : text.trim();
  return `refused: you are an observer: you see everything, but "${shown}" did not run ` +
    `(observers may use ${listed(OBSERVER_MAY)})`;
}

export const INTERRUPT_REFUSAL =
  "refused: you are an observer: Ctrl+C (interrupt) is for operators; the target runs on";

export function knownMetaCommands(): string {
  return listed(Object.keys(META_COMMANDS).toSorted());
}

function listed(words: string[]): string {
  return words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
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
