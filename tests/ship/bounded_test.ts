import assert from "node:assert/strict";
import { inOrderBounded } from "../../src/ship/bounded.ts";

Deno.test("inOrderBounded: at most `limit` at once, results handed over in the items' order", async () => {
  // Item i finishes when the test lets it: in reverse order, to see the hand-over wait.
  const gates = Array.from({ length: 7 }, () => Promise.withResolvers<void>());
  let running = 0;
  let most = 0;
  const started: number[] = [];
  const handed: number[] = [];
  const all = inOrderBounded(
    [0, 1, 2, 3, 4, 5, 6],
    3,
    async (item) => {
      started.push(item);
      most = Math.max(most, ++running);
      await gates[item].promise;
      running--;
      return item * 10;
    },
    (result, item, index) => {
      assert.equal(result, item * 10);
      assert.equal(item, index);
      handed.push(item);
    },
  );
  const tick = () => new Promise((r) => setTimeout(r, 0));
  await tick();
  assert.deepEqual(started, [0, 1, 2]); // three lanes
  gates[2].resolve();
  gates[1].resolve();
  await tick();
  assert.deepEqual(handed, []); // 0 is not done: nothing may be shown before it
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
  gates[0].resolve();
  await tick();
  assert.deepEqual(handed, [0, 1, 2]);
  for (const i of [6, 5, 4, 3]) gates[i].resolve();
  assert.deepEqual(await all, [0, 10, 20, 30, 40, 50, 60]);
  assert.deepEqual(handed, [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(most, 3);
  assert.deepEqual(await inOrderBounded([], 4, () => Promise.resolve(1), () => {}), []);
});
