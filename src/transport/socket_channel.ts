/** A {@link Channel} over a node:net socket, shared by the tcp and npipe transports. */
import type { Socket } from "node:net";
import type { Channel, ChannelHandlers } from "./transport.ts";
import { writeBatch } from "./write_batch.ts";

export function socketChannel(socket: Socket, peer: string): Channel {
  let handlers: ChannelHandlers | undefined;
  let closed = false;
  let failure: Error | undefined;
  // The socket gets more only once it has drained: what it cannot take yet waits in the batch.
  const batch = writeBatch((bytes) => {
    if (socket.destroyed || socket.writableEnded) return true;
    return socket.write(bytes);
  });
  socket.on("drain", () => batch.drained());
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
      batch.push(chunk);
    },
    get pending() {
      return socket.writableLength + batch.bytes;
    },
    end() {
      batch.flush();
      if (!socket.destroyed) socket.end();
    },
    destroy() {
      batch.clear();
      socket.destroy();
    },
  };
}
