/**
 * The set of transports, loaded on first use: every name is there at once, but the modules
 * behind them (sockets, TLS, the web server and its page) load only when a command first
 * listens or connects, so a command that does neither (`version`, `check`) starts without them.
 */
import type { ConnSpec } from "../connstr.ts";
import type { Transport } from "./transport.ts";
import type { Transports } from "./transports.ts";

/** Every transport name; the type makes the list complete. */
const NAMES: Record<ConnSpec["transport"], true> = {
  tcp: true,
  npipe: true,
  ssl: true,
  spipe: true,
  com: true,
  http: true,
  https: true,
};

export function lazyTransports(load: () => Promise<Transports>): Transports {
  let loading: Promise<Transports> | undefined;
  const real = (name: ConnSpec["transport"]) => (loading ??= load()).then((all) => all[name]);
  const lazy = (name: ConnSpec["transport"]): Transport => ({
    name,
    listen: async (spec, accept, options) => (await real(name)).listen(spec, accept, options),
    connect: async (spec, options) => (await real(name)).connect(spec, options),
  });
  return Object.fromEntries(
    Object.keys(NAMES).map((name) => [name, lazy(name as ConnSpec["transport"])]),
  ) as Transports;
}
