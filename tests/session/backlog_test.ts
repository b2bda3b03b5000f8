import assert from "node:assert/strict";
import { backlogWatch } from "../../src/session/backlog.ts";

const limits = { maxPending: 100, maxBacklog: 1000, stallMs: 100, sampleMs: 25 };

Deno.test("backlog: a peer that takes nothing is dropped after stallMs of samples over maxPending", () => {
  const w = backlogWatch(limits);
  assert.deepEqual(w.wrote(150, 150), { kind: "ok" }, "one turn's burst does not count yet");
  w.newTurn();
  assert.deepEqual(w.wrote(20, 170), { kind: "watch" });
  w.newTurn();
  for (let i = 1; i < 4; i++) assert.deepEqual(w.sample(170), { kind: "watch" }, `sample ${i}`);
  assert.deepEqual(w.sample(170), { kind: "drop", why: "not reading (170 bytes queued)" });
});

Deno.test("backlog: a peer that reads, however far behind, stays up to maxBacklog", () => {
  const w = backlogWatch(limits);
  let pending = 0;
  for (let i = 1; i <= 8; i++) {
    pending += 120;
    assert.notEqual(w.wrote(120, pending).kind, "drop", `write ${i}`);
    w.newTurn();
    for (let s = 0; s < 10; s++) {
      pending -= 1; // it takes a little every time: far behind, but reading
      assert.notEqual(w.sample(pending).kind, "drop", `write ${i}, sample ${s}`);
    }
  }
  assert.deepEqual(w.wrote(300, pending + 300), { kind: "watch" });
  w.newTurn();
  assert.deepEqual(w.sample(1200), { kind: "drop", why: "too far behind (1200 bytes queued)" });
});

Deno.test("backlog: without samples (a server too busy to send) no idle time is counted", () => {
  const w = backlogWatch(limits);
  w.wrote(500, 500);
  w.newTurn();
  // However long the server was busy between these writes, they are not samples.
  for (let i = 0; i < 100; i++) assert.equal(w.wrote(1, 501 + i).kind, "watch");
});

Deno.test("backlog: with stallMs 0, a write finding no progress since the last drops at once", () => {
  const w = backlogWatch({ ...limits, stallMs: 0 });
  w.wrote(150, 150);
  w.newTurn();
  assert.deepEqual(w.wrote(10, 160), { kind: "drop", why: "not reading (160 bytes queued)" });
});
