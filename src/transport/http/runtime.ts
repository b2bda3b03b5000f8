/**
 * What the http transport needs of a runtime's web server, as plain functions: one adapter per
 * runtime implements it (bun.ts: Bun.serve with hono's Bun adapter, inside the compiled binary;
 * deno.ts: Deno.serve with hono's Deno adapter, in development and tests), as hono's own adapters
 * are one per runtime. Which one runs is platform.ts's to know (createWebRuntime); everything
 * else takes a {@link WebRuntime} as a parameter and stays runtime-free.
 */
import type { Context } from "hono";
import type { UpgradeWebSocket, WSContext } from "hono/ws";

/** Answers one request: hono's `app.fetch` (a runtime passes extra arguments it reads back). */
// deno-lint-ignore no-explicit-any
export type FetchHandler = (request: Request, ...rest: any[]) => Response | Promise<Response>;

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
   * Serve `fetch`. Throws at once if the address cannot be bound; the error's
   * `code` is "EADDRINUSE" when the port is taken.
   */
  serve(fetch: FetchHandler, options: ServeOptions): WebServer;
  /** Bytes queued on a WebSocket but not yet handed to the OS. */
  bufferedAmount(ws: WSContext): number;
  /** Close a WebSocket at once, dropping anything queued. */
  terminate(ws: WSContext): void;
  /** The address and port of the peer of a request. */
  remote(c: Context): { address: string; port: number };
}

/** Start a runtime's server: its errors get the Node-style codes the transport translates. */
export function started<T>(start: () => T): T {
  try {
    return start();
  } catch (err) {
    throw coded(err);
  }
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

/** A hono adapter's connection info, as {@link WebRuntime.remote} gives it. */
export function remoteOf(info: { remote: { address?: string; port?: number } }): {
  address: string;
  port: number;
} {
  return { address: info.remote.address ?? "?", port: info.remote.port ?? 0 };
}
