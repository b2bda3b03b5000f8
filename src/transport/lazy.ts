/**
 * A transport whose module loads on first use: the set of transports names every one at once,
 * but the module behind each (sockets, TLS, the web server and its page) loads only when a
 * command first listens or connects with it, so `version` loads none and a tcp client no TLS
 * or web server.
 */
import type { ConnSpec } from "../connstr.ts";
import type { Transport } from "./transport.ts";

export function lazyTransport(
  name: ConnSpec["transport"],
  load: () => Promise<Transport>,
): Transport {
  let loading: Promise<Transport> | undefined;
  const real = () => (loading ??= load());
  return {
    name,
    listen: async (spec, accept, options) => (await real()).listen(spec, accept, options),
    connect: async (spec, options) => (await real()).connect(spec, options),
  };
}
