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

async function open(spec: ComSpec, configure = true): Promise<Channel> {
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
    // Set the line up once: doing it again on a reopen could drop a waiting client's hello.
    if (configure) await stty(spec);
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  const input = new tty.ReadStream(fd);
  // Writes go through the thread pool, not tty.WriteStream: a tty write blocks the whole event
  // loop until the line takes the bytes, and a slow line must never stall the session.
  const output = fs.createWriteStream("", { fd, autoClose: false });
  let handlers: ChannelHandlers | undefined;
  let closed = false;
  const close = (error?: Error) => {
    if (closed) return;
    closed = true;
    input.destroy();
    output.destroy();
    handlers?.close(error);
  };
  input.on("error", (e) => close(e));
  output.on("error", (e) => close(e));
  input.pause();
  return {
    peer: `com:${spec.device}`,
    start(h) {
      handlers = h;
      input.on("data", (chunk: Uint8Array) => h.data(chunk));
      input.resume();
    },
    write(chunk) {
      if (!closed) output.write(chunk);
    },
    get pending() {
      return output.writableLength;
    },
    end() {
      if (closed) return;
      // Let what is queued reach the line, then close.
      output.end(() => close());
    },
    destroy() {
      close();
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
    async listen(raw, accept, options) {
      const spec = asCom(raw);
      let stopped = false;
      // One client at a time: when the line's channel closes, open it again for the next.
      let first = true;
      const serve = async (): Promise<void> => {
        const channel = await open(spec, first);
        first = false;
        accept({
          ...channel,
          peer: channel.peer,
          get pending() {
            return channel.pending;
          },
          start(h) {
            channel.start({
              data: h.data,
              close(e) {
                h.close(e);
                if (!stopped) {
                  serve().catch((err) => {
                    // The line went away (device unplugged): nothing more can be served on it.
                    stopped = true;
                    options.log?.(`cannot reopen ${spec.device}: ${(err as Error).message}`);
                  });
                }
              },
            });
          },
        });
      };
      await serve();
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
      const channel = await open(asCom(raw));
      return await quiet(channel);
    },
  };
}
