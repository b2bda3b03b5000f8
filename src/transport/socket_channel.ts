/** A {@link Channel} over a node:net socket, shared by the tcp and npipe transports. */
import type { Socket } from "node:net";
import type { Channel, ChannelHandlers } from "./transport.ts";

export function socketChannel(socket: Socket, peer: string): Channel {
  let handlers: ChannelHandlers | undefined;
  let closed = false;
  let failure: Error | undefined;
  // Writes made in one turn of the event loop go out in one syscall: a command's
  // output and its `done` usually leave together.
  let batch: Uint8Array[] = [];
  let batchBytes = 0;
  const flush = () => {
    if (batch.length === 0) return;
    const parts = batch;
    batch = [];
    batchBytes = 0;
    if (socket.destroyed || socket.writableEnded) return;
    if (parts.length === 1) {
      socket.write(parts[0]);
      return;
    }
    const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      joined.set(p, offset);
      offset += p.length;
    }
    socket.write(joined);
  };
  // Errors and closes that happen before start() are replayed once it is called.
  socket.on("error", (err) => {
    failure ??= err;
  });
  socket.on("close", () => {
    closed = true;
    handlers?.close(failure);
  });
  socket.pause();
  return {
    peer,
    start(h) {
      if (handlers) throw new Error("channel already started");
      handlers = h;
      socket.on("data", (chunk: Uint8Array) => h.data(chunk));
      if (closed) h.close(failure);
      else socket.resume();
    },
    write(chunk) {
      if (socket.destroyed || socket.writableEnded) return;
      if (batch.length === 0) queueMicrotask(flush);
      batch.push(chunk);
      batchBytes += chunk.length;
    },
    get pending() {
      return socket.writableLength + batchBytes;
    },
    end() {
      flush();
      if (!socket.destroyed) socket.end();
    },
    destroy() {
      batch = [];
      batchBytes = 0;
      socket.destroy();
    },
  };
}
