/** The web app through hono's app.request(): headers, origin and host checks, logins. No ports. */
import assert from "node:assert/strict";
import type { Context } from "hono";
import type { WSEvents } from "hono/ws";
import { createWebApp, CSP, sameOrigin, type WebAppOptions } from "../../src/web/app.ts";
import { Logins } from "../../src/web/logins.ts";
import { hostChecker } from "../../src/web/site.ts";

const HOST = "127.0.0.1:8081";
const ORIGIN = `http://${HOST}`;

function setup(
  o: { password?: boolean; secure?: boolean; names?: string[]; loginToken?: string } = {},
) {
  let now = 1_000_000;
  const logins = new Logins({ lifetimeMs: 3600_000, now: () => now });
  const sockets: { peer: { address: string; port: number }; login?: string }[] = [];
  let accepting = true;
  // A stand-in for the runtime's upgrade: asks for the socket's events, as it would on opening one.
  const upgradeWebSocket = ((createEvents: (c: Context) => WSEvents) => (c: Context) => {
    createEvents(c);
    return c.text("upgraded", 200);
  }) as unknown as WebAppOptions["upgradeWebSocket"];
  const app = createWebApp(
    {
      upgradeWebSocket,
      remote: () => ({ address: "10.0.0.5", port: 4242 }),
      secure: o.secure ?? false,
      password: o.password ?? true,
      loginToken: o.loginToken,
      logins,
      cookie: () => "dbgremote-8081",
      hostAllowed: o.password === false ? hostChecker(o.names ?? ["lab1"]) : () => true,
      version: { protocol: "1.0", release: "9.9.9" },
      accepting: () => accepting,
      socket(peer, login) {
        sockets.push({ peer, login });
        return {};
      },
    },
  );
  const get = (path: string, headers: Record<string, string> = {}) =>
    app.request(path, { headers: { host: HOST, ...headers } });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    app.request(path, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { host: HOST, origin: ORIGIN, "content-type": "application/json", ...headers },
    });
  const upgrade = (headers: Record<string, string> = {}) =>
    get("/ws", { upgrade: "websocket", origin: ORIGIN, ...headers });
  return {
    app,
    logins,
    sockets,
    get,
    post,
    upgrade,
    stop: () => (accepting = false),
    later: (ms: number) => (now += ms),
  };
}

const cookieOf = (res: Response) => res.headers.get("set-cookie") ?? "";
const tokenOf = (res: Response) => /dbgremote-8081=([^;]*)/.exec(cookieOf(res))?.[1] ?? "";

Deno.test("every response carries the security headers and is never cached", async () => {
  const s = setup();
  for (const path of ["/", "/app.js", "/app.css", "/api/status", "/nowhere"]) {
    const res = await s.get(path);
    await res.body?.cancel();
    assert.equal(res.headers.get("cache-control"), "no-store", path);
    assert.equal(res.headers.get("content-security-policy"), CSP, path);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
    assert.equal(res.headers.get("referrer-policy"), "no-referrer", path);
    assert.equal(res.headers.get("x-frame-options"), "DENY", path);
  }
  assert.doesNotMatch(CSP, /unsafe-inline|unsafe-eval|\*/);
  assert.match(CSP, /frame-ancestors 'none'/);
  assert.match(CSP, /script-src 'self'/);
});

