/**
 * Pages log in the way native clients do: the page's own protocol module
 * (src/web/page/protocol.ts, bundled into /app.js) against a real server on an http: endpoint, over
 * real WebSockets, with the session cookie on top.
 */
import assert from "node:assert/strict";
import { parseConnStr } from "../../src/connstr.ts";
import { type RunningServer, startServer } from "../../src/server/server.ts";
import { createTransports } from "../../src/transport/transports.ts";
import { createProver } from "../../src/web/page/crypto.ts";
import { createClient, type Refusal } from "../../src/web/page/protocol.ts";
import { createWebRuntime } from "../../src/platform.ts";
import { createSite } from "../../src/web/site.ts";
import { openClient } from "../../src/client/connection.ts";
import type { SessionEvent, Welcome } from "../../src/protocol/messages.ts";
import { createFakeEngine } from "../session/fake_engine.ts";

const V = { protocol: "1.0", release: "0.1.0" };
const web = { runtime: await createWebRuntime(), site: createSite };
const transports = createTransports({ web });

async function lab(endpoint: string): Promise<RunningServer & { port: number; logs: string[] }> {
  const logs: string[] = [];
  const server = await startServer({
    name: "lab",
    host: "h",
    engine: { kind: "fake" },
    makeEngine: (_spec, listener) => createFakeEngine(listener),
    endpoints: [parseConnStr(endpoint, "listen")],
    transports,
    version: V,
    pid: 1,
    tid: 1,
    env: {},
    log: (l) => logs.push(l),
    authFailureDelayMs: 10,
  });
  const port = Number(/port=(\d+)/.exec(server.endpoints[0].address)![1]);
  return Object.assign(server, { port, logs });
}

interface Page {
  events: SessionEvent[];
  controls: Record<string, string>[];
  welcome: Promise<Welcome>;
  closed: Promise<CloseEvent>;
  client: ReturnType<typeof createClient>;
  socket: WebSocket;
  until(pred: (e: SessionEvent) => boolean): Promise<SessionEvent>;
}

/** A browser page, as far as the server can tell: same Origin, maybe a cookie, the page's protocol.ts. */
function page(
  port: number,
  o: { name: string; password?: string; cookie?: string; observe?: boolean; useSubtle?: boolean },
): Page {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, {
    headers: {
      origin: `http://127.0.0.1:${port}`,
      ...(o.cookie ? { cookie: o.cookie } : {}),
    },
  } as unknown as string[]);
  socket.binaryType = "arraybuffer";
  const events: SessionEvent[] = [];
  const controls: Record<string, string>[] = [];
  let welcomed!: (w: Welcome) => void;
  let failed!: (e: Error) => void;
  const welcome = new Promise<Welcome>((res, rej) => {
    welcomed = res;
    failed = rej;
  });
  welcome.catch(() => {});
  const client = createClient({
    who: { user: o.name, host: "browser", tool: "dbgremote-web" },
    version: V,
    password: o.password,
    observe: o.observe,
    prover: createProver({ useSubtle: o.useSubtle }),
    send: (b) => socket.send(new Uint8Array(b)),
    on: {
      welcome: welcomed,
      event: (e: SessionEvent) => events.push(e),
      refused: (e: Refusal) =>
        failed(Object.assign(new Error(e.message), { code: e.code, fromServer: e.fromServer })),
      needPassword: () => failed(new Error("needs the password")),
    },
  });
  socket.onopen = () => client.start();
  socket.onmessage = (m) => {
    if (typeof m.data === "string") controls.push(JSON.parse(m.data));
    else client.receive(new Uint8Array(m.data));
  };
  const closed = new Promise<CloseEvent>((r) => socket.addEventListener("close", r));
  return {
    events,
    controls,
    welcome,
    closed,
    client,
    socket,
    async until(pred) {
      for (let i = 0; i < 400; i++) {
        const e = events.find(pred);
        if (e) return e;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`not seen; events: ${JSON.stringify(events)}`);
    },
  };
}

