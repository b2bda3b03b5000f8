/**
 * The one place engine values become wire values: the target's state, where it stopped, and the
 * frame a command selected, as the session sends them (`state`, `selected`, `welcome`). Pure.
 *
 * Only the fields the protocol defines (protocol/wire_types.ts) are copied, in the order the
 * engine gave them (the encoded JSON is the same bytes as the engine's value when the two types
 * agree); a field an engine adds stays off the wire until the protocol takes it up, and
 * tests/session/engine_wire_test.ts fails to compile until someone decides which.
 */
import type * as Engine from "../engine/engine.ts";
import type { SelectedFrame } from "../protocol/messages.ts";
import type * as Wire from "../protocol/wire_types.ts";

/** How each wire field is made from the engine's field of the same name. */
type Fields<W> = { [K in keyof W]-?: (value: never) => W[K] };

const same = <T>(value: T): T => value;

/** `value`'s fields that `fields` names, converted, in `value`'s own order; absent ones left out. */
function pick<W>(value: object, fields: Fields<W>): W {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || !Object.hasOwn(fields, key)) continue;
    out[key] = (fields[key as keyof W] as (value: unknown) => unknown)(v);
  }
  return out as W;
}

/** Every engine state has its wire state: an engine state the protocol lacks fails to compile. */
const STATES: Record<Engine.TargetState, Wire.TargetState> = {
  idle: "idle",
  running: "running",
  stopped: "stopped",
  exited: "exited",
};

const ARG_FIELDS: Fields<{ name: string; value?: string }> = { name: same, value: same };

const FRAME_FIELDS: Fields<Wire.StackFrame> = {
  level: same,
  func: same,
  file: same,
  line: same,
  addr: same,
  from: same,
  args: (args: Engine.StackFrame["args"] & object) => args.map((a) => pick(a, ARG_FIELDS)),
};

const SOURCE_FIELDS: Fields<Wire.SourceExcerpt> = {
  path: same,
  first: same,
  lines: same,
};

const STOP_FIELDS: Fields<Wire.StopInfo> = {
  reason: same,
  func: same,
  file: same,
  line: same,
  exitCode: same,
  signal: same,
  frames: (frames: Engine.StackFrame[]) => frames.map(wireFrame),
  source: (source: Engine.SourceExcerpt) => wireSource(source),
};

export function wireState(state: Engine.TargetState): Wire.TargetState {
  return STATES[state];
}

export function wireFrame(frame: Engine.StackFrame): Wire.StackFrame {
  return pick(frame, FRAME_FIELDS);
}

export function wireSource(source: Engine.SourceExcerpt): Wire.SourceExcerpt {
  return pick(source, SOURCE_FIELDS);
}

export function wireStopInfo(info: Engine.StopInfo): Wire.StopInfo {
  return pick(info, STOP_FIELDS);
}

/** The frame a command selected (an engine's `frame` event), as `selected` and `welcome` carry it. */
export function wireSelected(
  frame: Engine.StackFrame,
  source: Engine.SourceExcerpt | undefined,
): SelectedFrame {
  return source
    ? { frame: wireFrame(frame), source: wireSource(source) }
    : { frame: wireFrame(frame) };
}
