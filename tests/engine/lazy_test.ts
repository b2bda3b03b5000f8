/** An engine whose module loads on first use behaves as the engine it stands for. */
import assert from "node:assert/strict";
import type { EngineEvent, EngineFactory } from "../../src/engine/engine.ts";
import { lazyEngineFactory } from "../../src/engine/lazy.ts";
import { createFakeEngine, type FakeEngine } from "../session/fake_engine.ts";

function counted(): {
  load: () => Promise<EngineFactory>;
  loads: () => number;
  made: FakeEngine[];
} {
  let loads = 0;
  const made: FakeEngine[] = [];
  return {
    load: () => {
      loads++;
      return Promise.resolve((_spec, listener) => {
        const e = createFakeEngine(listener);
        made.push(e);
        return e;
      });
    },
    loads: () => loads,
    made,
  };
}

Deno.test("lazy engine: nothing loads until a factory call; then once, for every engine", async () => {
  const c = counted();
  const factory = lazyEngineFactory("fake", c.load);
  assert.equal(c.loads(), 0);
  const a = factory({ kind: "fake", program: "./app" }, () => {});
  const b = factory({ kind: "fake" }, () => {});
  await a.start();
  await b.start();
  assert.equal(c.loads(), 1);
  assert.equal(c.made.length, 2);
});

Deno.test("lazy engine: calls reach the real engine, state and description follow it", async () => {
  const c = counted();
  const events: EngineEvent[] = [];
  const engine = lazyEngineFactory("fake", c.load)(
    { kind: "fake", program: "./app" },
    (e) => events.push(e),
  );
  assert.equal(engine.kind, "fake");
  assert.equal(engine.state, "idle");
  assert.equal(engine.description, "fake debugging ./app");
  await engine.start();
  assert.equal(engine.description, "fake engine");
  const result = await engine.execute("print 1");
  assert.deepEqual(c.made[0].executed, ["print 1"]);
  assert.equal(result.ok, true);
  assert.equal(engine.state, c.made[0].state);
  await engine.stop();
});

Deno.test("lazy engine: a module that fails to load fails start(); stop() still succeeds", async () => {
  const engine = lazyEngineFactory("gdb", () => Promise.reject(new Error("no such module")))(
    { kind: "gdb" },
    () => {},
  );
  await assert.rejects(engine.start(), /no such module/);
  await engine.stop();
});

Deno.test("lazy engine: the real engine's inspector, once it is loaded", async () => {
  const inspector = {
    breakpoints: () => Promise.resolve([]),
    threads: () => Promise.resolve([]),
    stack: () => Promise.resolve([]),
    scopes: () => Promise.resolve([]),
    variables: () => Promise.resolve([]),
    evaluate: () => Promise.resolve({ value: "1", ref: 0 }),
  };
  const factory = lazyEngineFactory(
    "fake",
    () =>
      Promise.resolve((_spec, listener) =>
        Object.assign(createFakeEngine(listener), { inspector })
      ),
  );
  const e = factory({ kind: "fake" }, () => {});
  assert.equal(e.inspector, undefined, "none before the module is in");
  await e.start();
  assert.equal(e.inspector, inspector);
});
