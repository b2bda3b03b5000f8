/**
 * Work on items at most `limit` at a time, handing the results over in the
 * items' order: item i's result goes to `ready` as soon as it and every item
 * before it are done. Pure apart from what `work` and `ready` do.
 */
export async function inOrderBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
  ready: (result: R, item: T, index: number) => void,
): Promise<R[]> {
  const results: R[] = [];
  const done: boolean[] = items.map(() => false);
  let next = 0; // the next item to start
  let shown = 0; // the next item to hand over
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i], i);
      done[i] = true;
      while (shown < items.length && done[shown]) {
        ready(results[shown], items[shown], shown);
        shown++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return results;
}
