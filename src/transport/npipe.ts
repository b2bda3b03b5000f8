/**
 * The npipe transport: `npipe:pipe=NAME`. On Windows WinDbg uses a named
 * pipe; here it is a Unix-domain socket, created mode 0600 inside a private
 * directory (mode 0700), so only the same user can connect. `%d` in the name
 * is replaced by the server's pid.
 */
import fs from "node:fs";
import net from "node:net";
import tls from "node:tls";
import os from "node:os";
import path from "node:path";
import { type ConnSpec, expandPipeName, type NpipeSpec, type SpipeSpec } from "../connstr.ts";
import { describeTlsError, tlsClientOptions, tlsServerOptions } from "./tls_options.ts";
import { TransportError } from "../errors.ts";
import { socketChannel } from "./socket_channel.ts";
import type { Channel, ConnectOptions, Listener, Transport } from "./transport.ts";

/**
 * The directory for pipe sockets (and loopback session tokens): $DBGREMOTE_PIPE_DIR if set,
 * else $XDG_RUNTIME_DIR/dbgremote, else a per-user one in the temp dir.
 */
export function pipeDirectory(env: Record<string, string | undefined> = process.env): string {
  if (env.DBGREMOTE_PIPE_DIR) return env.DBGREMOTE_PIPE_DIR;
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime) return path.join(runtime, "dbgremote");
  const uid = typeof process.getuid === "function" ? process.getuid() : os.userInfo().uid;
  return path.join(os.tmpdir(), `dbgremote-${uid}`);
}

/** Where the socket for a pipe name lives. An absolute name is used as it is. */
export function pipePath(name: string, dir = pipeDirectory()): string {
  return path.isAbsolute(name) ? name : path.join(dir, name);
}

export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.statSync(dir);
  const uid = typeof process.getuid === "function" ? process.getuid() : st.uid;
  if (st.uid !== uid || (st.mode & 0o077) !== 0) {
    throw new TransportError(
      "E_TRANSPORT",
      `pipe directory ${dir} is not private (owner ${st.uid}, mode ${
        (st.mode & 0o777).toString(8)
      })`,
      { hint: `remove it or run: chmod 700 ${dir}` },
    );
  }
}

/** Is someone listening on this socket path? */
function probe(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(file);
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** The npipe transport, or with `secure` its TLS twin spipe (TLS 1.3 over the same private socket). */
export function createNpipeTransport(options: { dir?: string; secure?: boolean } = {}): Transport {
  const dirOf = () => options.dir ?? pipeDirectory();
  const name = options.secure ? "spipe" : "npipe";
  const asPipe = (spec: ConnSpec): NpipeSpec | SpipeSpec => {
    if (spec.transport !== name) {
      throw new Error(`${name} transport given a ${spec.transport} spec`);
    }
    return spec as NpipeSpec | SpipeSpec;
  };
  return {
    name,
    async listen(raw, accept, { pid, tid }) {
      const spec = asPipe(raw);
      const secure = spec.transport === "spipe" ? tlsServerOptions(spec) : undefined;
      const transportName = spec.transport;
      const name = expandPipeName(spec.pipe, pid, tid);
      const file = pipePath(name, dirOf());
      if (!path.isAbsolute(name)) ensurePrivateDir(path.dirname(file));
      const existing = fs.lstatSync(file, { throwIfNoEntry: false });
      if (existing) {
        // Only a socket of ours is ever replaced: an absolute pipe path may name any file.
        const uid = typeof process.getuid === "function" ? process.getuid() : existing.uid;
        if (!existing.isSocket() || existing.uid !== uid) {
          throw new TransportError(
            "E_PIPE_PATH_TAKEN",
            `pipe path ${file} is taken by ${
              existing.isSocket() ? `a socket of user ${existing.uid}` : "something not a socket"
            }: it is left as it is`,
            { hint: "give a pipe name or path where nothing exists yet" },
          );
        }
        if (await probe(file)) {
          throw new TransportError("E_ADDR_IN_USE", `pipe "${name}" is already in use (${file})`, {
            hint: "pick another pipe name, or use %d in it to add the server's pid",
          });
        }
        fs.unlinkSync(file); // a stale socket left by a server that died
      }
      return await new Promise<Listener>((resolve, reject) => {
        const onSocket = (socket: net.Socket) =>
          accept(socketChannel(socket, `${transportName}:${name}`));
        const server = secure ? tls.createServer(secure, onSocket) : net.createServer(onSocket);
        server.on("tlsClientError", (_err, socket) => socket.destroy());
        server.once("error", (err: NodeJS.ErrnoException) => {
          reject(
            new TransportError("E_TRANSPORT", `cannot listen on pipe ${file}: ${err.message}`, {
              hint: "check that the directory exists and is writable",
              cause: err,
            }),
          );
        });
        server.listen(file, () => {
          fs.chmodSync(file, 0o600);
          resolve({
            address: `${transportName}:pipe=${name}`,
            // Stop accepting and remove the socket file; connected channels stay open.
            close: () => {
              server.close();
              fs.rmSync(file, { force: true });
              return Promise.resolve();
            },
          });
        });
      });
    },
    connect(raw, options?: ConnectOptions) {
      const spec = asPipe(raw);
      const file = pipePath(spec.pipe, dirOf());
      const secure = spec.transport === "spipe" ? tlsClientOptions(spec, undefined) : undefined;
      return new Promise<Channel>((resolve, reject) => {
        const socket = secure ? tls.connect({ path: file, ...secure }) : net.connect(file);
        const timer = options?.timeoutMs
          ? setTimeout(() => {
            socket.destroy();
            reject(
              new TransportError("E_CONNECT", `no answer on pipe ${file}`, {
                failure: "no-answer",
              }),
            );
          }, options.timeoutMs)
          : undefined;
        socket.once("error", (err: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          if (secure && !/^E(NOENT|CONNREFUSED|ACCES)$/.test(err.code ?? "")) {
            reject(describeTlsError(err, `pipe ${spec.pipe}`));
            return;
          }
          reject(
            new TransportError(
              "E_CONNECT",
              `cannot connect to pipe "${spec.pipe}" (${file}): ${err.message}`,
              {
                hint: err.code === "ENOENT" || err.code === "ECONNREFUSED"
                  ? "no server listens there: check the name (a %d in it is the server's pid) and that the server runs as your user"
                  : err.code === "EACCES"
                  ? "the pipe belongs to another user: run the client as the server's user"
                  : undefined,
                cause: err,
              },
            ),
          );
        });
        socket.once(secure ? "secureConnect" : "connect", () => {
          clearTimeout(timer);
          socket.removeAllListeners("error");
          resolve(socketChannel(socket, `${name}:${spec.pipe}`));
        });
      });
    },
  };
}