async function waitFor<T>(f: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Trade the ticket for the cookie, as the page does. */
async function keep(port: number, ticket: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/api/login`, {
    method: "POST",
    headers: { origin: `http://127.0.0.1:${port}`, "content-type": "application/json" },
    body: JSON.stringify({ ticket }),
  });
  await res.body?.cancel();
  assert.equal(res.status, 204);
  return res.headers.get("set-cookie")!.split(";")[0];
}

Deno.test("a page proves the password, keeps a login cookie, and a reload needs no password", async () => {
  const s = await lab("http:port=0,server=127.0.0.1,password=hunter2");
  try {
    const ann = page(s.port, { name: "ann", password: "hunter2" });
    const w = await ann.welcome;
    assert.equal(typeof w.proof, "string", "the server proved itself to the page");
    const ticket = await waitFor(
      () => ann.controls.find((c) => c.t === "login")?.ticket,
      "a ticket",
    );
    const cookie = await keep(s.port, ticket);
    assert.match(cookie, new RegExp(`^dbgremote-${s.port}=`));
    assert.ok(!cookie.includes("hunter2"));

    // The same browser opens a second page: the cookie vouches, no challenge, no password.
    const again = page(s.port, { name: "ann", cookie });
    const w2 = await again.welcome;
    assert.equal(w2.proof, undefined);
    again.client.command("print 7");
    await ann.until((e) => e.t === "echo" && e.from === "ann@browser" && e.text === "print 7");
    await ann.until((e) => e.t === "out" && e.text === "$1 = 7\n");

    // A native client on the same endpoint sees the page's command with its identity.
    const native = await openClient(
      await transports.http.connect(parseConnStr(s.endpoints[0].address, "connect")),
      {
        who: { user: "nat", host: "h", tool: "t" },
        version: V,
        password: "hunter2",
        onEvent: () => {},
      },
    );
    const seen: SessionEvent[] = [];
    const native2 = await openClient(
      await transports.http.connect(parseConnStr(s.endpoints[0].address, "connect")),
      {
        who: { user: "nat2", host: "h", tool: "t" },
        version: V,
        password: "hunter2",
        onEvent: (e) => seen.push(e),
      },
    );
    ann.client.command("print 8");
    await waitFor(() => seen.find((e) => e.t === "echo" && e.from === "ann@browser"), "echo");
    native.leave();
    native2.leave();
    ann.socket.close();
    again.socket.close();
    await Promise.all([ann.closed, again.closed]);
  } finally {
    await s.shutdown("test over");
  }
});

Deno.test("without WebCrypto (plain http from afar) a page logs in with @noble/hashes", async () => {
  const s = await lab("http:port=0,server=127.0.0.1,password=hunter2");
  try {
    const ann = page(s.port, { name: "ann", password: "hunter2", useSubtle: false });
    const w = await ann.welcome;
    // The server accepted the page's proof, and the page checked the server's.
    assert.equal(typeof w.proof, "string");
    assert.ok(s.logs.every((l) => !/wrong password/.test(l)), s.logs.join("\n"));
    const eve = page(s.port, { name: "eve", password: "hunter3", useSubtle: false });
    await assert.rejects(eve.welcome, (e: Error & { code?: string }) => e.code === "E_AUTH");
    ann.socket.close();
    await Promise.all([ann.closed, eve.closed]);
  } finally {
    await s.shutdown("test over");
  }
});

Deno.test("a wrong password is refused, and the page sees nothing of the session", async () => {
  const s = await lab("http:port=0,server=127.0.0.1,password=hunter2");
  try {
    const eve = page(s.port, { name: "eve", password: "guess" });
    // The page decides on the wire's code, never on the message's words.
    await assert.rejects(
      eve.welcome,
      (e: Error & { code?: string; fromServer?: boolean }) =>
        e.code === "E_AUTH" && e.fromServer === true,
    );
    await eve.closed;
    assert.deepEqual(eve.events, []);
    assert.deepEqual(eve.controls, [], "no login ticket for a wrong password");
    assert.ok(s.logs.some((l) => /wrong password from eve@browser at http:127\.0\.0\.1:/.test(l)));
    // No password at all: the page is told to ask for it.
    const bare = page(s.port, { name: "bob" });
    await assert.rejects(bare.welcome, /needs the password/);
    bare.socket.close();
    await bare.closed;
  } finally {
    await s.shutdown("test over");
  }
});

