/**
 * End-to-end on the compiled binary with a real browser (Debian's chromium,
 * driven by playwright-core): one gdb server, a console client and browser
 * pages in one session. Screenshots go to test-output/.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import tls from "node:tls";
import { type Browser, chromium, type Page } from "playwright-core";
import { createSelfSigned } from "../../src/cert.ts";
import { parseConnStr } from "../../src/connstr.ts";
import { markerLine } from "../engine/contract.ts";
import { serve, type TestScratch, withScratch } from "./harness.ts";

const CHROMIUM = "/usr/bin/chromium";
const OUT = path.resolve(import.meta.dirname!, "../../test-output");
const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(`web e2e: ${CHROMIUM} is missing: browser tests skipped (apt-get install chromium)`);
}
/** Observers come from another branch of work: the observer test runs once `observe` exists. */
const haveObservers = (() => {
  try {
    parseConnStr("http:port=1,observe", "listen");
    return true;
  } catch {
    return false;
  }
})();

async function launch(): Promise<Browser> {
  return await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
    timeout: 30_000,
  });
}

/** A fresh browser profile (its own cookies) with one page; page errors fail loudly. */
async function newPage(
  browser: Browser,
  options: { ignoreHTTPSErrors?: boolean } = {},
): Promise<Page & { errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 760 }, ...options });
  const page = await context.newPage() as Page & { errors: string[] };
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && page.errors.push(m.text()));
  page.setDefaultTimeout(15_000);
  return page;
}

async function login(page: Page, url: string, name: string, password?: string) {
  await page.goto(url);
  await page.fill("#name", name);
  if (password !== undefined) await page.fill("#password", password);
  await page.click("#join");
}

const transcript = (page: Page) => page.locator("#transcript");

/** A server named lab (the sample program, looping; LAB_PW set) and its page's URL. */
async function server(tmp: TestScratch, endpoints: string[]) {
  const session = await serve(tmp, {
    endpoints,
    name: "lab",
    args: ["loop"],
    serverEnv: { LAB_PW: "s3cret pass" },
  });
  const s = session.server;
  const url = (await s.waitFor(/listening on https?:\S*: open (https?:\/\/\S+) in a browser/))[1];
  return { s, url };
}