Deno.test("the page and its modules are served with their types; the page has no inline script", async () => {
  const s = setup();
  const page = await s.get("/");
  assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
  const html = await page.text();
  assert.match(html, /<script type="module" src="\/app.js"><\/script>/);
  assert.doesNotMatch(html, /<script>|<script type="module">|style=|onclick=/i);
  const js = await s.get("/app.js");
  assert.match(js.headers.get("content-type") ?? "", /^text\/javascript/);
  assert.equal(js.headers.get("content-security-policy"), CSP);
  const bundle = await js.text();
  // One self-contained bundle (scripts are 'self' only): it loads nothing, evaluates no text.
  assert.doesNotMatch(bundle, /^\s*import\b|\bimport\s*\(|\beval\(|new Function\b/m);
  // Built from the shared TypeScript: the protocol's proof label, the console's stop wording.
  assert.match(bundle, /dbgremote-auth-v1/);
  assert.match(bundle, /-- stopped/);
  // The old hand-written copies are gone, not served beside the bundle.
  for (const old of ["/protocol.js", "/format.js", "/crypto.js", "/nowhere"]) {
    assert.equal((await s.get(old)).status, 404, old);
  }
});

Deno.test("status tells the page what it needs before joining, and nothing of the session", async () => {
  const s = setup();
  const status = await (await s.get("/api/status")).json();
  assert.deepEqual(status, {
    protocol: "1.0",
    release: "9.9.9",
    login: "password",
    signedIn: false,
  });
  const open = await (await setup({ password: false }).get("/api/status")).json();
  assert.equal(open.login, "none");
});

Deno.test("the WebSocket needs an Origin equal to the host", async () => {
  const s = setup();
  const none = await s.get("/ws", { upgrade: "websocket" });
  assert.equal(none.status, 403);
  assert.match((await none.json()).error, /cross-origin/);
  for (
    const origin of [
      "http://evil.example",
      "http://127.0.0.1:8082",
      "https://127.0.0.1:8081",
      "null",
      "http://127.0.0.1:8081.evil.example",
    ]
  ) {
    const res = await s.upgrade({ origin });
    assert.equal(res.status, 403, origin);
    await res.body?.cancel();
  }
  assert.equal(s.sockets.length, 0, "no socket was opened");
  const plain = await s.get("/ws", { origin: ORIGIN });
  assert.equal(plain.status, 426);
  await plain.body?.cancel();
  const ok = await s.upgrade();
  assert.equal(await ok.text(), "upgraded");
  assert.deepEqual(s.sockets, [{ peer: { address: "10.0.0.5", port: 4242 }, login: undefined }]);
});

Deno.test("sameOrigin compares scheme, host and port exactly", () => {
  assert.ok(sameOrigin("http://127.0.0.1:8081", "127.0.0.1:8081", false));
  assert.ok(sameOrigin("https://lab1:8443", "LAB1:8443", true));
  assert.ok(!sameOrigin("http://lab1:8443", "lab1:8443", true));
  assert.ok(!sameOrigin(undefined, "lab1:8443", false));
  assert.ok(!sameOrigin("not a url", "lab1:8443", false));
  // A default port may be named or not (dbgremote's own client names it, browsers do not).
  assert.ok(sameOrigin("http://lab1:80", "lab1:80", false));
  assert.ok(sameOrigin("http://lab1", "lab1:80", false));
  assert.ok(sameOrigin("https://lab1:443", "lab1:443", true));
  assert.ok(!sameOrigin("http://lab1", "lab1:8080", false));
  assert.ok(!sameOrigin("http://lab1", "lab1/x", false));
  assert.ok(!sameOrigin("http://lab1", "lab1@evil.example", false));
});

Deno.test("a login ticket becomes an HttpOnly, SameSite=Strict cookie, once", async () => {
  const s = setup();
  const { ticket, token } = s.logins.begin();
  assert.equal(
    (await s.post("/api/login", { ticket }, { origin: "http://evil.example" })).status,
    403,
  );
  const res = await s.post("/api/login", { ticket });
  assert.equal(res.status, 204);
  const cookie = cookieOf(res);
  assert.equal(tokenOf(res), token);
  assert.notEqual(token, ticket);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  assert.match(cookie, /Path=\//);
  assert.match(cookie, /Max-Age=3600/);
  assert.doesNotMatch(cookie, /Secure/);
  const again = await s.post("/api/login", { ticket });
  assert.equal(again.status, 401, "a ticket works once");
  assert.equal(cookieOf(again), "");
  assert.equal((await s.post("/api/login", { ticket: "made-up" })).status, 401);
  assert.equal((await s.post("/api/login", "garbage")).status, 401);
  // Nobody logged in may make the server read a large body.
  const big = await s.post("/api/login", { ticket, pad: "x".repeat(64 * 1024) });
  assert.equal(big.status, 413);
  await big.body?.cancel();

  // The cookie signs the page in, and its WebSocket comes vouched for.
  const withCookie = { cookie: `dbgremote-8081=${token}` };
  assert.equal((await (await s.get("/api/status", withCookie)).json()).signedIn, true);
  await (await s.upgrade(withCookie)).text();
  assert.equal(s.sockets.at(-1)?.login, token);
  // A made-up cookie vouches for nothing.
  await (await s.upgrade({ cookie: "dbgremote-8081=forged" })).text();
  assert.equal(s.sockets.at(-1)?.login, undefined);
});

Deno.test("https cookies are Secure", async () => {
  const s = setup({ secure: true });
  const { ticket } = s.logins.begin();
  const res = await s.post("/api/login", { ticket }, { origin: `https://${HOST}` });
  assert.equal(res.status, 204);
  assert.match(cookieOf(res), /Secure/);
});

Deno.test("logins expire, and logout ends one", async () => {
  const s = setup();
  const a = s.logins.begin().token;
  const b = s.logins.begin().token;
  const status = async (token: string) =>
    (await (await s.get("/api/status", { cookie: `dbgremote-8081=${token}` })).json()).signedIn;
  assert.equal(await status(a), true);
  const out = await s.post("/api/logout", {}, { cookie: `dbgremote-8081=${a}` });
  assert.equal(out.status, 204);
  assert.match(cookieOf(out), /Max-Age=0/);
  assert.equal(await status(a), false);
  assert.equal(await status(b), true);
  s.later(3600_000);
  assert.equal(await status(b), false, "past its lifetime");
  // Tickets too: a minute to trade them.
  const { ticket } = s.logins.begin();
  s.later(61_000);
  assert.equal((await s.post("/api/login", { ticket })).status, 401);
});

Deno.test("without a password, only the machine's own names and addresses are served (DNS rebinding)", async () => {
  const s = setup({ password: false, names: ["lab1"] });
  for (
    const host of [
      "127.0.0.1:8081",
      "[::1]:8081",
      "localhost:8081",
      "lab1:8081",
      "10.1.2.3",
    ]
  ) {
    const res = await s.get("/api/status", { host });
    assert.equal(res.status, 200, host);
    await res.body?.cancel();
  }
  for (
    const host of [
      "evil.example:8081",
      "lab1.evil.example:8081",
      "lab1:8081x",
      "attacker.lab1:8081",
      "",
    ]
  ) {
    const res = await s.get("/", { host });
    assert.equal(res.status, 421, host);
    assert.equal(res.headers.get("cache-control"), "no-store");
    await res.body?.cancel();
  }
  // With a password, any name may reach the login (the password guards the session).
  const guarded = await setup({ password: true }).get("/api/status", { host: "evil.example" });
  assert.equal(guarded.status, 200);
});

Deno.test("a closed endpoint refuses new pages and sockets", async () => {
  const s = setup();
  s.stop();
  for (const res of [await s.get("/"), await s.upgrade()]) {
    assert.equal(res.status, 503);
    await res.body?.cancel();
  }
  assert.equal(s.sockets.length, 0);
});

Deno.test("a loopback endpoint's printed URL logs the page in: its token buys the cookie, once typed nowhere", async () => {
  const s = setup({ loginToken: "T0KEN-of-the-session" });
  const res = await s.get("/?token=T0KEN-of-the-session");
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/", "the token leaves the address bar");
  assert.match(cookieOf(res), /HttpOnly/i);
  assert.match(cookieOf(res), /SameSite=Strict/i);
  const login = tokenOf(res);
  assert.ok(login.length > 20 && login !== "T0KEN-of-the-session", "a login, not the token");
  const status = await (await s.get("/api/status", { cookie: `dbgremote-8081=${login}` })).json();
  assert.equal(status.signedIn, true);
  await (await s.upgrade({ cookie: `dbgremote-8081=${login}` })).body?.cancel();
  assert.equal(s.sockets.at(-1)?.login, login, "the page's WebSocket is logged in");
  // A wrong token gets nothing, and a plain endpoint takes no token at all.
  const wrong = await s.get("/?token=T0KEN-of-the-sessioN");
  assert.equal(wrong.status, 401);
  assert.equal(cookieOf(wrong), "");
  const plain = setup();
  const none = await plain.get("/?token=anything");
  assert.equal(none.status, 401);
  assert.equal(cookieOf(none), "");
});
