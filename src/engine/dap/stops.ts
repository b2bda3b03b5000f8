/**
 * What a DAP `stopped` event and the stack behind it read as in the session's terms: the
 * reason in gdb's words (which the clients know), the frames with their arguments.
 */
import type { DebugProtocol } from "@vscode/debugprotocol";
import type { StackFrame, StopInfo } from "../engine.ts";

/** Frames reported with each stop. */
export const MAX_FRAMES = 32;
/** Frames whose arguments are read with each stop (two requests each). */
const ARG_FRAMES = 8;
/** Variables shown per frame. */
const ARGS_PER_FRAME = 8;
/** Values longer than this are left out, as gdb leaves out structs and arrays. */
const MAX_VALUE_CHARS = 200;

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<undefined>((r) => {
      timer = setTimeout(() => r(undefined), ms);
    }),
  ]);
}

/**
 * The signal a stop names, e.g. "SIGSEGV", or undefined. lldb-dap (19) reports a signal stop
 * as reason "exception" with no structured signal field: its description ("signal SIGSEGV:
 * address not mapped...") is the only place the name is. This is the one place that reads it.
 */
export function signalOf(body: DebugProtocol.StoppedEvent["body"]): string | undefined {
  for (const text of [body.description, body.text]) {
    const m = /^signal (SIG[A-Z0-9]+)\b/.exec(text ?? "");
    if (m) return m[1];
  }
  return undefined;
}

/** DAP's stop reasons in the session's words (gdb's, which the clients know). */
export function dapStopInfo(body: DebugProtocol.StoppedEvent["body"]): StopInfo {
  switch (body.reason) {
    case "breakpoint":
    case "function breakpoint":
    case "data breakpoint":
    case "instruction breakpoint":
      return { reason: "breakpoint-hit" };
    case "step":
    case "goto":
      return { reason: "end-stepping-range" };
    case "pause":
      // The user's Ctrl+C (or `process interrupt`): as gdb reports it.
      return { reason: "signal-received", signal: "SIGINT" };
    case "entry":
      return { reason: "entry" };
    case "exception":
    case "signal": {
      const signal = signalOf(body);
      return signal ? { reason: "signal-received", signal } : { reason: body.reason };
    }
    default:
      return { reason: body.reason };
  }
}

/** A DAP stack frame as the session's. */
export function fromDapFrame(f: DebugProtocol.StackFrame, level: number): StackFrame {
  const frame: StackFrame = { level };
  if (f.name) frame.func = f.name;
  if (f.source?.path) frame.file = f.source.path;
  if (f.source?.path && f.line > 0) frame.line = f.line;
  if (f.instructionPointerReference) frame.addr = f.instructionPointerReference;
  return frame;
}

type Request = <R extends DebugProtocol.Response>(command: string, args?: unknown) => Promise<R>;

/**
 * A frame's arguments as the adapter lists them: its "Arguments" scope when it has one, else
 * its locals (lldb-dap and debugpy list a function's arguments first there, so locals follow
 * them). Values with children (structs, objects) are given by name only, as gdb does.
 */
async function frameArgs(
  request: Request,
  frameId: number,
): Promise<{ name: string; value?: string }[] | undefined> {
  const s = await request<DebugProtocol.ScopesResponse>("scopes", { frameId });
  const scopes = s.body.scopes;
  const scope = scopes.find((x) => x.presentationHint === "arguments") ??
    scopes.find((x) => x.presentationHint === "locals" || x.name === "Locals");
  if (!scope?.variablesReference) return undefined;
  const v = await request<DebugProtocol.VariablesResponse>("variables", {
    variablesReference: scope.variablesReference,
    start: 0,
    count: ARGS_PER_FRAME,
  });
  // debugpy groups dunders and the like under entries such as "special variables": no
  // argument's name has a space.
  return v.body.variables.filter((x) => x.name && !/\s/.test(x.name))
    .slice(0, ARGS_PER_FRAME).map((x) =>
      x.variablesReference || x.value.length > MAX_VALUE_CHARS
        ? { name: x.name }
        : { name: x.name, value: x.value }
    );
}

/** The stack of a stopped thread, innermost first, with each frame's DAP id and arguments. */
export async function dapStack(
  request: Request,
  threadId: number,
): Promise<{ frames: StackFrame[]; ids: number[] }> {
  const r = await request<DebugProtocol.StackTraceResponse>("stackTrace", {
    threadId,
    startFrame: 0,
    levels: MAX_FRAMES,
  });
  const dapFrames = r.body.stackFrames ?? [];
  const frames = dapFrames.map(fromDapFrame);
  // One frame after another, the innermost last: lldb-dap's scope references name the scopes
  // of the frame last asked about (and select it), and its REPL runs in the selected frame.
  for (let i = Math.min(dapFrames.length, ARG_FRAMES) - 1; i >= 0; i--) {
    try {
      const args = await frameArgs(request, dapFrames[i].id);
      if (args) frames[i].args = args;
    } catch {
      // no variables for this frame (no debug info): the frame goes without
    }
  }
  return { frames, ids: dapFrames.map((f) => f.id) };
}
