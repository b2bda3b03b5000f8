/**
 * The room: 1,000 raw-protocol observers on the compiled server all get every event of a short
 * session, in the same order as the operator who drives it. No timing is asserted here (the
 * bench measures join time, memory and latency); this is about nothing being lost or reordered
 * when the room is full, with observers' joins summarised (src/session/presence.ts).
 */
import assert from "node:assert/strict";
import type { Message } from "../../src/protocol/frame.ts";
import { parseConnStr } from "../../src/connstr.ts";
import { createNpipeTransport } from "../../src/transport/npipe.ts";
import { frame, helloMessage } from "../support/hostile_inputs.ts";
import { endpointAddress, within, withServer } from "./harness.ts";
import { Peer, pool } from "./hostile_peers.ts";

const OBSERVERS = 1000;

Deno.test({
  name: "e2e: 1,000 observers all get every event of a short session, in order",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  await using s = await withServer({ endpoint: "npipe:pipe=room-%d" });
  const address = await endpointAddress(s.server, "npipe");
  const npipe = createNpipeTransport({ dir: s.env.DBGREMOTE_PIPE_DIR });
  const dial = async (user: string, observe: boolean) => {
    const peer = new Peer(await npipe.connect(parseConnStr(address, "connect")));
    // A private pipe asks no password: hello, then the welcome.
    peer.channel.write(frame(helloMessage(user, observe)));
    const [welcome] = await peer.waitFrames(
      (m) => m.t === "welcome" || m.t === "error",
      1,
      0,
      60_000,
    );
    assert.equal(welcome.t, "welcome", JSON.stringify(welcome));
    return peer;
  };
  const operator = await dial("alice", false);
  const observers: Peer[] = [];
  await within(
    pool(Array.from({ length: OBSERVERS }, (_, i) => i), 50, async (i) => {
      observers.push(await dial(`o${i}`, true));
    }),
    180_000,
    () => `${observers.length} of ${OBSERVERS} observers joined`,
  );
  let id = 0;
  const run = async (text: string) => {
    const mine = ++id;
    operator.send({ t: "cmd", id: mine, text });
    await operator.waitFrames((m) => m.t === "done" && m.id === mine, 1, 0, 60_000);
  };
  // Everyone is in: the session from here on is what each of them must see, whole and in order.
  await run(".echo the room is full");
  await run("break main");
  await run("run");
  await run("next");
  await run("print 6*7");
  operator.send({ t: "cmd", id: ++id, text: "q" });
  const ended = (m: Message) => m.t === "end";
  await operator.waitFrames(ended, 1, 0, 60_000);
  const from = (frames: Message[]) => {
    const start = frames.findIndex((m) => m.t === "echo" && m.text === ".echo the room is full");
    return frames.slice(start, frames.findIndex(ended) + 1);
  };
  const expected = from(operator.frames);
  assert.ok(expected.some((m) => m.t === "state" && m.state === "stopped"), "the target stopped");
  assert.ok(expected.some((m) => m.t === "out" && /\$1 = 42/.test(String(m.text))));
  assert.equal(expected.at(-1)?.t, "end");
  await within(
    Promise.all(observers.map((o) => o.waitFrames(ended, 1, 0, 120_000))),
    150_000,
    () => `${observers.filter((o) => o.frames.some(ended)).length} observers saw the end`,
  );
  for (const [i, o] of observers.entries()) {
    assert.deepEqual(from(o.frames), expected, `observer ${i} saw the session differently`);
  }
});
