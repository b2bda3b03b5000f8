/**
 * The `dap:` and `daps:` transports: a tcp (or TLS) listener whose connections speak the Debug
 * Adapter Protocol (src/dap/peer.ts serves them). The bytes are tcp's; only the names differ, so
 * `.servers`, `.clients` and the server's log say `dap:` where editors come in.
 */
import type { ConnSpec, SslSpec, TcpSpec } from "../connstr.ts";
import { DbgRemoteError } from "../errors.ts";
import { createTcpTransport } from "../transport/tcp.ts";
import type { Channel, Transport } from "../transport/transport.ts";

/** The tcp or ssl spec a dap or daps spec listens with. */
export function tcpSpecOf(spec: ConnSpec): TcpSpec | SslSpec {
  if (spec.transport === "dap") return { ...spec, transport: "tcp" };
  if (spec.transport === "daps") return { ...spec, transport: "ssl" };
  throw new Error(`dap transport given a ${spec.transport} spec`);
}

/** The same channel, named by the transport editors came in on ("dap:127.0.0.1:40312"). */
function renamed(channel: Channel, peer: string): Channel {
  return {
    peer,
    start: (h) => channel.start(h),
    write: (chunk) => channel.write(chunk),
    get pending() {
      return channel.pending;
    },
    end: () => channel.end(),
    destroy: () => channel.destroy(),
  };
}

export function createDapTransport(options: { secure?: boolean } = {}): Transport {
  const name = options.secure ? "daps" : "dap";
  const tcp = createTcpTransport({ secure: options.secure });
  const under = options.secure ? "ssl" : "tcp";
  return {
    name,
    async listen(spec, accept, listenOptions) {
      const listener = await tcp.listen(
        tcpSpecOf(spec),
        (channel) => accept(renamed(channel, channel.peer.replace(/^[a-z]+:/, `${name}:`))),
        listenOptions,
      );
      return {
        address: listener.address.replace(new RegExp(`^${under}:`), `${name}:`),
        close: () => listener.close(),
      };
    },
    connect() {
      return Promise.reject(
        new DbgRemoteError("E_USAGE", `${name}: is where editors attach, not dbgremote clients`, {
          hint: "attach your editor to it; dbgremote client connects to tcp:, ssl:, npipe: ...",
        }),
      );
    },
  };
}
