/**
 * The console's connection reads the server through parseServerMessage, as the page does: a
 * newer server's event is skipped, a malformed one ends the connection with a code.
 */
import assert from "node:assert/strict";
import { openClient } from "../../src/client/connection.ts";
import { DbgRemoteError } from "../../src/errors.ts";
import { encodeFrame, FrameDecoder, type Message } from "../../src/protocol/frame.ts";
import type { SessionEvent } from "../../src/protocol/messages.ts";
import { memoryPair } from "../../src/transport/memory.ts";
import { welcomeMessage } from "../support/samples.ts";
import { within } from "../support/within.ts";

const V = { protocol: "1.2", release: "0.1.0" };
const welcome = welcomeMessage();

/** A scripted server: answers the hello with `first`, then sends what the test says. */
function scriptedServer(first: Message) {
  const [client, server] = memoryPair();
  const decoder = new FrameDecoder();
  const send = (m: Message) => server.write(encodeFrame(m));
  server.start({
    data(chunk) {
      for (const m of decoder.push(chunk)) if (m.t === "hello") send(first);
    },
    close() {},
  });
  return { client, send };
}

Deno.test("the console skips a newer server's event types and keeps the rest", async () => {
  const s = scriptedServer(welcome);
  const events: SessionEvent[] = [];
  let ended!: () => void;
  const sawEnd = new Promise<void>((r) => (ended = r));
  const conn = await openClient(s.client, {
    who: { user: "u", host: "h", tool: "t" },
    version: V,
    onEvent: (e) => {
      events.push(e);
      if (e.t === "end") ended();
    },
  });
  s.send({ t: "future-event", x: 1 });
  s.send({ t: "out", seq: null, stream: "target", text: "hi\n" });
  s.send({ t: "end", reason: "over", cause: "quit" });
  await within(sawEnd, 10_000, () => `no end event; seen: ${JSON.stringify(events)}`);
  assert.deepEqual(events.map((e) => e.t), ["out", "end"]);
  conn.destroy();
  await conn.closed;
});

Deno.test("a malformed event ends the connection as a protocol error, not as a crash", async () => {
  const s = scriptedServer(welcome);
  const conn = await openClient(s.client, {
    who: { user: "u", host: "h", tool: "t" },
    version: V,
    onEvent: () => {},
  });
  s.send({ t: "echo", from: "x", text: "bt" });
  await within(
    conn.closed,
    10_000,
    () => `the connection never closed; seen: ${JSON.stringify(conn.ending())}`,
  );
  const end = conn.ending();
  assert.equal(end.kind, "dropped");
  assert.ok(end.kind === "dropped" && end.error instanceof DbgRemoteError);
  assert.equal(end.kind === "dropped" ? end.error?.code : "", "E_PROTOCOL");
});

Deno.test("a malformed welcome is a handshake error", async () => {
  const s = scriptedServer({ ...welcome, clients: "none" });
  await assert.rejects(
    openClient(s.client, {
      who: { user: "u", host: "h", tool: "t" },
      version: V,
      onEvent: () => {},
    }),
    (e: DbgRemoteError) => e.code === "E_HANDSHAKE" && /clients/.test(e.message),
  );
});
