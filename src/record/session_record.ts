/**
 * The session's record: `.logopen [/t] FILE`, `.logappend FILE`, `.logclose` and `.logfile`
 * (WinDbg's names), and `dbgremote server --log FILE`. The session hands every event it
 * broadcasts to {@link SessionRecord.write}, so the record never lags and holds what every
 * participant saw, in the session's order.
 */
import path from "node:path";
import { DbgRemoteError, UsageError } from "../errors.ts";
import type { Notice, SessionEvent } from "../protocol/messages.ts";
import { encodeEvent, encodeHeader, isoTime, RECORD_FORMAT, RECORD_VERSION } from "./format.ts";
import { type OpenRecordFile, openRecordFile, type RecordFile } from "./writer.ts";

export interface SessionRecordOptions {
  /** What the header says about the session (asked at each open: the engine may change). */
  session: () => { server: string; host: string; session: string; engine: string };
  now: () => number;
  /** For `/t`: the server's process id, as WinDbg puts its pid in the name. */
  pid: number;
  /** Tell everyone (a notice through the session, which the record also gets). */
  notice: (kind: Notice["kind"], text: string) => void;
  /** Tests inject a file that fails; default: the real file. */
  openFile?: OpenRecordFile;
}

interface Open {
  file: RecordFile;
  by: string;
  since: number;
  events: number;
}

/** `/t`: the name with the pid and the time, WinDbg-style: `s.log` → `s_1234_2026-12-01_16-50-14-123.log`. */
export function timestampedName(file: string, pid: number, now: number): string {
  const stamp = isoTime(now).replace("T", "_").replace(/[:.]/g, "-").replace(/Z$/, "");
  const ext = path.extname(file);
  const base = ext ? file.slice(0, -ext.length) : file;
  return `${base}_${pid}_${stamp}${ext}`;
}

export class SessionRecord {
  readonly #o: SessionRecordOptions;
  readonly #openFile: OpenRecordFile;
  #open: Open | undefined;

  constructor(options: SessionRecordOptions) {
    this.#o = options;
    this.#openFile = options.openFile ?? openRecordFile;
  }

  /** The open record's absolute path, or undefined. */
  get file(): string | undefined {
    return this.#open?.file.path;
  }

  /**
   * Start recording into `file` (relative to the server's directory). Throws E_RECORD
   * (cannot write it) or E_USAGE (one is open already); nothing changes then.
   */
  open(file: string, append: boolean, by: string): string {
    if (this.#open) {
      throw new DbgRemoteError(
        "E_USAGE",
        `the session is already recorded to ${this.#open.file.path}`,
        { hint: ".logclose first, then .logopen or .logappend another file" },
      );
    }
    const full = path.resolve(file);
    const f = this.#openFile(full, append);
    const now = this.#o.now();
    try {
      f.write(
        encodeHeader(now, {
          format: RECORD_FORMAT,
          version: RECORD_VERSION,
          ...this.#o.session(),
          by,
        }),
      );
    } catch (err) {
      f.close();
      throw new DbgRemoteError(
        "E_RECORD",
        `cannot write the session record ${full}: ${(err as Error).message}`,
      );
    }
    this.#open = { file: f, by, since: now, events: 0 };
    return full;
  }

  /** Record one event, as it is broadcast. A write that fails stops the record, and says so once. */
  write(event: SessionEvent): void {
    const o = this.#open;
    if (!o) return;
    try {
      o.file.write(encodeEvent(this.#o.now(), event));
      o.events++;
    } catch (err) {
      this.#open = undefined;
      o.file.close();
      this.#o.notice(
        "warning",
        `the session record ${o.file.path} stopped: ${
          (err as Error).message
        }; the session goes on unrecorded (.logappend FILE records again)`,
      );
    }
  }

  /** Stop recording; returns the file that was open. */
  close(): string | undefined {
    const o = this.#open;
    this.#open = undefined;
    o?.file.close();
    return o?.file.path;
  }

  /** Run `.logopen`, `.logappend`, `.logclose` or `.logfile`; returns lines for everyone. Throws for the issuer alone. */
  command(word: string, arg: string, from: string): string[] {
    switch (word) {
      case ".logopen":
      case ".logappend": {
        // `/t` first (WinDbg's option); the rest, spaces and all, is the file's name.
        const first = arg.split(/\s+/, 1)[0];
        const stamp = word === ".logopen" && first.toLowerCase() === "/t";
        const name = stamp ? arg.slice(first.length).trim() : arg;
        if (name === "") {
          throw new UsageError(
            `${word} needs a file name`,
            word === ".logopen"
              ? ".logopen [/t] FILE (on the server's machine; /t adds the pid and the time to the name)"
              : ".logappend FILE (on the server's machine)",
          );
        }
        const file = stamp ? timestampedName(name, this.#o.pid, this.#o.now()) : name;
        const full = this.open(file, word === ".logappend", from);
        this.#o.notice(
          "info",
          `${from} ${word === ".logappend" ? "appends" : "records"} the session to ${full} ` +
            "(on the server): everything from now on is written there (.logclose stops it)",
        );
        return [];
      }
      case ".logclose": {
        const file = this.#open?.file.path;
        if (file === undefined) {
          throw new UsageError("no session record is open", ".logopen FILE starts one");
        }
        this.#o.notice("info", `${from} closed the session record ${file}`);
        this.close();
        return [];
      }
      case ".logfile": {
        const o = this.#open;
        if (!o) return ["no session record is open (.logopen FILE starts one)"];
        return [
          `session record: ${o.file.path} (opened by ${o.by} at ${isoTime(o.since)}; ` +
          `${o.events} events so far)`,
        ];
      }
      default:
        throw new UsageError(`${word} is not a record command`);
    }
  }
}
