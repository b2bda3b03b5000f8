/**
 * What gdb/MI says about a stop, as the engine interface's types: the frames,
 * the source around a line, the state a `*stopped` record means. Pure, apart
 * from reading source files.
 */
import fs from "node:fs";
import type { EngineEvent, SourceExcerpt, StackFrame, StopInfo, TargetState } from "./engine.ts";
import { type MiTuple, type MiValue, str, tuple } from "./mi_parser.ts";

/** Frames reported with each stop. */
export const MAX_FRAMES = 32;
/** Lines of source shown before and after the stop line. */
const SOURCE_CONTEXT = 6;
/** Source files larger than this are not read for excerpts. */
const MAX_SOURCE_BYTES = 8 * 1024 * 1024;

/** The tuples of an MI list of results (`[frame={...},frame={...}]`). */
function listOf(value: MiValue | undefined, key: string): MiTuple[] {
  if (!Array.isArray(value)) return [];
  return value.map((v) =>
    v && typeof v === "object" && !Array.isArray(v) ? (tuple(v, key) ?? v) : undefined
  ).filter((v): v is MiTuple => v !== undefined);
}

/** The frames of `-stack-list-frames`, with the arguments of `-stack-list-arguments`. */
export function stackFrames(frames: MiTuple, args: MiTuple | undefined): StackFrame[] {
  const argsByLevel = new Map<string, MiTuple[]>();
  for (const f of listOf(args?.["stack-args"], "frame")) {
    argsByLevel.set(str(f, "level") ?? "", Array.isArray(f.args) ? f.args as MiTuple[] : []);
  }
  return listOf(frames.stack, "frame").map((f) =>
    stackFrame(f, argsByLevel.get(str(f, "level") ?? "0"))
  );
}

/**
 * One MI frame tuple as a {@link StackFrame}. `args`: the frame's arguments
 * (`[{name, value?}]`), from the tuple itself when not given (as in `=thread-selected`).
 */
export function stackFrame(f: MiTuple, args?: MiTuple[]): StackFrame {
  const frame: StackFrame = { level: Number(str(f, "level") ?? "0") };
  const func = str(f, "func");
  if (func) frame.func = func;
  const file = str(f, "file");
  if (file) frame.file = file;
  const line = str(f, "line");
  if (line) frame.line = Number(line);
  const addr = str(f, "addr");
  if (addr) frame.addr = addr;
  const from = str(f, "from");
  if (from) frame.from = from;
  const a = args ?? (Array.isArray(f.args) ? f.args as MiTuple[] : undefined);
  if (a) {
    frame.args = a.filter((arg) => arg && typeof arg === "object" && !Array.isArray(arg)).map(
      (arg) => {
        const value = str(arg, "value");
        return value === undefined
          ? { name: str(arg, "name") ?? "?" }
          : { name: str(arg, "name") ?? "?", value };
      },
    );
  }
  return frame;
}

/** Source files already read, by path: an engine keeps its own, a few files at most. */
export type SourceCache = Map<string, { mtimeMs: number; size: number; lines: string[] }>;
const SOURCE_CACHE_FILES = 16;

/** Lines around `line` of a source file, or undefined if it cannot be read. */
export function sourceExcerpt(
  file: string,
  line: number,
  cache: SourceCache = new Map(),
  context = SOURCE_CONTEXT,
): SourceExcerpt | undefined {
  try {
    const stat = fs.statSync(file);
    if (stat.size > MAX_SOURCE_BYTES) return undefined;
    let known = cache.get(file);
    if (!known || known.mtimeMs !== stat.mtimeMs || known.size !== stat.size) {
      known = {
        mtimeMs: stat.mtimeMs,
        size: stat.size,
        lines: fs.readFileSync(file, "utf8").split("\n"),
      };
      cache.delete(file);
      if (cache.size >= SOURCE_CACHE_FILES) cache.delete(cache.keys().next().value!);
      cache.set(file, known);
    }
    const all = known.lines;
    if (line < 1 || line > all.length) return undefined;
    const first = Math.max(1, line - context);
    const lines = all.slice(first - 1, Math.min(all.length, line + context))
      .map((l) => l.replace(/\r$/, "").slice(0, 400));
    return { path: file, first, lines };
  } catch {
    return undefined;
  }
}

export function stopInfo(results: MiTuple): { state: TargetState; info: StopInfo } {
  const reason = str(results, "reason");
  const frame = tuple(results, "frame");
  const line = str(frame, "line");
  const info: StopInfo = {};
  if (reason) info.reason = reason;
  const func = str(frame, "func");
  if (func) info.func = func;
  const file = str(frame, "file");
  if (file) info.file = file;
  if (line) info.line = Number(line);
  const signal = str(results, "signal-name");
  if (signal) info.signal = signal;
  switch (reason) {
    case "exited-normally":
      return { state: "exited", info: { reason, exitCode: 0 } };
    case "exited":
      return {
        state: "exited",
        info: { reason, exitCode: parseInt(str(results, "exit-code") ?? "0", 8) },
      };
    case "exited-signalled":
      return { state: "exited", info: { reason, signal } };
    default:
      return { state: "stopped", info };
  }
}

/** An MI command asked outside the transcript, answered with its result record. */
export type Ask = (command: string) => Promise<{ class: string; results: MiTuple }>;

/**
 * The stack and the source around a stop, asked of gdb outside the transcript. Gives up after
 * `timeoutMs` (the stop is then reported without a stack).
 */
export async function describeStopWith(
  ask: Ask,
  info: StopInfo,
  frame: MiTuple | undefined,
  sources: SourceCache,
  timeoutMs: number,
): Promise<Pick<StopInfo, "frames" | "source">> {
  const found: Pick<StopInfo, "frames" | "source"> = {};
  const last = MAX_FRAMES - 1;
  const asked = Promise.all([
    ask(`-stack-list-frames 0 ${last}`),
    ask(`-stack-list-arguments --simple-values 0 ${last}`),
  ]);
  asked.catch(() => {}); // a timeout below may leave it unanswered
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((r) => {
    timer = setTimeout(() => r(undefined), timeoutMs);
  });
  try {
    const answer = await Promise.race([asked, timeout]);
    if (answer && answer[0].class === "done") {
      const frames = stackFrames(answer[0].results, answer[1].results);
      if (frames.length) found.frames = frames;
    }
  } catch {
    // no stack (gdb died, or "No stack."): the stop is reported without one
  } finally {
    clearTimeout(timer);
  }
  const fullname = str(frame, "fullname");
  if (fullname && info.line) {
    const source = sourceExcerpt(fullname, info.line, sources);
    if (source) found.source = source;
  }
  return found;
}

/** A frame a command selected (`=thread-selected`), with the source around its line. */
export function frameEvent(f: MiTuple, sources: SourceCache): EngineEvent {
  const frame = stackFrame(f);
  const fullname = str(f, "fullname");
  const source = fullname && frame.line ? sourceExcerpt(fullname, frame.line, sources) : undefined;
  return source ? { type: "frame", frame, source } : { type: "frame", frame };
}
