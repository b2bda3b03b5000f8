/**
 * The one module that knows how each runtime serves the web: `Deno.serve` with
 * hono's Deno adapter under Deno (development, tests), `Bun.serve` with hono's
 * Bun adapter inside the compiled binary. Everything else takes a
 * {@link WebRuntime} as a parameter and stays runtime-free.
 */
import type { Context, Hono } from "hono";
import type { UpgradeWebSocket, WSContext } from "hono/ws";

// Each adapter touches its runtime's globals as it loads: load only the one that runs.
type HonoBun = typeof import("hono/bun");
type HonoDeno = typeof import("hono/deno");

export interface ServeOptions {
  hostname: string;
  port: number;
  /** PEM text: serve https. */
  tls?: { cert: string; key: string };
}

export interface WebServer {
  /** The bound port (the one picked, for port 0). */
  readonly port: number;
  /** Stop listening. See {@link dropsSockets}. */
  close(): void;
  /**
   * Closing also closes the open WebSockets (Deno's server: both shutdown and
   * abort end upgraded connections). The caller then defers closing until the
   * last one has gone and refuses new requests meanwhile.
   */
  readonly dropsSockets: boolean;
}

/** A runtime's way of serving, as plain functions. */
export interface WebRuntime {
  /** "deno" or "bun". */
  readonly name: string;
  // deno-lint-ignore no-explicit-any
  readonly upgradeWebSocket: UpgradeWebSocket<any>;
  /**
   * Serve `app`. Throws at once if the address cannot be bound; the error's
   * `code` is "EADDRINUSE" when the port is taken.
   */
  serve(app: Hono, options: ServeOptions): WebServer;
  /** Bytes queued on a WebSocket but not yet handed to the OS. */
  bufferedAmount(ws: WSContext): number;
  /** Close a WebSocket at once, dropping anything queued. */
  terminate(ws: WSContext): void;
  /** The address and port of the peer of a request. */
  remote(c: Context): { address: string; port: number };
}

/** An error with a Node-style code, for the transport to translate. */
function coded(err: unknown): Error & { code?: string } {
  const e = err instanceof Error ? err : new Error(String(err));
  const named = e as Error & { code?: string };
  if (!named.code && (e.name === "AddrInUse" || /address already in use/i.test(e.message))) {
    named.code = "EADDRINUSE";
  }
  if (!named.code && (e.name === "PermissionDenied" || /permission denied/i.test(e.message))) {
    named.code = "EACCES";
  }
  return named;
}

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

function bunRuntime(honoBun: HonoBun): WebRuntime {
  // deno-lint-ignore no-explicit-any
  const Bun = (globalThis as any).Bun;
  return {
    name: "bun",
    upgradeWebSocket: honoBun.upgradeWebSocket,
    serve(app, options) {
      let server;
      try {
        server = Bun.serve({
          hostname: options.hostname,
          port: options.port,
          fetch: app.fetch,
          websocket: {
            ...honoBun.websocket,
            backpressureLimit: BUN_BACKPRESSURE_LIMIT,
            closeOnBackpressureLimit: true,
            maxPayloadLength: BUN_MAX_MESSAGE,
          },
          tls: options.tls
            ? { cert: options.tls.cert, key: options.tls.key, secureOptions: SSL_OP_NO_TLSv1_2 }
            : undefined,
        });
      } catch (err) {
        throw coded(err);
      }
      return {
        port: server.port,
        close: () => void server.stop(false), // false: open WebSockets stay
        dropsSockets: false,
      };
    },
    bufferedAmount: (ws) => (ws.raw as { getBufferedAmount(): number }).getBufferedAmount(),
    terminate: (ws) => (ws.raw as { terminate(): void }).terminate(),
    remote(c) {
      const info = honoBun.getConnInfo(c).remote;
      return { address: info.address ?? "?", port: info.port ?? 0 };
    },
  };
}

function denoRuntime(honoDeno: HonoDeno): WebRuntime {
  // deno-lint-ignore no-explicit-any
  const Deno = (globalThis as any).Deno;
  return {
    name: "deno",
    upgradeWebSocket: honoDeno.upgradeWebSocket,
    serve(app, options) {
      let server;
      try {
        server = Deno.serve({
          hostname: options.hostname,
          port: options.port,
          onListen() {}, // Deno would print "Listening on ..." otherwise
          onError: () => new Response("internal error", { status: 500 }),
          ...(options.tls ? { cert: options.tls.cert, key: options.tls.key } : {}),
        }, app.fetch);
      } catch (err) {
        throw coded(err);
      }
      return {
        port: server.addr.port,
        close: () => void server.shutdown(),
        dropsSockets: true,
      };
    },
    bufferedAmount: (ws) => (ws.raw as WebSocket).bufferedAmount,
    // Deno's server WebSocket has no abort: a close frame after what is queued is the nearest.
    terminate: (ws) => (ws.raw as WebSocket).close(),
    remote(c) {
      const info = honoDeno.getConnInfo(c).remote;
      return { address: info.address ?? "?", port: info.port ?? 0 };
    },
  };
}

/** The web runtime of the process this runs in. */
export async function createWebRuntime(): Promise<WebRuntime> {
  return "Bun" in globalThis
    ? bunRuntime(await import("hono/bun"))
    : denoRuntime(await import("hono/deno"));
}
