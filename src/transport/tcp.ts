/**
 * The tcp transport, `tcp:port=N[,server=ADDR][,ipversion=6]`, and its TLS
 * twin `ssl:` (TLS 1.3 over tcp, same keys plus certfile/keyfile/cafile/clientca).
 */
import net from "node:net";
import tls from "node:tls";
import type { ConnSpec, SslSpec, TcpSpec } from "../connstr.ts";
import { describeTlsError, tlsClientOptions, tlsServerOptions } from "./tls_options.ts";
import { TransportError } from "../errors.ts";
import { socketChannel } from "./socket_channel.ts";
import type { Channel, ConnectOptions, Listener, Transport } from "./transport.ts";

function hostFor(spec: TcpSpec | SslSpec): string {
  if (spec.server) return spec.server;
  return spec.ipversion === 6 ? "::" : "0.0.0.0";
}

function formatHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

export function createTcpTransport(options: { secure?: boolean } = {}): Transport {
  const name = options.secure ? "ssl" : "tcp";
  const asSpec = (spec: ConnSpec): TcpSpec | SslSpec => {
    if (spec.transport !== name) {
      throw new Error(`${name} transport given a ${spec.transport} spec`);
    }
    return spec as TcpSpec | SslSpec;
  };
  return {
    name,
    listen(raw, accept) {
      const spec = asSpec(raw);
      const host = hostFor(spec);
      const listenOn = (port: number) =>
        new Promise<Listener>((resolve, reject) => {
          // Inside the executor: a missing certificate file becomes a rejection, not a throw.
          const secure = spec.transport === "ssl" ? tlsServerOptions(spec) : undefined;
          const onSocket = (socket: net.Socket) => {
            socket.setNoDelay(true);
            const peer = `${name}:${formatHost(socket.remoteAddress ?? "?")}:${socket.remotePort}`;
            accept(socketChannel(socket, peer));
          };
          const server = secure
            ? tls.createServer({ ...secure, noDelay: true }, onSocket)
            : net.createServer({ noDelay: true }, onSocket);
          // A peer that fails the TLS handshake never reaches the session.
          server.on("tlsClientError", (_err, socket) => socket.destroy());
          server.once("error", (err: NodeJS.ErrnoException) => {
            if (err.code === "EADDRINUSE") {
              reject(
                new TransportError(
                  "E_ADDR_IN_USE",
                  `${name} port ${port} on ${host} is already in use`,
                  {
                    hint: "pick another port (tcp:port=N), or stop the process that holds it " +
                      `(see: ss -ltnp 'sport = :${port}')`,
                    cause: err,
                  },
                ),
              );
            } else {
              reject(
                new TransportError(
                  "E_TRANSPORT",
                  `cannot listen on ${name} ${host}:${port}: ${err.message}`,
                  {
                    hint: err.code === "EACCES"
                      ? "ports below 1024 need privileges: use a higher port"
                      : undefined,
                    cause: err,
                  },
                ),
              );
            }
          });
          server.listen({ host, port, ipv6Only: false }, () => {
            const bound = server.address() as net.AddressInfo;
            const shown = spec.server ?? (spec.ipversion === 6 ? "::1" : "127.0.0.1");
            resolve({
              address: `${name}:server=${shown},port=${bound.port}`,
              // Stop accepting; connected channels stay open (server.close's callback would wait for them).
              close: () => {
                server.close();
                return Promise.resolve();
              },
            });
          });
        });
      return (async () => {
        const first = spec.port ?? 0;
        const last = spec.portEnd ?? first;
        for (let port = first; port <= last; port++) {
          try {
            return await listenOn(port);
          } catch (err) {
            if (!(err instanceof TransportError) || err.code !== "E_ADDR_IN_USE" || port === last) {
              if (first !== last && err instanceof TransportError && err.code === "E_ADDR_IN_USE") {
                throw new TransportError(
                  "E_ADDR_IN_USE",
                  `every ${name} port from ${first} to ${last} on ${host} is in use`,
                  { hint: "widen the range, or pick another one", cause: err },
                );
              }
              throw err;
            }
          }
        }
        throw new Error("unreachable: empty port range");
      })();
    },
    connect(raw, options?: ConnectOptions) {
      const spec = asSpec(raw);
      const host = spec.server ?? "127.0.0.1";
      const port = spec.port ?? 0;
      const secure = spec.transport === "ssl" ? tlsClientOptions(spec, host) : undefined;
      return new Promise<Channel>((resolve, reject) => {
        const socket = secure
          ? tls.connect({ host, port, family: spec.ipversion, ...secure } as tls.ConnectionOptions)
          : net.connect({ host, port, noDelay: true, family: spec.ipversion });
        const timer = options?.timeoutMs
          ? setTimeout(() => {
            socket.destroy();
            reject(
              new TransportError(
                "E_CONNECT",
                `no answer from ${host}:${port} within ${options.timeoutMs} ms`,
                {
                  hint: "check the host name and that a firewall lets the port through",
                  failure: "no-answer",
                },
              ),
            );
          }, options.timeoutMs)
          : undefined;
        socket.once("error", (err: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          if (
            secure &&
            !/^E(CONNREFUSED|NOTFOUND|HOSTUNREACH|NETUNREACH|TIMEDOUT)$/.test(err.code ?? "")
          ) {
            reject(describeTlsError(err, `${host}:${port}`));
            return;
          }
          reject(
            new TransportError(
              "E_CONNECT",
              `cannot connect to ${name} ${host}:${port}: ${err.message}`,
              {
                hint: err.code === "ECONNREFUSED"
                  ? `is the server running? start it with: dbgremote server ${name}:port=` + port +
                    " -- gdb PROGRAM"
                  : err.code === "ENOTFOUND"
                  ? `the host name "${host}" does not resolve: check it`
                  : undefined,
                cause: err,
              },
            ),
          );
        });
        socket.once(secure ? "secureConnect" : "connect", () => {
          clearTimeout(timer);
          socket.setNoDelay(true);
          socket.removeAllListeners("error");
          resolve(socketChannel(socket, `${name}:${formatHost(host)}:${port}`));
        });
      });
    },
  };
}
