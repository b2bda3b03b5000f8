// How the page words things. The state lines and stack frames come from the
// console's own module (src/client/describe.ts); here only what the page adds:
// the badge, the side panel, the participant list, history. Pure: data in,
// text out.

import { basename, describeStop, frameText } from "../../client/describe.ts";
import type { SourceExcerpt, StopInfo } from "../../protocol/wire_types.ts";
import type { ClientInfo, Notice, SelectedFrame, Who } from "../../protocol/messages.ts";

export { describeStop, frameText };

/** The server as the header names it: "lab on vm", or just "vm" when it is named for its host. */
export function serverTitle(server: { name: string; host: string }): string {
  return server.name === server.host ? server.name : `${server.name} on ${server.host}`;
}

export function whoText(who: Who): string {
  return `${who.user}@${who.host}`;
}

/** The badge in the header: "running", "stopped at demo.c:10", "exited (0)", "not started". */
export function stateBadge(state: string, info: StopInfo = {}): string {
  switch (state) {
    case "running":
      return "running";
    case "stopped":
      return info.file ? `stopped at ${basename(info.file)}:${info.line ?? "?"}` : "stopped";
    case "exited":
      return info.signal ? `exited (${info.signal})` : `exited (${info.exitCode ?? 0})`;
    default:
      return "not started";
  }
}

/** The side panel while stopped: where, the source there (one line marked), the stack. */
export interface StoppedPanel {
  location: string;
  /** The selected frame's level (0: the stop's own frame). */
  level: number;
  /** The source file's full path, for the location's tooltip. */
  title: string;
  source: { n: number; text: string; here: boolean }[];
  stack: { level: number; text: string; selected: boolean }[];
}

/**
 * What the side panel shows while the target is stopped. `selected` ({frame, source?}, from a
 * `selected` event or welcome.selected) is the frame `up`, `down` or `frame N` chose; without it
 * the stop's own frame 0 is. Returns the location line and its tooltip, the source lines (the
 * frame's line marked `here`) and the stack (the selected frame marked `selected`).
 */
export function stoppedPanel(info: StopInfo = {}, selected?: SelectedFrame): StoppedPanel {
  const level = selected?.frame.level ?? 0;
  const at = selected?.frame ?? info;
  const src: SourceExcerpt | undefined = selected ? selected.source : info.source;
  const fn = at.func ? ` in ${at.func}` : "";
  const frame = selected?.frame;
  const place = at.file
    ? `${at.file}:${at.line ?? "?"}${fn}`
    : frame
    ? `${frame.func ?? "??"}${
      frame.from ? ` from ${basename(frame.from)}` : frame.addr ? ` at ${frame.addr}` : ""
    }`
    : `stopped${fn}`;
  return {
    location: level === 0 ? place : `${place} (frame #${level})`,
    level,
    title: src?.path ?? "",
    source: src
      ? src.lines.map((text, i) => ({ n: src.first + i, text, here: src.first + i === at.line }))
      : [],
    stack: (info.frames ?? []).map((f) => ({
      level: f.level,
      text: frameText(f),
      selected: f.level === level,
    })),
  };
}

/** Observers watch: the server sends them no command line (welcome.role). */
export function mayCommand(welcome: { role?: string } | undefined): boolean {
  return welcome?.role !== "observer";
}

/** The participant list after a notice (join/leave/drop carry the client). */
export function updateClients(clients: ClientInfo[], notice: Notice): ClientInfo[] {
  const client = notice.client;
  if (!client) return clients;
  const others = clients.filter((c) => c.id !== client.id);
  return notice.kind === "join" ? [...others, client] : others;
}

/** A name others will see: letters, digits and . _ - (1 to 32). */
export function validName(name: string): boolean {
  return /^[A-Za-z0-9._-]{1,32}$/.test(name);
}

/** Command history with up/down, as a shell's: newest last, no repeats in a row. */
export class History {
  #items: string[] = [];
  #at = 0;
  #draft = "";
  #limit: number;

  constructor(items: string[] = [], limit = 500) {
    this.#limit = limit;
    this.#items = items.slice(-limit);
    this.#at = this.#items.length;
  }

  get items(): string[] {
    return [...this.#items];
  }

  add(line: string): void {
    if (line && this.#items.at(-1) !== line) this.#items.push(line);
    if (this.#items.length > this.#limit) this.#items.shift();
    this.#at = this.#items.length;
    this.#draft = "";
  }

  /** The line before (up), keeping what was being typed. */
  up(current: string): string {
    if (this.#at === this.#items.length) this.#draft = current;
    if (this.#at > 0) this.#at--;
    return this.#items[this.#at] ?? current;
  }

  /** The line after (down); past the newest, what was being typed. */
  down(): string {
    if (this.#at < this.#items.length) this.#at++;
    return this.#at === this.#items.length ? this.#draft : this.#items[this.#at];
  }
}
