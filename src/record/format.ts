/**
 * The session record's file format, one JSON object per line (pure: no files here).
 *
 *   {"time":"2026-12-01T16:50:14.123Z","record":{"format":"dbgremote-record","version":1,...}}
 *   {"time":"2026-12-01T16:50:15.002Z","event":{"t":"echo","from":"alice@lab1",...}}
 *
 * A header line starts the file and every later `.logappend` to it, so a reader knows the
 * file is a record and which session each part is from. Events are the session's own
 * `SessionEvent`s, exactly as every participant got them (secrets already masked there).
 * One line per write: a writer killed mid-line leaves at most one partial last line, which
 * the reader skips with a warning instead of refusing the whole file.
 */
import { DbgRemoteError } from "../errors.ts";
import type { SessionEvent } from "../protocol/messages.ts";

export const RECORD_FORMAT = "dbgremote-record";
export const RECORD_VERSION = 1;

/** Who wrote what follows: the session the lines are from. */
export interface RecordHeader {
  format: typeof RECORD_FORMAT;
  version: number;
  /** The server's name and host, as clients see them. */
  server: string;
  host: string;
  /** The session's id (a restarted server is a new session). */
  session: string;
  /** The debugger and program, e.g. "gdb 13.1 debugging ./app". */
  engine: string;
  /** Who opened the record: "alice@lab1", or "the server (--log)". */
  by: string;
}

export type RecordEntry =
  | { time: number; header: RecordHeader }
  | { time: number; event: SessionEvent };

/** ISO 8601 in UTC with milliseconds, as every line carries it. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

export function encodeHeader(time: number, header: RecordHeader): string {
  return JSON.stringify({ time: isoTime(time), record: header }) + "\n";
}

export function encodeEvent(time: number, event: SessionEvent): string {
  return JSON.stringify({ time: isoTime(time), event }) + "\n";
}

export interface ParsedRecord {
  entries: RecordEntry[];
  /** Lines skipped, each saying which and why (a partial last line). */
  warnings: string[];
}

function recordError(where: string, message: string, hint?: string): DbgRemoteError {
  return new DbgRemoteError("E_RECORD", `${where}: ${message}`, {
    hint: hint ??
      "a session record is what `.logopen FILE` or `dbgremote server --log FILE` writes",
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** What one complete line holds, or a text saying why it is not a record line. */
function parseLine(line: string): RecordEntry | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return "not JSON";
  }
  if (!isObject(value)) return "not a JSON object";
  const time = typeof value.time === "string" ? Date.parse(value.time) : NaN;
  if (Number.isNaN(time)) return "no ISO 8601 `time`";
  if (isObject(value.record)) {
    const h = value.record;
    if (h.format !== RECORD_FORMAT) return `a header of another format (${String(h.format)})`;
    if (typeof h.version !== "number" || h.version > RECORD_VERSION) {
      return `a header of record version ${
        String(h.version)
      }; this release reads version ${RECORD_VERSION}`;
    }
    const text = (k: string) => (typeof h[k] === "string" ? h[k] as string : "");
    return {
      time,
      header: {
        format: RECORD_FORMAT,
        version: h.version,
        server: text("server"),
        host: text("host"),
        session: text("session"),
        engine: text("engine"),
        by: text("by"),
      },
    };
  }
  if (isObject(value.event) && typeof value.event.t === "string") {
    return { time, event: value.event as unknown as SessionEvent };
  }
  return "neither a header (`record`) nor an event (`event` with `t`)";
}

/** Does `text` (a file's beginning) start with a record header? For `.logappend`'s check. */
export function startsAsRecord(text: string): boolean {
  const first = text.slice(0, text.indexOf("\n") < 0 ? undefined : text.indexOf("\n"));
  const entry = parseLine(first);
  return typeof entry !== "string" && "header" in entry;
}

/**
 * Read a whole record. `name` is the file's name for messages. Throws E_RECORD naming the
 * first line that is not a record line; only an unfinished last line (no newline: the
 * writer was killed while writing it) is skipped, with a warning.
 */
export function parseRecord(text: string, name: string): ParsedRecord {
  const entries: RecordEntry[] = [];
  const warnings: string[] = [];
  const lines = text.split("\n");
  // After the last newline: "" for a complete file, else a line the writer never finished.
  const tail = lines.pop() ?? "";
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    const entry = parseLine(line);
    if (typeof entry === "string") {
      throw recordError(
        `${name}:${i + 1}`,
        entries.length === 0
          ? `not a dbgremote session record (its first line is ${entry}, not a record header)`
          : `line ${i + 1} is not a record line: ${entry}`,
      );
    }
    if (entries.length === 0 && !("header" in entry)) {
      throw recordError(
        `${name}:${i + 1}`,
        "not a dbgremote session record: it does not start with a record header",
      );
    }
    entries.push(entry);
  });
  if (tail.trim() !== "") {
    const n = lines.length + 1;
    if (typeof parseLine(tail) === "string" || entries.length === 0) {
      if (entries.length === 0) {
        throw recordError(`${name}:${n}`, "not a dbgremote session record (one unfinished line)");
      }
      warnings.push(
        `${name}:${n}: skipped an unfinished last line (${
          new TextEncoder().encode(tail).length
        } bytes): ` +
          "the writer stopped while writing it",
      );
    } else {
      entries.push(parseLine(tail) as RecordEntry);
    }
  }
  if (entries.length === 0) throw recordError(name, "empty: not a dbgremote session record");
  return { entries, warnings };
}