Deno.test({
  name: "e2e web: a console client and two pages share one session; the panel follows the stops",
  ignore: !haveChromium,
  async fn() {
    fs.mkdirSync(OUT, { recursive: true });
    await using tmp = withScratch();
    const { s, url } = await server(tmp, [
      "http:port=0,server=127.0.0.1,password_env=LAB_PW",
      "tcp:port=0,server=127.0.0.1,password_env=LAB_PW",
    ]);
    const tcp = (await s.waitFor(/listening on tcp:\S*: dbgremote client (\S+)/))[1];
    const browser = await launch();
    try {
      // A wrong password is refused, and the page shows nothing of the session.
      const eve = await newPage(browser);
      await login(eve, url, "eve", "not the password");
      await eve.locator("#login-error").getByText("wrong password").waitFor();
      assert.equal(await eve.locator("#session").isVisible(), false);
      assert.equal(await eve.inputValue("#name"), "eve", "what was typed stays");
      await eve.locator("#login-error").getByText("check the session password").waitFor();
      await eve.screenshot({ path: path.join(OUT, "web-login-refused.png") });
      await s.waitFor(/wrong password from eve@browser at http:127\.0\.0\.1:/, {
        stream: "stderr",
      });

      const alice = await newPage(browser);
      await login(alice, url, "alice", "s3cret pass");
      await transcript(alice).getByText("*** connected to lab").waitFor();
      // What loading the page costs, for the record (timing is measured, never asserted).
      const load = await alice.evaluate(() => {
        const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
        const js = performance.getEntriesByType("resource").find((r) =>
          r.name.endsWith("/app.js")
        )!;
        return {
          loadMs: Math.round(nav.loadEventEnd - nav.startTime),
          appJsBytes: (js as PerformanceResourceTiming).decodedBodySize,
        };
      });
      console.log(`web e2e: page loaded in ${load.loadMs} ms; /app.js is ${load.appJsBytes} bytes`);
      assert.ok(load.appJsBytes > 0);
      const bob = await newPage(browser);
      await login(bob, url, "bob", "s3cret pass");
      await transcript(bob).getByText("*** connected to lab").waitFor();
      await transcript(alice).getByText(/bob@browser joined \(http:127\.0\.0\.1:\d+\)/).waitFor();

      const carol = tmp.spawn("carol", ["client", "--user", "carol", tcp], {
        LAB_PW: "s3cret pass",
      });
      await carol.waitFor("*** connected to lab");
      await alice.locator("#clients").getByText("carol@").waitFor();

      // A command typed in a page reaches the console client with the page's identity...
      await alice.fill("#cmd", "break add");
      await alice.press("#cmd", "Enter");
      await carol.waitFor(/alice@browser> break add\nBreakpoint 1 at/);
      await transcript(bob).getByText("alice@browser> break add").waitFor();
      // ...and the console client's commands reach the pages with its identity.
      carol.send("run");
      await transcript(alice).getByText(/carol@\S+> run/).waitFor();

      // The panel: where it stopped, the source there, the stack; refreshed on each stop.
      for (const p of [alice, bob]) {
        await p.locator("#state").getByText(/stopped at demo\.c:\d+/).waitFor();
        await p.locator("#stack li").first().getByText("#0  add (a=42, b=8) at demo.c:").waitFor();
        await p.locator("#stack li").nth(1).getByText(/#1 {2}main \(argc=2, .*\) at demo\.c:\d+/)
          .waitFor();
        await p.locator("#source li.here").getByText("LINE:in-add").waitFor();
      }
      assert.match(await alice.locator("#location").innerText(), /demo\.c:\d+ in add$/);
      await alice.screenshot({ path: path.join(OUT, "web-session.png") });

      // The panel follows the selected frame: `up` from a page moves every page to main's line.
      const sample = fs.readFileSync(
        path.resolve(import.meta.dirname!, "../../samples/demo.c"),
        "utf8",
      );
      const callAdd = markerLine(sample, "call-add");
      await alice.fill("#cmd", "up");
      await alice.press("#cmd", "Enter");
      await carol.waitFor(/alice@browser> up\n#1 .* main \(/);
      for (const p of [alice, bob]) {
        await p.locator("#location").getByText(`demo.c:${callAdd} in main (frame #1)`).waitFor();
        await p.locator("#stack li.selected").getByText(/^#1 {2}main \(/).waitFor();
        assert.equal(await p.locator("#stack li.selected").count(), 1);
        await p.locator("#source li.here").getByText("LINE:call-add").waitFor();
      }
      await alice.screenshot({ path: path.join(OUT, "web-frame-up.png") });
      // A page opened now shows the selected frame too (the welcome says which).
      await bob.reload();
      await transcript(bob).getByText(/recent output \(\d+ events\)/).waitFor();
      await bob.locator("#stack li.selected").getByText(/^#1 {2}main \(/).waitFor();
      await bob.locator("#source li.here").getByText("LINE:call-add").waitFor();
      await alice.fill("#cmd", "down");
      await alice.press("#cmd", "Enter");
      await alice.locator("#stack li.selected").getByText(/^#0 {2}add \(/).waitFor();
      await alice.locator("#source li.here").getByText("LINE:in-add").waitFor();
      assert.match(await alice.locator("#location").innerText(), /demo\.c:\d+ in add$/);

      await bob.fill("#cmd", "finish");
      await bob.press("#cmd", "Enter");
      await carol.waitFor(/bob@browser> finish/);
      await alice.locator("#stack li").first().getByText(/#0 {2}main \(/).waitFor();
      assert.equal(await alice.locator("#stack li").count(), 1);

      // Ctrl+C from a page interrupts the running target, for everyone.
      await alice.fill("#cmd", "continue");
      await alice.press("#cmd", "Enter");
      await alice.locator("#state").getByText("running").waitFor();
      await carol.waitFor("demo: x is 50");
      await alice.press("#cmd", "Control+c");
      await carol.waitFor(/alice@browser interrupted the target/);
      await carol.waitFor(/-- stopped .*\(SIGINT\)/);
      // Stopped inside the C library's sleep: the stack shows how it got there.
      await alice.locator("#state").getByText(/^stopped/).waitFor();
      await alice.locator("#stack li").getByText(/ main \(argc=2, .*\) at demo\.c:\d+$/).waitFor();

      // History: up brings back the last command.
      await alice.press("#cmd", "ArrowUp");
      assert.equal(await alice.inputValue("#cmd"), "continue");
      await alice.fill("#cmd", "");

      // Leave: the session goes on for the others.
      await bob.click("#leave");
      await bob.locator("#ended-note").getByText("You left the session").waitFor();
      await carol.waitFor(/bob@browser left/);
      await alice.locator("#clients").getByText("bob@browser").waitFor({ state: "detached" });

      // A reload needs no password (the login cookie), and shows the recent output first.
      await alice.reload();
      await transcript(alice).getByText(/recent output \(\d+ events\)/).waitFor();
      await alice.locator("#stack li").first().getByText(/#0 /).waitFor();
      assert.equal(await alice.locator("#login").isVisible(), false);
      await carol.waitFor(/alice@browser joined .*\n(.|\n)*alice@browser joined/);

      assert.deepEqual([...eve.errors, ...alice.errors, ...bob.errors], []);
      carol.send("q");
      assert.equal((await s.wait()).code, 0);
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  name: "e2e web: cross-origin pages, foreign host names and passwordless exposure are refused",
  ignore: !haveChromium,
  async fn() {
    await using tmp = withScratch();
    // Secure by default: no password beyond loopback, no start.
    const open = tmp.startServer("/bin/true", { endpoint: "http:port=0" });
    assert.equal((await open.wait()).code, 1);
    assert.match(
      open.stderr,
      /E_INSECURE.*http:port=0 would let anyone who reaches every interface/,
    );

    const { url } = await server(tmp, ["http:port=0,server=127.0.0.1"]);
    const port = new URL(url).port;
    const origin = new URL(url).origin;
    // On loopback without a password the printed URL carries the session token: without it, a
    // page (another local user's) must log in, and has no password to give.
    assert.match(url, /\/\?token=[\w-]{43}$/);
    const status = await (await fetch(`${origin}/api/status`)).json();
    assert.deepEqual([status.login, status.signedIn], ["password", false]);
    // Another site's page may not open the session's WebSocket: the Origin says where it comes from.
    const foreign = await fetch(`${origin}/ws`, {
      headers: { origin: "http://evil.example", upgrade: "websocket", connection: "Upgrade" },
    });
    assert.equal(foreign.status, 403);
    await foreign.body?.cancel();
    const page = await fetch(url);
    assert.equal(page.headers.get("cache-control"), "no-store");
    assert.match(page.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
    await page.body?.cancel();

    const browser = await launch();
    try {
      // A page of another origin cannot reach in: the browser itself is refused the socket.
      const p = await newPage(browser);
      // The printed URL logs the page in: a name is all it asks, and the token leaves the address.
      await login(p, url, "me");
      await transcript(p).getByText("*** connected to lab").waitFor();
      assert.equal(p.url(), `${origin}/`);
      const refused = await p.evaluate((port) =>
        new Promise<string>((resolve) => {
          // localhost is another origin than 127.0.0.1, though the same server.
          const ws = new WebSocket(`ws://localhost:${port}/ws`);
          ws.onopen = () => resolve("open");
          ws.onerror = () => resolve("refused");
        }), port);
      assert.equal(refused, "refused");
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  name: "e2e web: https: a page logs in over TLS 1.3 with a Secure, HttpOnly, SameSite cookie",
  ignore: !haveChromium,
  async fn() {
    await using tmp = withScratch();
    const pair = await createSelfSigned({
      name: "lab",
      hosts: ["localhost", "127.0.0.1"],
      days: 1,
    });
    fs.writeFileSync(path.join(tmp.dir, "lab.crt"), pair.cert);
    fs.writeFileSync(path.join(tmp.dir, "lab.key"), pair.key, { mode: 0o600 });
    const keys = `certfile=${tmp.dir}/lab.crt,keyfile=${tmp.dir}/lab.key`;
    const { url } = await server(tmp, [
      `https:port=0,server=127.0.0.1,password_env=LAB_PW,${keys}`,
    ]);
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    const browser = await launch();
    try {
      // The lab's certificate is self-signed: this browser profile is told to accept it.
      const page = await newPage(browser, { ignoreHTTPSErrors: true });
      await login(page, url, "tess", "s3cret pass");
      await transcript(page).getByText("*** connected to lab").waitFor();
      await page.fill("#cmd", "print 6*7");
      await page.press("#cmd", "Enter");
      await transcript(page).getByText("$1 = 42").waitFor();
      await page.locator("#logout").waitFor();
      const port = new URL(url).port;
      const cookie = (await page.context().cookies()).find((c) =>
        c.name === `__Host-dbgremote-${port}`
      );
      assert.ok(cookie, "the login cookie");
      assert.equal(cookie.secure, true);
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, "Strict");
      assert.ok(!cookie.value.includes("s3cret"));
      assert.deepEqual(page.errors, []);
      // TLS 1.3 only, as ssl: endpoints.
      const outcome = await new Promise<string>((resolve) => {
        const old = tls.connect({
          host: "127.0.0.1",
          port: Number(port),
          maxVersion: "TLSv1.2",
          rejectUnauthorized: false,
        });
        old.once("secureConnect", () => resolve(`connected with ${old.getProtocol()}`));
        old.once("error", () => resolve("refused"));
      });
      assert.equal(outcome, "refused");
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  name: "e2e web: without WebCrypto (plain http from another machine) a page still logs in",
  ignore: !haveChromium,
  async fn() {
    await using tmp = withScratch();
    const { url } = await server(tmp, ["http:port=0,server=127.0.0.1,password_env=LAB_PW"]);
    const browser = await launch();
    try {
      const page = await newPage(browser);
      // What a browser gives a page on http://other-host/: no secure context, no crypto.subtle.
      // The page's bundle then derives the key and the proofs with @noble/hashes.
      await page.addInitScript(() => {
        Object.defineProperty(globalThis, "isSecureContext", { value: false });
        Object.defineProperty(globalThis.crypto, "subtle", { value: undefined });
      });
      const scripts: string[] = [];
      page.on("request", (r) => r.resourceType() === "script" && scripts.push(r.url()));
      await login(page, url, "nora", "s3cret pass");
      await transcript(page).getByText("*** connected to lab").waitFor();
      assert.equal(await page.evaluate(() => globalThis.crypto.subtle === undefined), true);
      // One script, the bundle, from the page's own origin.
      assert.deepEqual(scripts, [`${url}app.js`]);
      await page.fill("#cmd", "print 6*7");
      await page.press("#cmd", "Enter");
      await transcript(page).getByText("$1 = 42").waitFor();
      // A wrong password the same way is still told apart by its code.
      const eve = await newPage(browser);
      await eve.addInitScript(() => {
        Object.defineProperty(globalThis.crypto, "subtle", { value: undefined });
      });
      await login(eve, url, "eve", "guess");
      await eve.locator("#login-error").getByText("check the session password").waitFor();
      assert.deepEqual([...page.errors, ...eve.errors], []);
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  name: "e2e web: an observer page sees the session and has no command line",
  ignore: !haveChromium || !haveObservers,
  async fn() {
    await using tmp = withScratch();
    const { s, url } = await server(tmp, [
      "http:port=0,server=127.0.0.1,password_env=LAB_PW",
      "http:port=0,server=127.0.0.1,password_env=LAB_PW,observe",
    ]);
    const [, watch] = await s.waitFor(
      /open (http:\/\/\S+) in a browser \(everyone who joins here is an observer\)/,
    );
    const browser = await launch();
    try {
      const op = await newPage(browser);
      await login(op, url, "olga", "s3cret pass");
      await transcript(op).getByText("*** connected to lab").waitFor();
      const obs = await newPage(browser);
      await login(obs, watch, "oscar", "s3cret pass");
      await transcript(obs).getByText("*** connected to lab").waitFor();
      assert.equal(await obs.locator("#cmd").isVisible(), false);
      await obs.locator("#observer-note").waitFor();
      await transcript(op).getByText(/oscar@browser joined \(http:\S+\) as an observer/).waitFor();
      // On the operators' endpoint, "watch only" makes an observer too: the server agrees, never more.
      const quiet = await newPage(browser);
      await quiet.goto(url);
      await quiet.fill("#name", "quinn");
      await quiet.fill("#password", "s3cret pass");
      await quiet.check("#observe");
      await quiet.click("#join");
      await transcript(quiet).getByText("*** connected to lab").waitFor();
      assert.equal(await quiet.locator("#cmd").isVisible(), false);
      assert.equal(await op.locator("#cmd").isVisible(), true);

      await op.fill("#cmd", "break add");
      await op.press("#cmd", "Enter");
      await transcript(obs).getByText("olga@browser> break add").waitFor();
      await op.fill("#cmd", "run");
      await op.press("#cmd", "Enter");
      await obs.locator("#stack li").first().getByText("#0  add (a=42, b=8)").waitFor();
      await obs.locator("#clients").getByText("observer").first().waitFor();
      // Ctrl+C from an observer is refused to it alone.
      await obs.locator("#transcript").click();
      await obs.keyboard.press("Control+c");
      await transcript(obs).getByText(/observer/i).last().waitFor();
      await obs.screenshot({ path: path.join(OUT, "web-observer.png") });
      assert.deepEqual([...op.errors, ...obs.errors, ...quiet.errors], []);
    } finally {
      await browser.close();
    }
  },
});
