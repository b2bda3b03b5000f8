/**
 * The page's protocol client (src/web/page/protocol.ts) against scripted server frames: what it
 * refuses, what it skips, and how it says who refused (the page decides on codes, not words).
 */
import assert from "node:assert/strict";
import { encodeFrame, FrameDecoder, type Message } from "../../src/protocol/frame.ts";
import type { SessionEvent, Welcome } from "../../src/protocol/messages.ts";
import { createProver } from "../../src/web/page/crypto.ts";
import { createClient, InspectError, type Refusal } from "../../src/web/page/protocol.ts";
import { welcomeMessage } from "../support/samples.ts";

const welcome = welcomeMessage();

function scripted(password?: string) {
  const sent: Message[] = [];
  const decoder = new FrameDecoder();
  const seen = { welcome: [] as Welcome[], events: [] as SessionEvent[], refused: [] as Refusal[] };
  const client = createClient({
    who: { user: "ann", host: "browser", tool: "dbgremote-web" },
    version: { protocol: "1.2", release: "0.1.0" },
    password,
    prover: createProver(),
    send: (b) => sent.push(...decoder.push(b)),
    on: {
      welcome: (w) => seen.welcome.push(w),
      event: (e) => seen.events.push(e),
      refused: (r) => seen.refused.push(r),
      needPassword: () => seen.refused.push({ code: "-", message: "needs", fromServer: false }),
    },
  });
  const feed = (...ms: Message[]) =>
    client.receive(new Uint8Array(ms.flatMap((m) => [...encodeFrame(m)])));
  return { client, sent, seen, feed };
}

Deno.test("the page joins, gets events, and skips a newer server's event types", async () => {
  const p = scripted();
  p.client.start();
  assert.equal(p.sent[0].t, "hello");
  await p.feed(
    welcome,
    { t: "future-event", x: 1 },
    { t: "out", seq: null, stream: "target", text: "hi\n" },
  );
  assert.equal(p.seen.welcome.length, 1);
  assert.deepEqual(p.seen.events.map((e) => e.t), ["out"]);
  assert.deepEqual(p.seen.refused, []);
  assert.ok(p.client.joined);
});

Deno.test("a malformed message is refused by the page itself, not blamed on the server", async () => {
  const p = scripted();
  p.client.start();
  await p.feed(welcome, { t: "echo", from: "x", text: "bt" });
  assert.equal(p.seen.refused.length, 1);
  assert.equal(p.seen.refused[0].code, "E_PROTOCOL");
  assert.equal(p.seen.refused[0].fromServer, false);
  assert.deepEqual(p.seen.events, []);
});

Deno.test("the server's error keeps its code and says it came from the server", async () => {
  const p = scripted("pw");
  p.client.start();
  await p.feed({ t: "error", code: "E_AUTH", message: "wrong password", hint: "h" });
  assert.deepEqual(p.seen.refused, [
    { code: "E_AUTH", message: "wrong password", hint: "h", fromServer: true },
  ]);
  assert.equal(p.client.joined, false);
});

Deno.test("a challenge asking for absurd key work is refused before any is done", async () => {
  const p = scripted("pw");
  p.client.start();
  await p.feed({ t: "challenge", nonce: "n", salt: "c2FsdA==", iterations: 10 });
  assert.equal(p.seen.refused[0]?.code, "E_AUTH");
  assert.equal(p.seen.refused[0]?.fromServer, false);
  assert.deepEqual(p.sent.map((m) => m.t), ["hello"], "no auth sent");
});

Deno.test("a server that cannot prove the password is refused after the page's proof", async () => {
  const p = scripted("pw");
  p.client.start();
  await p.feed({ t: "challenge", nonce: "n", salt: "c2FsdA==", iterations: 1000 });
  assert.deepEqual(p.sent.map((m) => m.t), ["hello", "auth"]);
  await p.feed({ ...welcome, proof: "AAAA" });
  assert.equal(p.seen.welcome.length, 0);
  assert.match(p.seen.refused[0]?.message ?? "", /could not prove/);
});

Deno.test("with a 1.4 server: act goes out, an inspect question gets its own answer", async () => {
  const p = scripted();
  p.client.start();
  await p.feed({ ...welcome, protocol: "1.4" });
  assert.ok(p.client.canInspect);
  const id = p.client.act({ do: "next" });
  assert.deepEqual(p.sent.at(-1), { t: "act", id, action: { do: "next" } });
  const first = p.client.inspect({ what: "scopes", frame: 0 });
  const second = p.client.inspect({ what: "evaluate", expression: "x" });
  const [q1, q2] = p.sent.slice(-2) as unknown as { id: number; query: unknown }[];
  assert.deepEqual(q1.query, { what: "scopes", frame: 0 });
  // Answers come back in any order, each to its own question; an error keeps its code.
  await p.feed(
    { t: "inspected", id: q2.id, ok: false, code: "E_EVAL", error: 'No symbol "x"' },
    { t: "inspected", id: q1.id, ok: true, answer: { what: "scopes", scopes: [] } },
  );
  assert.deepEqual(await first, { what: "scopes", scopes: [] });
  await assert.rejects(second, (e: InspectError) => e.code === "E_EVAL");
});

Deno.test("the breakpoints event reaches the page; a malformed one is bad data from the server", async () => {
  const seen: unknown[] = [];
  const c = createClient({
    who: { user: "ann", host: "browser", tool: "dbgremote-web" },
    version: { protocol: "1.4", release: "0.1.0" },
    prover: createProver(),
    send: () => {},
    on: {
      welcome: () => {},
      event: (e) => seen.push(e.t),
      refused: (r) => seen.push(r.code),
      needPassword: () => {},
      breakpoints: (list) => seen.push(list),
    },
  });
  const bp = { id: 1, file: "demo.c", line: 9, enabled: true, verified: true };
  await c.receive(
    new Uint8Array([
      ...encodeFrame({ ...welcome, protocol: "1.4" }),
      ...encodeFrame({ t: "breakpoints", breakpoints: [bp] }),
      ...encodeFrame({ t: "breakpoints", breakpoints: [{ id: "x" }] }),
    ]),
  );
  // Checked as every server message is (parse_server.ts): wrong fields end the connection.
  assert.deepEqual(seen, [[bp], "E_PROTOCOL"]);
});

Deno.test("an older server is asked nothing: inspect fails at once with a code, no bytes sent", async () => {
  const p = scripted();
  p.client.start();
  await p.feed(welcome);
  assert.equal(p.client.canInspect, false);
  const before = p.sent.length;
  await assert.rejects(
    p.client.inspect({ what: "scopes", frame: 0 }),
    (e: InspectError) => e.code === "E_NO_INSPECT",
  );
  assert.equal(p.sent.length, before);
});

Deno.test("questions still waiting fail when the page leaves", async () => {
  const p = scripted();
  p.client.start();
  await p.feed({ ...welcome, protocol: "1.4" });
  const q = p.client.inspect({ what: "variables", ref: 3 });
  p.client.leave();
  await assert.rejects(q, (e: InspectError) => e.code === "E_CLOSED");
});
