/** The toolbar's rules (src/web/page/toolbar.ts): what each button does, and when it may be pressed. */
import assert from "node:assert/strict";
import { toolAction, toolbarState, toolForKey } from "../../src/web/page/toolbar.ts";

const ctx = { joined: true, observer: false, canAct: true, state: "stopped" };

Deno.test("stopped: the steps may be pressed, interrupt may not", () => {
  const s = toolbarState(ctx);
  for (const t of ["continue", "next", "stepIn", "stepOut"] as const) assert.ok(s[t].enabled, t);
  assert.equal(s.interrupt.enabled, false);
  assert.equal(s.interrupt.title, "the target is not running");
  assert.match(s.next.title, /F10/);
});

Deno.test("running: only interrupt; not started: nothing; each disabled one says why", () => {
  const running = toolbarState({ ...ctx, state: "running" });
  assert.ok(running.interrupt.enabled);
  assert.equal(running.next.enabled, false);
  assert.match(running.next.title, /running: interrupt it first/);
  const idle = toolbarState({ ...ctx, state: "idle" });
  assert.ok(Object.values(idle).every((t) => !t.enabled));
  assert.match(idle.continue.title, /type run/);
});

Deno.test("observers see every button disabled, with the reason", () => {
  for (const state of ["stopped", "running"]) {
    const s = toolbarState({ ...ctx, observer: true, state });
    assert.ok(Object.values(s).every((t) => !t.enabled && /observing/.test(t.title)));
  }
});

Deno.test("an older server: no steps (it takes no act), interrupt still works", () => {
  const s = toolbarState({ ...ctx, canAct: false, state: "running" });
  assert.ok(s.interrupt.enabled);
  assert.equal(toolbarState({ ...ctx, canAct: false }).next.enabled, false);
  assert.match(toolbarState({ ...ctx, canAct: false }).next.title, /older/);
  const gone = toolbarState({ ...ctx, joined: false, state: "running" });
  assert.ok(Object.values(gone).every((t) => !t.enabled));
});

Deno.test("buttons and keys map to actions as editors bind them", () => {
  assert.deepEqual(toolAction("stepOut"), { do: "stepOut" });
  assert.equal(toolForKey({ key: "F10", shiftKey: false }), "next");
  assert.equal(toolForKey({ key: "F11", shiftKey: true }), "stepOut");
  assert.equal(toolForKey({ key: "F11", shiftKey: false }), "stepIn");
  assert.equal(toolForKey({ key: "a", shiftKey: false }), undefined);
});
