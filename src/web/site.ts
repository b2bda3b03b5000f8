/**
 * The site an http endpoint serves (the {@link SiteFactory} the http transport is given): the web
 * app (app.ts) with this endpoint's browser logins (logins.ts). Here a page's login meets its
 * WebSocket: a page whose cookie holds a live login comes in without a password; a page that
 * proves the password gets a one-time ticket to trade for that cookie; a page whose login ends
 * is told why and closed.
 */
import type { PageLink, SiteContext, SiteFactory, SocketLogin } from "../transport/http/site.ts";
import { createWebApp } from "./app.ts";
import { pageControlText } from "./control.ts";
import { Logins } from "./logins.ts";

/**
 * Without a password, a page must be opened by an address, `localhost`, or this
 * machine's name exactly as it knows it: a web site that points a name of its
 * own at this machine (DNS rebinding) is refused before it reaches the session.
 */
export function hostChecker(names: string[]): (host: string) => boolean {
  const known = new Set(names.filter(Boolean).map((n) => n.toLowerCase()));
  return (header) => {
    const host = header.toLowerCase().replace(/:\d+$/, "");
    if (!host) return false;
    if (host.startsWith("[") && host.endsWith("]")) return true; // an IPv6 literal
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return true;
    if (host === "localhost" || host.endsWith(".localhost")) return true;
    return known.has(host);
  };
}

export const createSite: SiteFactory = (context: SiteContext) => {
  const logins = new Logins({ lifetimeMs: context.loginLifetimeMs });

  /** One page's socket and its login: `login` is the token of the cookie it came with, if live. */
  const socketLogin = (login: string | undefined): SocketLogin => {
    let page: PageLink | undefined;
    let detach = () => {};
    const kick = (reason: string) => page?.kick(reason, pageControlText({ t: "closing", reason }));
    return {
      preauthenticated: login !== undefined,
      opened(link) {
        page = link;
        if (login !== undefined) detach = logins.attach(login, kick);
      },
      authenticated: context.password
        ? () => {
          // The password was proven on this socket: a login for the page to keep.
          const { token, ticket } = logins.begin();
          detach = logins.attach(token, kick);
          page?.say(pageControlText({ t: "login", ticket }));
        }
        : undefined,
      closed: () => detach(),
    };
  };

  const app = createWebApp({
    upgradeWebSocket: context.upgradeWebSocket,
    remote: context.remote,
    secure: context.secure,
    password: context.password,
    loginToken: context.loginToken,
    logins,
    // The cookie names the port: browsers send cookies to every port of a host.
    cookie: () => `${context.secure ? "__Host-" : ""}dbgremote-${context.port()}`,
    hostAllowed: context.password ? () => true : hostChecker(context.hostNames),
    version: context.version,
    accepting: context.accepting,
    socket: (peer, login) => context.socket(peer, socketLogin(login)),
  });
  return { fetch: app.fetch, close: () => logins.close() };
};
