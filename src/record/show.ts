/**
 * A record as the console showed its session (pure: entries in, text out), through the
 * console's own renderer, so `log show` and a live client never disagree.
 */
import { renderEvent } from "../client/render.ts";
import { isoTime, type RecordEntry, type RecordHeader } from "./format.ts";

/** The line a header stands for: which session the following lines are from. */
export function headerText(h: RecordHeader, time: number): string {
  const by = h.by ? `, by ${h.by}` : "";
  return `*** record of ${h.server} on ${h.host} (session ${h.session}): ${h.engine}; ` +
    `opened ${isoTime(time)}${by}\n`;
}

/** Text for one entry, as the console printed it ("" for events it shows by other means). */
export function entryText(entry: RecordEntry): string {
  return "header" in entry ? headerText(entry.header, entry.time) : renderEvent(entry.event);
}

/**
 * The whole record as text. With `times`, every line starts with the time of the event that
 * began it (output that continues a line keeps that line's time).
 */
export function showRecord(entries: RecordEntry[], options: { times?: boolean } = {}): string {
  let text = "";
  let atLineStart = true;
  for (const entry of entries) {
    const piece = entryText(entry);
    if (!piece) continue;
    if (!options.times) {
      text += piece;
      continue;
    }
    const stamp = `[${isoTime(entry.time)}] `;
    for (const part of piece.split(/(?<=\n)/)) {
      if (atLineStart) text += stamp;
      text += part;
      atLineStart = part.endsWith("\n");
    }
  }
  return text;
}
