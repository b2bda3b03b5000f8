/**
 * A record as an asciicast v2 recording (https://docs.asciinema.org/manual/asciicast/v2/):
 * a header line, then `[seconds, "o", text]` per output and `[seconds, "m", label]` markers
 * at stops and joins, so a player can jump to them. Pure: entries in, text out.
 */
import { describeStop } from "../client/render.ts";
import type { RecordEntry } from "./format.ts";
import { entryText } from "./show.ts";

export interface AsciicastOptions {
  width?: number;
  height?: number;
}

/** Seconds since the start, as the format wants them: a number, to the millisecond. */
function seconds(ms: number, start: number): number {
  return Math.max(0, Math.round(ms - start)) / 1000;
}

/** What a player's marker list shows for an event, or undefined for none. */
function markerOf(entry: RecordEntry): string | undefined {
  if ("header" in entry) return undefined;
  const e = entry.event;
  if (e.t === "state" && e.state !== "running") return describeStop(e.state, e.info).slice(3);
  if (e.t === "notice" && e.kind === "join") return e.text;
  return undefined;
}

export function toAsciicast(entries: RecordEntry[], options: AsciicastOptions = {}): string {
  const start = entries[0]?.time ?? 0;
  const first = entries.find((e) => "header" in e);
  const header: Record<string, unknown> = {
    version: 2,
    width: options.width ?? 100,
    height: options.height ?? 30,
    timestamp: Math.floor(start / 1000),
  };
  if (first && "header" in first) {
    header.title = `dbgremote: ${first.header.server} on ${first.header.host}`;
  }
  let out = JSON.stringify(header) + "\n";
  for (const entry of entries) {
    const at = seconds(entry.time, start);
    const marker = markerOf(entry);
    if (marker !== undefined) out += JSON.stringify([at, "m", marker]) + "\n";
    const text = entryText(entry);
    // A terminal needs a carriage return to go back to the first column.
    if (text) out += JSON.stringify([at, "o", text.replace(/\r?\n/g, "\r\n")]) + "\n";
  }
  return out;
}
