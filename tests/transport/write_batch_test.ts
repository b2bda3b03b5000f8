import assert from "node:assert/strict";
import { concatBytes, writeBatch } from "../../src/transport/write_batch.ts";

Deno.test("write batch: the writes of one turn leave joined, once, in order", async () => {
  const sent: number[][] = [];
  const batch = writeBatch((bytes) => sent.push([...bytes]));
  batch.push(Uint8Array.of(1, 2));
  batch.push(Uint8Array.of(3));
  assert.equal(batch.bytes, 3);
  assert.deepEqual(sent, []); // nothing leaves before the turn ends
  await Promise.resolve();
  assert.deepEqual(sent, [[1, 2, 3]]);
  assert.equal(batch.bytes, 0);
  batch.push(Uint8Array.of(4));
  await Promise.resolve();
  assert.deepEqual(sent, [[1, 2, 3], [4]]);
});

Deno.test("write batch: flush hands on at once; clear drops what is queued", async () => {
  const sent: number[][] = [];
  const batch = writeBatch((bytes) => sent.push([...bytes]));
  batch.push(Uint8Array.of(1));
  batch.flush();
  assert.deepEqual(sent, [[1]]);
  batch.push(Uint8Array.of(2));
  batch.clear();
  assert.equal(batch.bytes, 0);
  await Promise.resolve();
  assert.deepEqual(sent, [[1]]); // the queued microtask finds nothing to send
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
