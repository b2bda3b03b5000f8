import assert from "node:assert/strict";
import { eventTranslator, stopReason } from "../../src/dap/translate.ts";

Deno.test("stopReason: the debugger's reasons as DAP's", () => {
  assert.equal(stopReason({ reason: "breakpoint-hit" }), "breakpoint");
  assert.equal(stopReason({ reason: "end-stepping-range" }), "step");
  assert.equal(stopReason({ reason: "function-finished" }), "step");
  assert.equal(stopReason({ reason: "signal-received", signal: "SIGINT" }), "pause");
  assert.equal(stopReason({ reason: "signal-received", signal: "SIGSEGV" }), "exception");
  assert.equal(stopReason({ reason: "watchpoint-trigger" }), "data breakpoint");
  assert.equal(stopReason({}), "pause");
});

Deno.test("translator: others' commands with their issuer, not its own; streams as categories; stops name who", () => {
  const t = eventTranslator(2);
  assert.deepEqual(
    t.live({ t: "echo", from: "eve@box", client: 2, id: 1, seq: 1, text: "next" }),
    [],
  );
  assert.deepEqual(
    t.live({ t: "echo", from: "al@box", client: 1, id: 1, seq: 2, text: "continue" }),
    [
      { event: "output", body: { category: "console", output: "al@box> continue\n" } },
    ],
  );
  assert.deepEqual(t.live({ t: "out", seq: 2, stream: "target", text: "hi\n" }), [
    { event: "output", body: { category: "stdout", output: "hi\n" } },
  ]);
  const [stop] = t.live({
    t: "state",
    state: "stopped",
    info: { reason: "breakpoint-hit", func: "add" },
  });
  assert.deepEqual(stop, {
    stop: { reason: "breakpoint", description: "Paused on breakpoint in add (al@box: continue)" },
  });
  assert.deepEqual(t.live({ t: "state", state: "exited", info: { exitCode: 3 } }), [
    { event: "exited", body: { exitCode: 3 } },
  ]);
  assert.deepEqual(
    t.live({ t: "end", reason: "al@box ended the session (q)", cause: "quit" }).map((e) =>
      "event" in e && e.event
    ),
    ["output", "terminated"],
  );
  // Scrollback is the transcript only: no state changes replayed.
  assert.deepEqual(t.replay({ t: "state", state: "running", info: {} }), []);
});
