/**
 * The browser client's web app (hono): the page, its login API and the
 * WebSocket every page speaks the session protocol over. A factory taking
 * its dependencies: no runtime, no sockets here, so `app.request()` tests it.
 *
 *   GET  /               the page (and its scripts, styles, icon)
 *   GET  /?token=T       a loopback endpoint's session token: logs this browser in, then /
 *   GET  /api/status     what the page needs before joining: versions, login needed, logged in
 *   POST /api/login      trade a login ticket (sent over the WebSocket after the password) for the cookie
 *   POST /api/logout     end this browser's login
 *   GET  /ws             the WebSocket: the session protocol in binary messages
 *
 * Every response: security headers, `Cache-Control: no-store`. Requests for
 * other host names are refused on endpoints without a password (DNS
 * rebinding); the WebSocket and the POSTs need an Origin equal to the host.
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { timingSafeEqual } from "node:crypto";
import { bodyLimit } from "hono/body-limit";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { UpgradeWebSocket, WSEvents } from "hono/ws";
import type { VersionInfo } from "../version.ts";
import { ASSETS } from "./assets.ts";
import type { Logins } from "./logins.ts";

export interface WebAppOptions {
  // deno-lint-ignore no-explicit-any
  upgradeWebSocket: UpgradeWebSocket<any>;
  /** The peer of a request, for the session's "via" and the password lockout. */
  remote(c: Context): { address: string; port: number };
  /** https: cookies are Secure. */
  secure: boolean;
  /** The endpoint asks for a password: pages log in. */
  password: boolean;
  /**
   * A loopback endpoint's session token (its password, which only the server's user sees): a
   * request for `/?token=TOKEN` logs the browser in, as Jupyter's printed URL does.
   */
  loginToken?: string;
  logins: Logins;
  /** The login cookie's name (one per endpoint: cookies do not tell ports apart). */
  cookie(): string;
  /** May a request naming this Host be served? */
  hostAllowed(host: string): boolean;
  version: VersionInfo;
  /** False once the endpoint no longer takes connections (.endsrv, shutdown). */
  accepting(): boolean;
  /** A checked WebSocket request: the events of its socket. `login` is a live login's token. */
  socket(peer: { address: string; port: number }, login: string | undefined): WSEvents;
}

/** What the page may load and talk to: itself, nothing inline, never inside a frame. */
export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS: Record<string, string> = {
  "Content-Security-Policy": CSP,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), usb=(), serial=()",
  // A session page and its data are live and private: never kept by a browser or a proxy.
  "Cache-Control": "no-store",
};

/** Is `origin` (scheme://host[:port]) this very server, as the Host header names it? */
export function sameOrigin(origin: string | undefined, host: string, secure: boolean): boolean {
  if (!origin || !/^[\w.\-]+(:\d+)?$|^\[[\da-f:.]+\](:\d+)?$/i.test(host)) return false;
  const scheme = secure ? "https:" : "http:";
  try {
    // Both through the URL parser: "lab1:80" and "http://lab1" are the same origin.
    const url = new URL(origin);
    return url.protocol === scheme && url.host === new URL(`${scheme}//${host}`).host;
  } catch {
    return false;
  }
}

function problem(c: Context, status: 400 | 401 | 403 | 404 | 421 | 426 | 503, message: string) {
  return c.json({ error: message }, status);
}

/** Compare secrets in constant time. */
function sameSecret(given: string, want: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createWebApp(options: WebAppOptions): Hono {
  const app = new Hono();

  app.use("*", async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(k, v);
  });

  app.use("*", async (c, next) => {
    const host = c.req.header("host") ?? "";
    if (!options.hostAllowed(host)) {
      return problem(
        c,
        421,
        `this dbgremote endpoint does not answer to the name "${host}": open it by its address`,
      );
    }
    if (!options.accepting()) {
      return problem(c, 503, "this endpoint no longer accepts connections");
    }
    await next();
  });

  const sameOriginOnly: MiddlewareHandler = async (c, next) => {
    if (!sameOrigin(c.req.header("origin"), c.req.header("host") ?? "", options.secure)) {
      return problem(c, 403, "cross-origin request refused");
    }
    await next();
  };
  // A ticket is 43 characters: nobody needs to send more than this before logging in.
  const smallBody = bodyLimit({
    maxSize: 1024,
    onError: (c) => c.json({ error: "request body too large" }, 413),
  });

  /** The page's login, in the one cookie form: as long as the login has left, never longer. */
  const setLoginCookie = (c: Context, token: string) =>
    setCookie(c, options.cookie(), token, {
      path: "/",
      httpOnly: true,
      sameSite: "Strict",
      secure: options.secure,
      maxAge: Math.ceil(options.logins.remaining(token) / 1000),
    });
  const loginOf = (c: Context): string | undefined => {
    if (!options.password) return undefined;
    const token = getCookie(c, options.cookie());
    return options.logins.remaining(token) > 0 ? token : undefined;
  };

  app.get("/api/status", (c) =>
    c.json({
      protocol: options.version.protocol,
      release: options.version.release,
      login: options.password ? "password" : "none",
      signedIn: loginOf(c) !== undefined,
    }));

  app.post("/api/login", sameOriginOnly, smallBody, async (c) => {
    const body = await c.req.json().catch(() => undefined) as { ticket?: unknown } | undefined;
    const ticket = typeof body?.ticket === "string" ? body.ticket : "";
    const token = options.password && ticket ? options.logins.redeem(ticket) : undefined;
    if (!token) return problem(c, 401, "no such login ticket (they work once, for a minute)");
    setLoginCookie(c, token);
    return c.body(null, 204);
  });

  app.post("/api/logout", sameOriginOnly, smallBody, (c) => {
    options.logins.revoke(getCookie(c, options.cookie()));
    deleteCookie(c, options.cookie(), { path: "/", secure: options.secure });
    return c.body(null, 204);
  });

  app.get(
    "/ws",
    sameOriginOnly,
    async (c, next) => {
      if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
        return problem(c, 426, "this is the session's WebSocket: open / in a browser");
      }
      await next();
    },
    options.upgradeWebSocket((c) => options.socket(options.remote(c), loginOf(c))),
  );

  // The printed URL's token buys a login cookie, then the page loads without the token in its
  // address (nor in the history); a wrong token is refused, never guessed at length.
  app.get("/", async (c, next) => {
    const given = c.req.query("token");
    if (given === undefined) return await next();
    if (options.loginToken === undefined || !sameSecret(given, options.loginToken)) {
      return problem(c, 401, "wrong or outdated token: open the address the server printed");
    }
    const { token, ticket } = options.logins.begin();
    options.logins.redeem(ticket);
    setLoginCookie(c, token);
    return c.redirect("/", 303);
  });

  for (const [path, asset] of Object.entries(ASSETS)) {
    app.get(path, (c) => c.body(asset.body, 200, { "Content-Type": asset.type }));
  }
  app.get("/index.html", (c) => c.redirect("/"));
  app.notFound((c) => problem(c, 404, "not found"));
  return app;
}
