/**
 * The site an http endpoint serves (src/web/site.ts): a page's login meets its WebSocket. Driven
 * through the app's own routes with a stand-in WebSocket upgrade: no runtime, no sockets.
 */
import assert from "node:assert/strict";
import type { Context } from "hono";
import type { WSEvents } from "hono/ws";
import type { PageLink, SiteContext, SocketLogin } from "../../src/transport/http/site.ts";
import { parsePageControl } from "../../src/web/control.ts";
import { createSite } from "../../src/web/site.ts";

const ORIGIN = "http://127.0.0.1:8080";

function site(password: boolean) {
  const logins: SocketLogin[] = [];
  const context: SiteContext = {
    // A stand-in for the runtime's upgrade: asks for the socket's events, as it would on opening one.
    upgradeWebSocket: ((createEvents: (c: Context) => WSEvents) => (c: Context) => {
      createEvents(c);
      return c.text("upgraded", 200);
    }) as unknown as SiteContext["upgradeWebSocket"],
    remote: () => ({ address: "127.0.0.1", port: 4242 }),
    secure: false,
    password,
    hostNames: ["lab1"],
    port: () => 8080,
    version: { protocol: "1.3", release: "0.1.0" },
    accepting: () => true,
    socket(_peer, login) {
      logins.push(login);
      return {};
    },
  };
  const s = createSite(context);
  const request = (path: string, init: RequestInit & { cookie?: string } = {}) =>
    s.fetch(
      new Request(`${ORIGIN}${path}`, {
        ...init,
        headers: {
          host: "127.0.0.1:8080",
          origin: ORIGIN,
          ...(init.cookie ? { cookie: init.cookie } : {}),
          ...(path === "/ws" ? { upgrade: "websocket" } : {}),
        },
      }),
    );
  return { site: s, logins, request };
}

function fakePage() {
  const said: string[] = [];
  const kicked: { reason: string; farewell: string }[] = [];
  const link: PageLink = {
    say: (text) => void said.push(text),
    kick: (reason, farewell) => void kicked.push({ reason, farewell }),
  };
  return { link, said, kicked };
}

Deno.test("site: a proven password gives the page a ticket, the ticket a cookie, the cookie a way in", async () => {
  const s = site(true);
  await s.request("/ws");
  const first = s.logins[0];
  assert.equal(first.preauthenticated, false);
  const page = fakePage();
  first.opened(page.link);
  assert.ok(first.authenticated, "a password endpoint hears of the proven password");
  first.authenticated!();
  const control = parsePageControl(page.said[0]);
  assert.equal(control?.t, "login");

  const login = await s.request("/api/login", {
    method: "POST",
    body: JSON.stringify({ ticket: control?.t === "login" ? control.ticket : "" }),
  });
  assert.equal(login.status, 204);
  const cookie = login.headers.get("set-cookie")!.split(";")[0];
  assert.match(cookie, /^dbgremote-8080=/);

  // A reload comes in with the cookie: no password asked.
  await s.request("/ws", { cookie });
  assert.equal(s.logins[1].preauthenticated, true);
  const second = fakePage();
  s.logins[1].opened(second.link);

  // Logging out closes both pages, each told why.
  await s.request("/api/logout", { method: "POST", cookie });
  for (const p of [page, second]) {
    assert.equal(p.kicked.length, 1);
    assert.deepEqual(parsePageControl(p.kicked[0].farewell), {
      t: "closing",
      reason: p.kicked[0].reason,
    });
  }
  s.site.close();
});

Deno.test("site: a page that has closed is not kicked when its login ends", async () => {
  const s = site(true);
  await s.request("/ws");
  const page = fakePage();
  s.logins[0].opened(page.link);
  s.logins[0].authenticated!();
  const control = parsePageControl(page.said[0]);
  const login = await s.request("/api/login", {
    method: "POST",
    body: JSON.stringify({ ticket: control?.t === "login" ? control.ticket : "" }),
  });
  const cookie = login.headers.get("set-cookie")!.split(";")[0];
  s.logins[0].closed();
  await s.request("/api/logout", { method: "POST", cookie });
  assert.equal(page.kicked.length, 0);
  s.site.close();
});

Deno.test("site: without a password there is no login, and unknown host names are refused", async () => {
  const s = site(false);
  await s.request("/ws");
  assert.equal(s.logins[0].preauthenticated, false);
  assert.equal(s.logins[0].authenticated, undefined);
  const refused = await s.site.fetch(
    new Request("http://evil.example/", { headers: { host: "evil.example" } }),
  );
  assert.equal(refused.status, 421);
  const named = await s.site.fetch(new Request("http://lab1/", { headers: { host: "lab1:8080" } }));
  assert.notEqual(named.status, 421);
  s.site.close();
});
