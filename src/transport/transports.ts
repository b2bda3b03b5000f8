/** The set of transports a process can use, chosen by a spec's transport name. */
import type { ConnSpec } from "../connstr.ts";
import { createComTransport } from "./com.ts";
import { createNpipeTransport } from "./npipe.ts";
import { createTcpTransport } from "./tcp.ts";
import type { Transport } from "./transport.ts";

export type Transports = Record<ConnSpec["transport"], Transport>;

export function createTransports(options: { pipeDir?: string } = {}): Transports {
  return {
    tcp: createTcpTransport(),
    npipe: createNpipeTransport({ dir: options.pipeDir }),
    ssl: createTcpTransport({ secure: true }),
    spipe: createNpipeTransport({ dir: options.pipeDir, secure: true }),
    com: createComTransport(),
  };
}
