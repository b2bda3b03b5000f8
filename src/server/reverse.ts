/**
 * Reverse connections (WinDbg's clicon): the server dials a waiting client,
 * for targets behind a firewall that accepts no incoming connections. When
 * that client leaves, the server dials again, so it can come back.
 */
import { formatConnStr, type TcpSpec } from "../connstr.ts";
import type { Channel, Listener, Transport } from "../transport/transport.ts";

export interface ReverseOptions {
  /** Wait between attempts. */
  retryMs?: number;
  log: (line: string) => void;
}

/** A channel that also tells when it has closed. */
function watched(channel: Channel, onClose: () => void): Channel {
  return {
    peer: channel.peer,
    start: (h) =>
      channel.start({
        data: h.data,
        close: (e) => {
          h.close(e);
          onClose();
        },
      }),
    write: (c) => channel.write(c),
    get pending() {
      return channel.pending;
    },
    end: () => channel.end(),
    destroy: () => channel.destroy(),
  };
}

/** Keep one connection open to `spec.clicon`:`spec.port`, handing each new one to `accept`. */
export function dialOut(
  transport: Transport,
  spec: TcpSpec,
  accept: (channel: Channel) => void,
  options: ReverseOptions,
): Listener {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let reported = false;
  const target: TcpSpec = {
    transport: "tcp",
    server: spec.clicon,
    port: spec.port,
    ipversion: spec.ipversion,
  };
  const again = () => {
    if (!stopped) timer = setTimeout(attempt, options.retryMs ?? 2000);
  };
  const attempt = async () => {
    if (stopped) return;
    let channel: Channel;
    try {
      channel = await transport.connect(target, { timeoutMs: 5000 });
    } catch (err) {
      if (!reported) {
        options.log(
          `waiting for a client at ${spec.clicon}:${spec.port}: ${(err as Error).message}`,
        );
      }
      reported = true;
      again();
      return;
    }
    if (stopped) {
      channel.destroy();
      return;
    }
    reported = false;
    options.log(`reverse connection to ${spec.clicon}:${spec.port} established`);
    accept(watched(channel, again));
  };
  void attempt();
  return {
    address: formatConnStr({ transport: "tcp", clicon: spec.clicon, port: spec.port }),
    close() {
      stopped = true;
      clearTimeout(timer);
      return Promise.resolve();
    },
  };
}
