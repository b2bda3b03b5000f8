/**
 * The file a session record goes to: opened 0600 (a record holds everything typed and
 * printed), written one whole line per call with a synchronous write, so a server killed
 * with SIGKILL leaves every line it wrote intact (they are in the kernel already).
 */
import fs from "node:fs";
import { DbgRemoteError } from "../errors.ts";
import { startsAsRecord } from "./format.ts";

/** Appending to a file that is no record would leave it unreadable by `log show`, and spoil it. */
function refuseNonRecord(path: string): void {
  let head: string;
  try {
    const fd = fs.openSync(path, "r");
    try {
      const buf = new Uint8Array(64 * 1024);
      head = new TextDecoder().decode(buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0)));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return; // no such file yet (append creates it), or unreadable: the open says why
  }
  if (head === "" || startsAsRecord(head)) return;
  throw new DbgRemoteError(
    "E_RECORD",
    `${path} is not a session record: appending to it would spoil it`,
    {
      hint:
        "append only to a record (.logappend adds to what .logopen wrote); .logopen FILE starts a new one",
    },
  );
}

/** Where record lines go. `write` throws when the line could not be written (a full disk). */
export interface RecordFile {
  readonly path: string;
  write(line: string): void;
  close(): void;
}

/** Open (create or truncate) or append to `path`; throws E_RECORD if that cannot be done. */
export type OpenRecordFile = (path: string, append: boolean) => RecordFile;

export const openRecordFile: OpenRecordFile = (path, append) => {
  if (append) refuseNonRecord(path);
  let fd: number;
  try {
    fd = fs.openSync(path, append ? "a" : "w", 0o600);
  } catch (err) {
    throw new DbgRemoteError(
      "E_RECORD",
      `cannot write the session record ${path}: ${(err as Error).message}`,
      { hint: "give a file in a directory the server's user can write (FILE is on the server)" },
    );
  }
  try {
    // The mode above applies only to a new file: an existing one is narrowed too.
    fs.fchmodSync(fd, 0o600);
  } catch {
    // Not our file to change (another owner that let us write): keep its mode.
  }
  let open = true;
  return {
    path,
    write(line) {
      const bytes = new TextEncoder().encode(line);
      let off = 0;
      while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
    },
    close() {
      if (!open) return;
      open = false;
      try {
        fs.closeSync(fd);
      } catch {
        // Closing after a failed write may fail again; the file is done either way.
      }
    },
  };
};
