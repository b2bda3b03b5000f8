import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import { concatBytes, MAX_HANDOFF, writeBatch } from "../../src/transport/write_batch.ts";

/** The end of this turn of the event loop (after its promise jobs). */
const turnEnds = () => new Promise<void>((r) => setImmediate(r));

Deno.test("write batch: the writes of one turn leave joined, once, in order", async () => {
  const sent: number[][] = [];
  const batch = writeBatch((bytes) => void sent.push([...bytes]));
  batch.push(Uint8Array.of(1, 2));
  batch.push(Uint8Array.of(3));
  assert.equal(batch.bytes, 3);
  assert.deepEqual(sent, []); // nothing leaves before the turn ends
  await turnEnds();
  assert.deepEqual(sent, [[1, 2, 3]]);
  assert.equal(batch.bytes, 0);
  batch.push(Uint8Array.of(4));
  await turnEnds();
  assert.deepEqual(sent, [[1, 2, 3], [4]]);
});

Deno.test("write batch: flush hands on at once; clear drops what is queued", async () => {
  const sent: number[][] = [];
  const batch = writeBatch((bytes) => void sent.push([...bytes]));
  batch.push(Uint8Array.of(1));
  batch.flush();
  assert.deepEqual(sent, [[1]]);
  batch.push(Uint8Array.of(2));
  batch.clear();
  assert.equal(batch.bytes, 0);
  await turnEnds();
  assert.deepEqual(sent, [[1]]); // the planned send finds nothing
});

Deno.test("concatBytes joins in order; one part is returned as it is", () => {
  const one = Uint8Array.of(9);
  assert.equal(concatBytes([one]), one);
  assert.deepEqual([...concatBytes([Uint8Array.of(1), Uint8Array.of(), Uint8Array.of(2, 3)])], [
    1,
    2,
    3,
  ]);
});

Deno.test("write batch: a full sink gets nothing more until drained, then a bounded handoff at a time", async () => {
  const sent: number[] = [];
  let room = 1;
  const batch = writeBatch((bytes) => {
    sent.push(bytes.length);
    return --room > 0;
  });
  batch.push(new Uint8Array(10));
  await turnEnds();
  assert.deepEqual(sent, [10], "the sink said it is full");
  for (let i = 0; i < 3; i++) batch.push(new Uint8Array(MAX_HANDOFF / 2));
  await turnEnds();
  assert.deepEqual(sent, [10], "nothing more while full");
  assert.equal(batch.bytes, MAX_HANDOFF * 1.5, "what waits is counted");
  room = 1;
  batch.drained();
  assert.deepEqual(sent, [10, MAX_HANDOFF], "at most MAX_HANDOFF at once");
  room = 5;
  batch.drained();
  assert.deepEqual(sent, [10, MAX_HANDOFF, MAX_HANDOFF / 2]);
  assert.equal(batch.bytes, 0);
  // Before an end, flush hands on everything, full or not.
  room = 0;
  batch.push(new Uint8Array(3));
  batch.push(new Uint8Array(4));
  batch.flush();
  assert.deepEqual(sent.at(-1), 7);
});

Deno.test("write batch: the turn's promise jobs run before it leaves (a command reaches the debugger before the echo is written)", async () => {
  const order: string[] = [];
  const batch = writeBatch(() => void order.push("written"));
  batch.push(Uint8Array.of(1)); // the echo
  // The command's way to the debugger: a few promise jobs later in the same turn.
  void Promise.resolve().then(() => Promise.resolve()).then(() => order.push("to the debugger"));
  await turnEnds();
  assert.deepEqual(order, ["to the debugger", "written"]);
});
