/**
 * The web runtime inside the compiled binary: Bun.serve with hono's Bun adapter. Loaded only
 * under Bun (platform.ts decides): the adapter touches Bun's globals as it loads.
 */
import { getConnInfo, upgradeWebSocket, websocket } from "hono/bun";
import { remoteOf, started, type WebRuntime } from "./runtime.ts";

/** Bun won't take TLS 1.2 either: OpenSSL's SSL_OP_NO_TLSv1_2 (TLS 1.3 only, as ssl: is). */
const SSL_OP_NO_TLSv1_2 = 0x08000000;
/** Bun drops messages past this many unsent bytes: far above what a session lets queue up. */
const BUN_BACKPRESSURE_LIMIT = 64 * 1024 * 1024;

/**
 * The largest WebSocket message Bun takes in (it holds a message whole before handing it on, and
 * strangers may send one before logging in): a page sends one protocol frame (at most 1 MiB) per
 * message, a native client a turn's frames; 2 MiB leaves room, and caps what each of the
 * connections allowed to be logging in at once can make the server hold.
 */
const BUN_MAX_MESSAGE = 2 * 1024 * 1024;

export function bunRuntime(): WebRuntime {
  // deno-lint-ignore no-explicit-any
  const Bun = (globalThis as any).Bun;
  return {
    name: "bun",
    upgradeWebSocket,
    serve(fetch, options) {
      const server = started(() =>
        Bun.serve({
          hostname: options.hostname,
          port: options.port,
          fetch,
          websocket: {
            ...websocket,
            backpressureLimit: BUN_BACKPRESSURE_LIMIT,
            closeOnBackpressureLimit: true,
            maxPayloadLength: BUN_MAX_MESSAGE,
          },
          tls: options.tls
            ? { cert: options.tls.cert, key: options.tls.key, secureOptions: SSL_OP_NO_TLSv1_2 }
            : undefined,
        })
      );
      return {
        port: server.port,
        close: () => void server.stop(false), // false: open WebSockets stay
        dropsSockets: false,
      };
    },
    bufferedAmount: (ws) => (ws.raw as { getBufferedAmount(): number }).getBufferedAmount(),
    terminate: (ws) => (ws.raw as { terminate(): void }).terminate(),
    remote: (c) => remoteOf(getConnInfo(c)),
  };
}
