/**
 * The debugged program as a DAP adapter's events describe it: its state, its stops (each
 * described once, right when it happens: `threads` and `stackTrace` fail while it runs), the
 * stack of the last stop and the frame selected in it, and the program's output.
 *
 * Pitfalls designed for: some adapters send no `continued` after a resume request (the engine
 * marks running when the request succeeds: {@link TargetModel.setRunning}); `stopped` may come
 * once per thread (a second one while stopped is ignored).
 */
import type { DebugProtocol } from "@vscode/debugprotocol";
import type { EngineEvent, StackFrame, StopInfo, TargetState } from "../engine.ts";
import { type SourceCache, sourceExcerpt } from "../gdb_frames.ts";
import { dapStack, withTimeout } from "./stops.ts";

/** Give up describing a stop after this long: it is reported without its stack. */
const DESCRIBE_TIMEOUT_MS = 3000;

type Request = <R extends DebugProtocol.Response>(command: string, args?: unknown) => Promise<R>;

export interface TargetModelDeps {
  emit(event: EngineEvent): void;
  request: Request;
  /** Everything the program wrote so far is out (its terminal drained). */
  drainTarget(): Promise<void>;
  /** How a DAP stop reads in the session's terms (the adapter's profile). */
  stopInfo(body: DebugProtocol.StoppedEvent["body"]): StopInfo;
  /** The engine is ending the session: the adapter's `terminated` is no news. */
  stopping(): boolean;
}

export interface TargetModel {
  readonly state: TargetState;
  /** Stops and exits reported so far. */
  readonly stops: number;
  /** `continued` events seen so far. */
  readonly resumesSeen: number;
  readonly frames: readonly StackFrame[];
  /** The DAP id of the selected frame, when stopped. */
  readonly frameId: number | undefined;
  readonly selectedLevel: number;
  /** The thread of the last stop (or the one chosen to pause). */
  threadId: number | undefined;
  /** A `pause` was asked for: the next stop is the user's interrupt, whatever the adapter says. */
  pausing: boolean;
  setRunning(): void;
  /** Report a stop or an exit, and wake those waiting for one. */
  report(state: TargetState, info: StopInfo): void;
  /** Report the end of the adapter: no stop comes any more. */
  ended(): void;
  /** Resolves once more than `since` stops were reported (or `alive()` says none will come). */
  waitForStop(since: number, alive: () => boolean): Promise<void>;
  /** Select another frame of the last stop: reported as a `frame` event. */
  selectFrame(level: number): void;
  /** The adapter's output, stopped, continued, exited and terminated events. */
  onEvent(e: DebugProtocol.Event): Promise<void>;
}

export function createTargetModel(deps: TargetModelDeps): TargetModel {
  let state: TargetState = "idle";
  let stops = 0;
  let resumesSeen = 0;
  let stopWaiters: (() => void)[] = [];
  let frames: StackFrame[] = [];
  let frameIds: number[] = [];
  let selectedLevel = 0;
  const sources: SourceCache = new Map();

  const output = (stream: "console" | "target" | "error", text: string) => {
    if (text) deps.emit({ type: "output", stream, text });
  };
  const wake = () => {
    const w = stopWaiters;
    stopWaiters = [];
    w.forEach((f) => f());
  };

  const describe = async (info: StopInfo) => {
    if (model.threadId === undefined) return;
    try {
      const r = await withTimeout(dapStack(deps.request, model.threadId), DESCRIBE_TIMEOUT_MS);
      frames = r?.frames ?? [];
      frameIds = r?.ids ?? [];
    } catch {
      frames = [];
      frameIds = [];
    }
    const top = frames[0];
    if (!top) return;
    info.frames = frames;
    if (top.func) info.func = top.func;
    if (top.file) info.file = top.file;
    if (top.line) info.line = top.line;
    if (top.file && top.line) {
      const source = sourceExcerpt(top.file, top.line, sources);
      if (source) info.source = source;
    }
  };

  const model: TargetModel = {
    get state() {
      return state;
    },
    get stops() {
      return stops;
    },
    get resumesSeen() {
      return resumesSeen;
    },
    get frames() {
      return frames;
    },
    get frameId() {
      return state === "stopped" ? frameIds[selectedLevel] : undefined;
    },
    get selectedLevel() {
      return selectedLevel;
    },
    threadId: undefined,
    pausing: false,
    setRunning() {
      if (state === "running") return;
      state = "running";
      frames = [];
      frameIds = [];
      deps.emit({ type: "state", state, info: {} });
    },
    report(s, info) {
      state = s;
      stops++;
      deps.emit({ type: "state", state: s, info });
      wake();
    },
    ended() {
      if (state !== "idle") state = "exited";
      wake();
    },
    async waitForStop(since, alive) {
      while (stops <= since && alive()) await new Promise<void>((r) => stopWaiters.push(r));
    },
    selectFrame(level) {
      const frame = frames[level];
      if (!frame) return;
      selectedLevel = level;
      const source = frame.file && frame.line
        ? sourceExcerpt(frame.file, frame.line, sources)
        : undefined;
      deps.emit(source ? { type: "frame", frame, source } : { type: "frame", frame });
    },
    async onEvent(e) {
      switch (e.event) {
        case "output": {
          const body = (e as DebugProtocol.OutputEvent).body;
          const text = body.output.replace(/\r\n/g, "\n");
          if (body.category === "stdout" || body.category === "stderr") output("target", text);
          else if (body.category === "telemetry") return;
          else if (body.category === "important") output("error", text);
          else output("console", text);
          return;
        }
        case "continued":
          resumesSeen++;
          model.setRunning();
          return;
        case "stopped": {
          const body = (e as DebugProtocol.StoppedEvent).body;
          // Once per thread for some adapters: the first one describes the stop.
          if (state === "stopped") return;
          model.threadId = body.threadId ?? model.threadId;
          selectedLevel = 0;
          const info = deps.stopInfo(body);
          if (model.pausing) {
            // lldb-dap reports its halt as an "exception" (the SIGSTOP it sends): it was Ctrl+C.
            info.reason = "signal-received";
            info.signal = "SIGINT";
            model.pausing = false;
          }
          await Promise.all([describe(info), deps.drainTarget()]);
          model.report("stopped", info);
          return;
        }
        case "exited": {
          const code = (e as DebugProtocol.ExitedEvent).body.exitCode;
          frames = [];
          frameIds = [];
          await deps.drainTarget();
          model.report("exited", {
            reason: code === 0 ? "exited-normally" : "exited",
            exitCode: code,
          });
          return;
        }
        case "terminated":
          // Ending the session, lldb-dap says `terminated` before `exited`: the latter tells.
          if (!deps.stopping() && (state === "running" || state === "stopped")) {
            model.report("exited", {});
          }
          return;
        default:
          return;
      }
    },
  };
  return model;
}
