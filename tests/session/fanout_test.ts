/** Fan-out: a broadcast event is encoded once and every peer is written the very same bytes. */
import assert from "node:assert/strict";
import { openClient } from "../../src/client/connection.ts";
import { encodeFrame, SharedFrame } from "../../src/protocol/frame.ts";
import type { SessionEvent } from "../../src/protocol/messages.ts";
import { servePeer } from "../../src/session/peer.ts";
import { Session } from "../../src/session/session.ts";
import { memoryPair } from "../../src/transport/memory.ts";
import { createFakeEngine } from "./fake_engine.ts";

const V11 = { protocol: "1.1", release: "0.1.0" };
const V12 = { protocol: "1.2", release: "0.1.0" };

/** A session and `versions.length` peers whose server side records every chunk written to it. */
async function room(versions: (typeof V11)[]) {
  const session = new Session({
    name: "srv",
    host: "lab1",
    makeEngine: (l) => createFakeEngine(l),
  });
  const peers = [];
  for (const [i, version] of versions.entries()) {
    const [server, client] = memoryPair("mem:server", `mem:p${i}`);
    const written: Uint8Array[] = [];
    const write = server.write.bind(server);
    server.write = (chunk: Uint8Array) => {
      written.push(chunk);
      write(chunk);
    };
    servePeer(session, server, { version: V12, helloTimeoutMs: 1000, stallMs: 0 });
    const events: SessionEvent[] = [];
    let wake = () => {};
    const conn = await openClient(client, {
      who: { user: `p${i}`, host: "h", tool: "test" },
      version,
      onEvent: (e) => {
        events.push(e);
        wake();
      },
    });
    const until = (pred: (e: SessionEvent) => boolean) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`p${i}: no such event`)), 5000);
        const check = () => {
          if (!events.some(pred)) return;
          clearTimeout(timer);
          wake = () => {};
          resolve();
        };
        wake = check;
        check();
      });
    peers.push({ conn, written, events, until });
  }
  return { session, peers };
}

Deno.test("fan-out: N peers are written the same bytes from one encode of each event", async () => {
  const { session, peers } = await room([V12, V12, V12, V12, V12]);
  for (const p of peers) p.written.length = 0; // the welcomes and join notices differ
  peers[0].conn.command("print 42");
  for (const p of peers) await p.until((e) => e.t === "done");
  const first = peers[0].written;
  assert.ok(first.length >= 3, "echo, out and done were written");
  for (const p of peers.slice(1)) {
    assert.equal(p.written.length, first.length);
    // The same object: encoded once, not N equal encodings.
    for (const [i, chunk] of p.written.entries()) assert.equal(chunk, first[i]);
  }
  // And those bytes are the events as a fresh encode would make them.
  const echo = peers[1].events.find((e) => e.t === "echo")!;
  assert.deepEqual(first[0], encodeFrame(echo));
  await session.end("test over");
});

Deno.test("fan-out: `selected` goes only to 1.2 peers, who share its bytes; 1.1 peers miss only it", async () => {
  const { session, peers } = await room([V12, V11, V12]);
  peers[0].conn.command("run");
  for (const p of peers) await p.until((e) => e.t === "done" && e.seq === 1);
  for (const p of peers) p.written.length = 0;
  peers[0].conn.command("up");
  for (const p of peers) await p.until((e) => e.t === "done" && e.seq === 2);
  const [a, old, c] = peers;
  assert.equal(a.written.length, c.written.length);
  for (const [i, chunk] of a.written.entries()) assert.equal(chunk, c.written[i]);
  assert.ok(a.events.some((e) => e.t === "selected"));
  assert.ok(!old.events.some((e) => e.t === "selected"));
  assert.equal(old.written.length, a.written.length - 1, "all but the selected frame");
  for (const chunk of old.written) assert.ok(a.written.includes(chunk), "shared with the others");
  await session.end("test over");
});

Deno.test("SharedFrame: encodes once when first asked, the bytes encodeFrame makes", () => {
  const message = { t: "out", seq: 1, stream: "console", text: "hi\n" };
  const frame = new SharedFrame(message);
  assert.equal(frame.bytes, frame.bytes);
  assert.deepEqual(frame.bytes, encodeFrame(message));
  assert.equal(frame.bodySize, frame.bytes.length - 4);
  assert.throws(() => new SharedFrame({ t: "out", text: "x".repeat(100) }, 50).bytes, {
    code: "E_FRAME_TOO_LARGE",
  });
});
