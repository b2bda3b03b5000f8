/**
 * Engine values to wire values (src/session/engine_wire.ts): complete, and the same bytes.
 * The type checks below fail to compile when the engine's types and the protocol's drift apart:
 * a field an engine adds must be taken up by protocol/wire_types.ts (a protocol change) or left
 * off the wire on purpose, never sent by accident.
 */
import assert from "node:assert/strict";
import type * as Engine from "../../src/engine/engine.ts";
import { encodeFrame } from "../../src/protocol/frame.ts";
import type * as Wire from "../../src/protocol/wire_types.ts";
import {
  wireFrame,
  wireSelected,
  wireSource,
  wireState,
  wireStopInfo,
} from "../../src/session/engine_wire.ts";

/** true when A and B are the same type (not merely assignable one way). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Arg = NonNullable<Engine.StackFrame["args"]>[number];
type WireArg = NonNullable<Wire.StackFrame["args"]>[number];

// Same field names, same field types, for every type the wire carries.
const complete: [
  Same<Engine.TargetState, Wire.TargetState>,
  Same<keyof Engine.StopInfo, keyof Wire.StopInfo>,
  Same<keyof Engine.StackFrame, keyof Wire.StackFrame>,
  Same<keyof Engine.SourceExcerpt, keyof Wire.SourceExcerpt>,
  Same<keyof Arg, keyof WireArg>,
  Same<Engine.StopInfo, Wire.StopInfo>,
  Same<Engine.StackFrame, Wire.StackFrame>,
  Same<Engine.SourceExcerpt, Wire.SourceExcerpt>,
] = [true, true, true, true, true, true, true, true];

/** An engine value with every field set, in an order of the engine's own choosing. */
function fullStop(): Engine.StopInfo {
  const frame: Engine.StackFrame = {
    level: 0,
    func: "main",
    file: "demo.c",
    line: 12,
    addr: "0x401136",
    from: "/w/demo",
    args: [{ name: "argc", value: "1" }, { name: "big" }],
  };
  return {
    signal: "SIGINT", // not in the type's order: the engine's order is kept
    reason: "breakpoint-hit",
    func: "main",
    file: "demo.c",
    line: 12,
    exitCode: 0,
    frames: [frame, { level: 1, func: "__libc_start_main", from: "libc.so.6" }],
    source: { path: "/w/demo.c", first: 10, lines: ["int x;", "", "  x = 1;"] },
  };
}

Deno.test("engine_wire: the types agree", () => {
  assert.ok(complete.every(Boolean));
});

Deno.test("engine_wire: every field is carried, and the frame is byte for byte the engine's", () => {
  const info = fullStop();
  const wire = wireStopInfo(info);
  assert.deepEqual(wire, info);
  const bytes = (i: Wire.StopInfo | Engine.StopInfo) =>
    encodeFrame({ t: "state", state: "stopped", info: i });
  assert.deepEqual(bytes(wire), bytes(info));
  for (const s of ["idle", "running", "stopped", "exited"] as const) assert.equal(wireState(s), s);
});

Deno.test("engine_wire: a field the protocol does not define stays off the wire, at every level", () => {
  const info = fullStop() as Engine.StopInfo & { registers?: string };
  info.registers = "rax=1";
  (info.frames![0] as Engine.StackFrame & { locals?: string[] }).locals = ["x"];
  (info.frames![0].args![0] as Arg & { type?: string }).type = "int";
  (info.source as Engine.SourceExcerpt & { mtime?: number }).mtime = 1;
  const wire = wireStopInfo(info);
  assert.deepEqual(wire, fullStop());
  assert.doesNotMatch(JSON.stringify(wire), /registers|locals|"type"|mtime/);
});

Deno.test("engine_wire: absent fields stay absent; a selected frame carries its source only if any", () => {
  assert.deepEqual(wireStopInfo({}), {});
  assert.deepEqual(wireFrame({ level: 3 }), { level: 3 });
  const frame: Engine.StackFrame = { level: 1, func: "f" };
  assert.deepEqual(wireSelected(frame, undefined), { frame });
  assert.ok(!("source" in wireSelected(frame, undefined)));
  const source = { path: "/a.c", first: 1, lines: ["x"] };
  assert.deepEqual(wireSelected(frame, source), { frame, source });
  assert.deepEqual(wireSource(source), source);
});
