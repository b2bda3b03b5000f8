/**
 * The web runtime under Deno (development, tests): Deno.serve with hono's Deno adapter. Loaded
 * only under Deno (platform.ts decides): the adapter touches Deno's globals as it loads.
 */
import { getConnInfo, upgradeWebSocket } from "hono/deno";
import { remoteOf, started, type WebRuntime } from "./runtime.ts";

export function denoRuntime(): WebRuntime {
  // deno-lint-ignore no-explicit-any
  const Deno = (globalThis as any).Deno;
  return {
    name: "deno",
    upgradeWebSocket,
    serve(fetch, options) {
      const server = started(() =>
        Deno.serve({
          hostname: options.hostname,
          port: options.port,
          onListen() {}, // Deno would print "Listening on ..." otherwise
          onError: () => new Response("internal error", { status: 500 }),
          ...(options.tls ? { cert: options.tls.cert, key: options.tls.key } : {}),
        }, fetch)
      );
      return {
        port: server.addr.port,
        close: () => void server.shutdown(),
        dropsSockets: true,
      };
    },
    bufferedAmount: (ws) => (ws.raw as WebSocket).bufferedAmount,
    // Deno's server WebSocket has no abort: a close frame after what is queued is the nearest.
    terminate: (ws) => (ws.raw as WebSocket).close(),
    remote: (c) => remoteOf(getConnInfo(c)),
  };
}
