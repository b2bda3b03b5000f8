import assert from "node:assert/strict";
import { createOutbox } from "../../src/engine/gdb_stops.ts";

Deno.test("outbox: work runs at once, or in order behind what is held; the held stop goes first", async () => {
  const out = createOutbox();
  const seen: string[] = [];
  out.later(() => seen.push("now"));
  let release!: (v: string) => void;
  const gathered = new Promise<string>((r) => (release = r));
  out.hold(gathered, (v) => seen.push(`ready ${v}`), () => seen.push("stop"));
  assert.equal(out.holding, true);
  out.later(() => seen.push("after 1"));
  out.later(() => seen.push("after 2"));
  assert.deepEqual(seen, ["now"]);
  release("stack");
  await gathered;
  await Promise.resolve();
  assert.deepEqual(seen, ["now", "ready stack", "stop", "after 1", "after 2"]);
  assert.equal(out.holding, false);
});

Deno.test("outbox: release() lets everything out now; the hold's late answer then changes nothing", async () => {
  const out = createOutbox();
  const seen: string[] = [];
  let done!: () => void;
  const gathered = new Promise<void>((r) => (done = r));
  out.hold(gathered, () => seen.push("ready"), () => seen.push("stop"));
  out.later(() => seen.push("after"));
  out.release();
  assert.deepEqual(seen, ["stop", "after"]);
  done();
  await gathered;
  await Promise.resolve();
  assert.deepEqual(seen, ["stop", "after"]);
});
