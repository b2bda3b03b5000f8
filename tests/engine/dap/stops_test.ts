import assert from "node:assert/strict";
import { dapStopInfo, fromDapFrame, signalOf } from "../../../src/engine/dap/stops.ts";

Deno.test("DAP stop reasons read in the session's words (gdb's)", () => {
  assert.deepEqual(dapStopInfo({ reason: "breakpoint" }), { reason: "breakpoint-hit" });
  assert.deepEqual(dapStopInfo({ reason: "function breakpoint" }), { reason: "breakpoint-hit" });
  assert.deepEqual(dapStopInfo({ reason: "step" }), { reason: "end-stepping-range" });
  assert.deepEqual(dapStopInfo({ reason: "pause" }), {
    reason: "signal-received",
    signal: "SIGINT",
  });
  assert.deepEqual(dapStopInfo({ reason: "entry" }), { reason: "entry" });
  assert.deepEqual(dapStopInfo({ reason: "goto" }), { reason: "end-stepping-range" });
  assert.deepEqual(dapStopInfo({ reason: "exception" }), { reason: "exception" });
});

Deno.test("a signal stop (lldb-dap's exception with the signal in its description) reads as gdb's", () => {
  const segv = {
    reason: "exception",
    description: "signal SIGSEGV: address not mapped to object (fault address: 0x0)",
  };
  assert.deepEqual(dapStopInfo(segv), { reason: "signal-received", signal: "SIGSEGV" });
  assert.equal(signalOf({ reason: "exception", text: "signal SIGABRT" }), "SIGABRT");
  // A C++ exception, or a description that only mentions a signal: no signal.
  assert.equal(signalOf({ reason: "exception", description: "C++ Throw" }), undefined);
  assert.equal(signalOf({ reason: "exception", description: "no signal SIGSEGV here" }), undefined);
});

Deno.test("a DAP stack frame as the session's: a line only with a source", () => {
  assert.deepEqual(
    fromDapFrame({
      id: 7,
      name: "add",
      line: 9,
      column: 1,
      source: { path: "/src/demo.py" },
      instructionPointerReference: "0x1000",
    }, 0),
    { level: 0, func: "add", file: "/src/demo.py", line: 9, addr: "0x1000" },
  );
  assert.deepEqual(fromDapFrame({ id: 8, name: "__libc_start_main", line: 0, column: 0 }, 3), {
    level: 3,
    func: "__libc_start_main",
  });
});