Deno.test("no command is accepted from a page that has not logged in", async () => {
  const s = await lab("http:port=0,server=127.0.0.1,password=hunter2");
  try {
    const ann = page(s.port, { name: "ann", password: "hunter2" });
    await ann.welcome;
    const mallory = page(s.port, { name: "mallory" });
    await assert.rejects(mallory.welcome, /needs the password/);
    // Straight to a command, skipping the challenge: the server closes the socket.
    mallory.client.command("print 666");
    await mallory.closed;
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(!ann.events.some((e) => e.t === "echo" && e.text === "print 666"));
    ann.socket.close();
    await ann.closed;
  } finally {
    await s.shutdown("test over");
  }
});

Deno.test("a login ends at its lifetime: pages on it are closed and told why", async () => {
  const s = await lab("http:port=0,server=127.0.0.1,password=hunter2,expire=1s");
  try {
    const ann = page(s.port, { name: "ann", password: "hunter2" });
    await ann.welcome;
    const bob = page(s.port, { name: "bob", password: "hunter2" });
    await bob.welcome;
    const closed = await ann.closed;
    assert.equal(closed.code, 4001);
    assert.match(closed.reason, /expired/);
    assert.ok(ann.controls.some((c) => c.t === "closing" && /expired/.test(c.reason)));
    await bob.closed;
  } finally {
    await s.shutdown("test over");
  }
});

Deno.test("logging out closes the pages of that login", async () => {
  const s = await lab("http:port=0,server=127.0.0.1,password=hunter2");
  try {
    const ann = page(s.port, { name: "ann", password: "hunter2" });
    await ann.welcome;
    const ticket = await waitFor(() => ann.controls.find((c) => c.t === "login")?.ticket, "ticket");
    const cookie = await keep(s.port, ticket);
    const res = await fetch(`http://127.0.0.1:${s.port}/api/logout`, {
      method: "POST",
      headers: { origin: `http://127.0.0.1:${s.port}`, cookie },
    });
    await res.body?.cancel();
    assert.equal((await ann.closed).code, 4001);
    // The cookie no longer vouches: a new page is challenged.
    const again = page(s.port, { name: "ann", cookie });
    await assert.rejects(again.welcome, /needs the password/);
    again.socket.close();
    await again.closed;
  } finally {
    await s.shutdown("test over");
  }
});

Deno.test("an observer's page that sends commands anyway is refused by the server", async () => {
  const s = await lab("http:port=0,server=127.0.0.1,password=hunter2");
  try {
    const ann = page(s.port, { name: "ann", password: "hunter2" });
    await ann.welcome;
    const obs = page(s.port, { name: "obs", password: "hunter2", observe: true });
    assert.equal((await obs.welcome).role, "observer");
    // The page hides its command line; a hostile one sends them all the same.
    obs.client.command("print 666");
    obs.client.interrupt();
    obs.client.command(".echo hi");
    await ann.until((e) => e.t === "echo" && e.text === ".echo hi");
    const refused = await obs.until((e) => e.t === "done" && e.refused === true);
    assert.match(String((refused as { error?: string }).error), /you are an observer/);
    await obs.until((e) => e.t === "notice" && /interrupt/.test(e.text));
    assert.ok(!ann.events.some((e) => e.t === "echo" && e.text === "print 666"));
    assert.ok(!ann.events.some((e) => e.t === "notice" && /interrupted/.test(e.text)));
    ann.socket.close();
    obs.socket.close();
    await Promise.all([ann.closed, obs.closed]);
  } finally {
    await s.shutdown("test over");
  }
});
