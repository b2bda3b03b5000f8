/**
 * What an http endpoint serves, seen from the transport: a site, made by the web layer
 * (src/web/site.ts: the page, its routes, cookies and logins) and handed to the transport as a
 * factory (main.ts wires them). The transport owns listening, the runtime and the WebSocket
 * turned into a Channel; the site owns everything a browser sees. These types are all the two
 * share: web/ imports them, transport/ never imports web/.
 */
import type { Context } from "hono";
import type { UpgradeWebSocket, WSEvents } from "hono/ws";
import type { VersionInfo } from "../../version.ts";
import type { FetchHandler, WebRuntime } from "./runtime.ts";

/** What the transport tells a site about the endpoint it is made for. */
export interface SiteContext {
  /** The runtime's WebSocket upgrade. */
  // deno-lint-ignore no-explicit-any
  upgradeWebSocket: UpgradeWebSocket<any>;
  /** The peer of a request, for the session's "via" and the password lockout. */
  remote(c: Context): { address: string; port: number };
  /** https. */
  secure: boolean;
  /** The endpoint asks for a password (given, or a loopback endpoint's session token). */
  password: boolean;
  /** A loopback endpoint's session token, which the URL the server prints carries. */
  loginToken?: string;
  /** How long a browser login may last (the endpoint's `expire`); undefined: the site's default. */
  loginLifetimeMs?: number;
  /** The names this machine answers to besides addresses (its host name, the listen address). */
  hostNames: string[];
  /** The bound port, once listening (cookies do not tell ports apart: their names must). */
  port(): number;
  version: VersionInfo;
  /** False once the endpoint no longer takes connections (.endsrv, shutdown). */
  accepting(): boolean;
  /** A WebSocket request the site let in: the transport makes it a Channel for the session. */
  socket(peer: { address: string; port: number }, login: SocketLogin): WSEvents;
}

/** The site's part in one WebSocket's life: the browser's login. */
export interface SocketLogin {
  /** The browser is logged in already (a live cookie): the session asks it no password. */
  preauthenticated: boolean;
  /** The socket is open: `page` is how the site speaks to it, outside the session's stream. */
  opened(page: PageLink): void;
  /** The password was proven on this socket (only on password endpoints). */
  authenticated?(): void;
  /** The socket has closed. */
  closed(): void;
}

/** The site's side channel to one open page. */
export interface PageLink {
  /** A text message to the page, after what was written to it so far. */
  say(text: string): void;
  /** Say `farewell`, then close the socket at once: nothing more reaches the session. */
  kick(reason: string, farewell: string): void;
}

export interface Site {
  /** Answers every request of the endpoint. */
  fetch: FetchHandler;
  /** The endpoint has closed and its last page has gone: release what the site holds. */
  close(): void;
}

export type SiteFactory = (context: SiteContext) => Site;

/** How a process serves http endpoints: its runtime's server, and the site to serve. */
export interface WebServing {
  runtime: WebRuntime;
  site: SiteFactory;
}
