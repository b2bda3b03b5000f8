/**
 * The set of transports a process can use, chosen by a spec's transport name. Each one's module
 * is imported when it is first used (src/transport/lazy.ts): start-up loads none of them.
 */
import type { ConnSpec } from "../connstr.ts";
import type { WebServing } from "./http/site.ts";
import { lazyTransport } from "./lazy.ts";
import type { Transport } from "./transport.ts";

export type Transports = Record<ConnSpec["transport"], Transport>;

/**
 * `web`: how this process serves http/https (its runtime's server and the site to serve: see
 * src/transport/http/site.ts), or a function that makes it when they are first used; without it
 * they cannot listen.
 */
export function createTransports(
  options: { pipeDir?: string; web?: WebServing | (() => Promise<WebServing>) } = {},
): Transports {
  // Made once, by whichever of http and https is used first.
  let made: Promise<WebServing | undefined> | undefined;
  const web = () =>
    made ??= typeof options.web === "function" ? options.web() : Promise.resolve(options.web);
  const tcp = () => import("./tcp.ts");
  const npipe = () => import("./npipe.ts");
  const http = () => import("./http/transport.ts");
  const dap = () => import("../dap/transport.ts");
  return {
    tcp: lazyTransport("tcp", async () => (await tcp()).createTcpTransport()),
    npipe: lazyTransport(
      "npipe",
      async () => (await npipe()).createNpipeTransport({ dir: options.pipeDir }),
    ),
    ssl: lazyTransport("ssl", async () => (await tcp()).createTcpTransport({ secure: true })),
    spipe: lazyTransport(
      "spipe",
      async () => (await npipe()).createNpipeTransport({ dir: options.pipeDir, secure: true }),
    ),
    com: lazyTransport("com", async () => (await import("./com.ts")).createComTransport()),
    http: lazyTransport(
      "http",
      async () => (await http()).createHttpTransport({ web: await web() }),
    ),
    https: lazyTransport(
      "https",
      async () => (await http()).createHttpTransport({ secure: true, web: await web() }),
    ),
    dap: lazyTransport("dap", async () => (await dap()).createDapTransport()),
    daps: lazyTransport("daps", async () => (await dap()).createDapTransport({ secure: true })),
  };
}
