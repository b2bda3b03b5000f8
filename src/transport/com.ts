/**
 * The com transport: `com:port=/dev/ttyS0,baud=115200`, a serial line, as
 * WinDbg's COM port. The line is set up with stty (raw, no echo, no flow
 * control, the baud rate) and read through the OS tty interface (libuv's tty
 * handle: event-driven, no polling; writes through the thread pool so a slow
 * line never blocks the event loop). A line carries one client at a time:
 * when it leaves, the server opens the line again for the next one.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import tty from "node:tty";
import type { ComSpec, ConnSpec } from "../connstr.ts";
import { TransportError } from "../errors.ts";
import type { Channel, ChannelHandlers, Listener, Transport } from "./transport.ts";

function asCom(spec: ConnSpec): ComSpec {
  if (spec.transport !== "com") throw new Error(`com transport given a ${spec.transport} spec`);
  return spec;
}

function stty(spec: ComSpec): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      "stty",
      [
        "-F",
        spec.device,
        String(spec.baud),
        "raw",
        "-echo",
        "-ixon",
        "-ixoff",
        "-crtscts",
        "clocal",
      ],
      (err, _out, stderr) => {
        if (!err) return resolve();
        reject(
          new TransportError(
            "E_TRANSPORT",
            `cannot set up ${spec.device}: ${stderr.trim() || err.message}`,
            {
              hint: "check the device exists and that you may use it (the dialout group)",
              cause: err,
            },
          ),
        );
      },
    );
  });
}

/** An open serial line: raw bytes in and out, for the lifetime of the open device. */
interface Line {
  peer: string;
  /** Where input goes now; the line itself is read from the moment it opens. */
  onData: (chunk: Uint8Array) => void;
  onClose: (error?: Error) => void;
  write(chunk: Uint8Array): void;
  readonly pending: number;
  /** Resolve once what is queued has been handed to the line. */
  flush(): Promise<void>;
  close(error?: Error): void;
}

async function openLine(spec: ComSpec): Promise<Line> {
  let fd: number;
  try {
    fd = fs.openSync(spec.device, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TransportError(
      "E_CONNECT",
      `cannot open serial port ${spec.device}: ${(err as Error).message}`,
      {
        hint: code === "EACCES"
          ? "add yourself to the dialout group (sudo usermod -aG dialout $USER) and log in again"
          : code === "ENOENT"
          ? "no such device: check the port name (ls /dev/tty*)"
          : code === "EBUSY"
          ? "another program holds the port"
          : undefined,
        cause: err,
      },
    );
  }
  if (!tty.isatty(fd)) {
    fs.closeSync(fd);
    throw new TransportError("E_CONNECT", `${spec.device} is not a serial port (not a tty)`, {
      hint: "give a tty device such as /dev/ttyS0 or /dev/ttyUSB0",
    });
  }
  try {
    await stty(spec);
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  const input = new tty.ReadStream(fd);
  // Writes go through the thread pool, not tty.WriteStream: a tty write blocks the whole event
  // loop until the line takes the bytes, and a slow line must never stall the session.
  const output = fs.createWriteStream("", { fd, autoClose: false });
  let closed = false;
  const line: Line = {
    peer: `com:${spec.device}`,
    onData: () => {},
    onClose: () => {},
    write(chunk) {
      if (!closed) output.write(chunk);
    },
    get pending() {
      return output.writableLength;
    },
    flush() {
      if (closed || output.writableLength === 0) return Promise.resolve();
      return new Promise((resolve) => output.write(new Uint8Array(0), () => resolve()));
    },
    close(error) {
      if (closed) return;
      closed = true;
      input.destroy();
      output.destroy();
      line.onClose(error);
    },
  };
  input.on("data", (chunk: Uint8Array) => line.onData(chunk));
  input.on("error", (e) => line.close(e));
  output.on("error", (e) => line.close(e));
  return line;
}

/**
 * One client's conversation on a line. Input that arrives before `start` is
 * kept for it. `end` flushes; `release` says whether the line closes with the
 * channel (a client) or stays open for the next one (the server).
 */
function lineChannel(line: Line, release: "close-line" | "keep-line", onEnd?: () => void): Channel {
  let handlers: ChannelHandlers | undefined;
  const early: Uint8Array[] = [];
  let ended = false;
  line.onData = (chunk) => (handlers ? handlers.data(chunk) : early.push(chunk.slice()));
  line.onClose = (error) => {
    if (ended) return;
    ended = true;
    handlers?.close(error);
  };
  const finish = () => {
    if (ended) return;
    ended = true;
    line.onData = () => {};
    if (release === "close-line") {
      line.onClose = () => {};
      line.close();
    }
    handlers?.close();
    onEnd?.();
  };
  return {
    peer: line.peer,
    start(h) {
      handlers = h;
      for (const chunk of early.splice(0)) h.data(chunk);
    },
    write(chunk) {
      if (!ended) line.write(chunk);
    },
    get pending() {
      return line.pending;
    },
    end() {
      void line.flush().then(finish);
    },
    destroy() {
      finish();
    },
  };
}

/** Discard input until the line has been silent for `quietMs` (at most `maxMs`), then hand the channel over. */
function quiet(channel: Channel, quietMs = 150, maxMs = 2000): Promise<Channel> {
  return new Promise((resolve) => {
    let handlers: ChannelHandlers | undefined;
    let settled = false;
    let timer = setTimeout(done, quietMs);
    const deadline = setTimeout(done, maxMs);
    function done() {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(deadline);
      resolve({
        peer: channel.peer,
        start: (h) => (handlers = h),
        write: (c) => channel.write(c),
        get pending() {
          return channel.pending;
        },
        end: () => channel.end(),
        destroy: () => channel.destroy(),
      });
    }
    channel.start({
      data(chunk) {
        if (!settled) {
          clearTimeout(timer);
          timer = setTimeout(done, quietMs);
          return;
        }
        handlers?.data(chunk);
      },
      close(error) {
        done();
        handlers?.close(error);
      },
    });
  });
}

export function createComTransport(): Transport {
  return {
    name: "com",
    async listen(raw, accept) {
      const spec = asCom(raw);
      // The server holds the line open for as long as it listens: closing the device between
      // clients would drop what the next client sends meanwhile. Each client gets a fresh
      // channel on the same line when the one before it ends.
      const line = await openLine(spec);
      let stopped = false;
      const next = () => {
        // After the listener is closed, the line closes with the last channel on it.
        accept(
          lineChannel(line, "keep-line", () => (stopped ? line.close() : queueMicrotask(next))),
        );
      };
      next();
      return {
        address: `com:port=${spec.device},baud=${spec.baud}`,
        close() {
          stopped = true;
          return Promise.resolve();
        },
      } satisfies Listener;
    },
    async connect(raw) {
      // A serial line has no connection boundary: frames meant for the previous client may still
      // sit in the line's buffer. Drop whatever arrives before a short quiet spell, then begin.
      const channel = lineChannel(await openLine(asCom(raw)), "close-line");
      return await quiet(channel);
    },
  };
}
