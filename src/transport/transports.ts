/** The set of transports a process can use, chosen by a spec's transport name. */
import type { ConnSpec } from "../connstr.ts";
import type { WebRuntime } from "../web/serve.ts";
import { createComTransport } from "./com.ts";
import { createHttpTransport } from "./http.ts";
import { createNpipeTransport } from "./npipe.ts";
import { createTcpTransport } from "./tcp.ts";
import type { Transport } from "./transport.ts";

export type Transports = Record<ConnSpec["transport"], Transport>;

/** `web`: how this runtime serves http/https (src/web/serve.ts); without it they cannot listen. */
export function createTransports(
  options: { pipeDir?: string; web?: WebRuntime } = {},
): Transports {
  return {
    tcp: createTcpTransport(),
    npipe: createNpipeTransport({ dir: options.pipeDir }),
    ssl: createTcpTransport({ secure: true }),
    spipe: createNpipeTransport({ dir: options.pipeDir, secure: true }),
    com: createComTransport(),
    http: createHttpTransport({ runtime: options.web }),
    https: createHttpTransport({ secure: true, runtime: options.web }),
  };
}
