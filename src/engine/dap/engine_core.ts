/**
 * One engine over the Debug Adapter Protocol; a small profile per adapter
 * (lldb-dap, debugpy) says how to find the adapter, how to launch, and what
 * the user's words mean.
 *
 * Start-up order (what adapters expect, debugpy strictly): `initialize` →
 * `launch` (its response is not awaited: debugpy answers only after
 * `configurationDone`) → `initialized` event → breakpoints → `configurationDone`
 * → the `launch` response.
 *
 * Pitfalls designed for: some adapters send no `continued` after a resume
 * request (running is marked when the request succeeds); `stopped` may come
 * once per thread (a second one while stopped is ignored); `threads` and
 * `stackTrace` fail while running (a stop is described once, right when it
 * happens); resuming from the REPL bypasses request bookkeeping (the adapter's
 * events are trusted).
 */
import type { DebugProtocol } from "@vscode/debugprotocol";
import { EngineError } from "../../errors.ts";
import type {
  CommandResult,
  Engine,
  EngineEvent,
  EngineListener,
  EngineSpec,
  StackFrame,
  StopInfo,
  TargetState,
} from "../engine.ts";
import { type SourceCache, sourceExcerpt } from "../gdb.ts";
import { findKind } from "../kinds.ts";
import { checkedProgram } from "../program.ts";
import { createDapClient, type DapClient, DapRequestError } from "./client.ts";
import type { Breakpoint } from "../inspect.ts";
import { createDapInspect } from "./inspect.ts";

/** Frames reported with each stop. */
const MAX_FRAMES = 32;
/** Give up describing a stop after this long: it is reported without its stack. */
const DESCRIBE_TIMEOUT_MS = 3000;
/** Give up waiting for the adapter's answers at start-up (initialize, launch). */
const START_TIMEOUT_MS = 20_000;

export interface AdapterCommand {
  command: string;
  args: string[];
  env?: Record<string, string | undefined>;
  /** For the engine's description, e.g. "lldb 19.1.7". */
  version: string;
}

/** What a profile may do while running one user command. */
export interface DapContext {
  readonly state: TargetState;
  readonly launched: boolean;
  /** The selected frame's level (0 after every stop). */
  readonly selectedLevel: number;
  /** The stack of the last stop, innermost first (empty when not stopped). */
  readonly frames: readonly StackFrame[];
  /** The DAP id of the selected frame, when stopped. */
  readonly frameId: number | undefined;
  /** The thread of the last stop. */
  readonly threadId: number | undefined;
  /** Stops and exits reported so far. */
  readonly stops: number;
  request<R extends DebugProtocol.Response>(command: string, args?: unknown): Promise<R>;
  /**
   * Launch the target (initialize was done at start), run the start-up order,
   * and wait until it stops or exits. `args`, when given, replace the program's
   * arguments from the command line (lldb's `run ARGS`).
   */
  launch(args?: string[]): Promise<void>;
  /**
   * End the target and its adapter, start a new adapter and launch again (`args` as for
   * launch); the old target's end is reported as an exit unless it had ended already.
   */
  restart(args?: string[]): Promise<void>;
  /**
   * Send a request that may resume the target; resolves when the resulting stop
   * or exit has been reported (at once if the target did not resume).
   * `resumes`, or `send` resolving to true: it resumes for sure (no `continued` event needed).
   */
  resuming(send: () => Promise<boolean | void>, resumes: boolean): Promise<void>;
  /** Select another frame of the last stop: reported as a `frame` event. */
  selectFrame(level: number): void;
  output(stream: "console" | "target" | "error", text: string): void;
}

export interface DapProfile {
  /** The engine kind, e.g. "lldb". */
  kind: string;
  /** Find the adapter; throws E_ENGINE_MISSING with what to install. */
  adapter(spec: EngineSpec, cwd: string): Promise<AdapterCommand>;
  /** The `launch` request's arguments. */
  launchArguments(program: string, spec: EngineSpec, cwd: string): Record<string, unknown>;
  /** Launch at start (pdb starts the script stopped at its first line) or at the first `run`. */
  launchAtStart: boolean;
  /** Run one user line. */
  execute(text: string, ctx: DapContext): Promise<CommandResult>;
  /** How a DAP stop reads in the session's terms. */
  stopInfo(body: DebugProtocol.StoppedEvent["body"]): StopInfo;
  /** (inspect) The debugger's breakpoints now, asked after each command; undefined: unknown. */
  breakpoints?(ctx: DapContext): Promise<Breakpoint[] | undefined>;
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
      return { reason: "end-stepping-range" };
    case "pause":
      // The user's Ctrl+C (or `process interrupt`): as gdb reports it.
      return { reason: "signal-received", signal: "SIGINT" };
    case "entry":
      return { reason: "entry" };
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

/** What input(), eof() and resize() answer: this engine's program has no terminal of ours. */
function noTerminal(): CommandResult {
  return {
    ok: false,
    error: "this engine's program has no terminal of its own yet: typing into it is gdb-only",
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<undefined>((r) => {
      timer = setTimeout(() => r(undefined), ms);
    }),
  ]);
}

export function createDapEngine(
  profile: DapProfile,
  spec: EngineSpec,
  listener: EngineListener,
): Engine {
  const cwd = spec.cwd ?? process.cwd();
  let client: DapClient | undefined;
  let state: TargetState = "idle";
  let description = `${profile.kind} debugging ${spec.program ?? "nothing"}`;
  let program = "";
  let launched = false;
  let stopping = false;
  let queue: Promise<unknown> = Promise.resolve();
  /** Events are handled one after another: a stop is described before what follows it. */
  let events: Promise<void> = Promise.resolve();
  let resumesSeen = 0;
  let stops = 0;
  let stopWaiters: (() => void)[] = [];
  let frames: StackFrame[] = [];
  let frameIds: number[] = [];
  let selectedLevel = 0;
  let threadId: number | undefined;
  let initialized: (() => void) | undefined;
  /** A `pause` was asked for: the next stop is the user's interrupt, whatever the adapter calls it. */
  let pausing = false;
  /** The debugged process, from the adapter's `process` event. */
  let targetPid: number | undefined;
  /** The adapter went away: its target must not outlive it (a script spinning forever). */
  const killTarget = () => {
    if (targetPid === undefined) return;
    try {
      process.kill(targetPid, "SIGKILL");
    } catch {
      // gone already
    }
    targetPid = undefined;
  };
  let death = "";
  const sources: SourceCache = new Map();

  const emit = (event: EngineEvent) => listener(event);
  // (inspect) The structured side: the adapter's own requests, outside the transcript.
  const inspect = createDapInspect({
    request: (command, args) => request(command, args),
    state: () => state,
    threadId: () => threadId,
    frame: fromDapFrame,
  });
  /** (inspect) After a command: tell the breakpoints when they changed. */
  const tellBreakpoints = async () => {
    const list = await profile.breakpoints?.(ctx).catch(() => undefined);
    if (list && inspect.told(list)) emit({ type: "breakpoints", breakpoints: list });
  };
  const output = (stream: "console" | "target" | "error", text: string) => {
    if (text) emit({ type: "output", stream, text });
  };
  const wake = () => {
    const w = stopWaiters;
    stopWaiters = [];
    w.forEach((f) => f());
  };
  const setRunning = () => {
    if (state === "running") return;
    inspect.forget(); // (inspect) references die on resume
    state = "running";
    frames = [];
    frameIds = [];
    emit({ type: "state", state, info: {} });
  };

  const request = <R extends DebugProtocol.Response>(command: string, args?: unknown) => {
    if (!client?.alive) {
      return Promise.reject(
        new EngineError("E_ENGINE_DIED", `${profile.kind} is not running`),
      );
    }
    return client.request<R>(command, args);
  };

  const describe = async (info: StopInfo) => {
    if (threadId === undefined) return;
    try {
      const r = await withTimeout(
        request<DebugProtocol.StackTraceResponse>("stackTrace", {
          threadId,
          startFrame: 0,
          levels: MAX_FRAMES,
        }),
        DESCRIBE_TIMEOUT_MS,
      );
      const dapFrames = r?.body.stackFrames ?? [];
      frames = dapFrames.map(fromDapFrame);
      frameIds = dapFrames.map((f) => f.id);
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

  const reportStop = (s: TargetState, info: StopInfo) => {
    inspect.forget(); // (inspect) a new stop's references only
    state = s;
    stops++;
    emit({ type: "state", state: s, info });
    wake();
  };

  const onEvent = async (e: DebugProtocol.Event) => {
    switch (e.event) {
      case "initialized":
        initialized?.();
        return;
      case "process":
        targetPid = (e as DebugProtocol.ProcessEvent).body.systemProcessId;
        return;
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
        setRunning();
        return;
      case "stopped": {
        const body = (e as DebugProtocol.StoppedEvent).body;
        // Once per thread for some adapters: the first one describes the stop.
        if (state === "stopped") return;
        threadId = body.threadId ?? threadId;
        selectedLevel = 0;
        const info = profile.stopInfo(body);
        if (pausing) {
          // lldb-dap reports its halt as an "exception" (the SIGSTOP it sends): it was Ctrl+C.
          info.reason = "signal-received";
          info.signal = "SIGINT";
          pausing = false;
        }
        await describe(info);
        reportStop("stopped", info);
        return;
      }
      case "exited": {
        const code = (e as DebugProtocol.ExitedEvent).body.exitCode;
        frames = [];
        frameIds = [];
        reportStop("exited", { reason: code === 0 ? "exited-normally" : "exited", exitCode: code });
        return;
      }
      case "terminated":
        // Ending the session, lldb-dap says `terminated` before `exited`: the latter tells.
        if (!stopping && (state === "running" || state === "stopped")) reportStop("exited", {});
        return;
      default:
        return;
    }
  };

  const waitForStop = async (since: number) => {
    while (stops <= since && client?.alive) await new Promise<void>((r) => stopWaiters.push(r));
  };

  /** Wait until every event received so far has been handled. */
  const settled = () => events;

  /** Start the adapter; its events and exit count while it is the engine's adapter. */
  const spawn = async (adapter: AdapterCommand) => {
    const c: DapClient = createDapClient({
      command: adapter.command,
      args: adapter.args,
      cwd,
      env: adapter.env,
      onEvent: (e) => {
        if (client !== c) return;
        events = events.then(() => onEvent(e)).catch(() => {});
      },
      onStderr: (t) => output("error", t),
      onExit: (code, signal) => {
        // An adapter replaced by a restart: its end is not the engine's.
        if (client !== c) return;
        const wasStopping = stopping;
        death = signal ? `signal ${signal}` : `code ${code}`;
        killTarget();
        events = events.then(() => {
          if (state !== "idle") state = "exited";
          wake();
          emit({ type: "exit", code, signal, expected: wasStopping });
        });
      },
    });
    client = c;
    try {
      await c.spawned;
    } catch (err) {
      if (err instanceof EngineError && err.code === "E_ENGINE_MISSING") {
        const install = findKind(profile.kind)?.install;
        throw new EngineError("E_ENGINE_MISSING", err.message, {
          hint: `install it${install ? ` (Debian/Ubuntu: ${install})` : ""} or give its path`,
          cause: err,
        });
      }
      throw err;
    }
  };

  const initialize = async (adapter: AdapterCommand) => {
    const init = request("initialize", {
      clientID: "dbgremote",
      clientName: "dbgremote",
      adapterID: profile.kind,
      linesStartAt1: true,
      columnsStartAt1: true,
      pathFormat: "path",
      supportsRunInTerminalRequest: false,
      supportsStartDebuggingRequest: false,
    });
    if (!await withTimeout(init, START_TIMEOUT_MS)) {
      throw new EngineError("E_ENGINE_START", `${adapter.command} did not answer initialize`);
    }
  };

  let adapterCommand: AdapterCommand | undefined;

  const ctx: DapContext = {
    get state() {
      return state;
    },
    get launched() {
      return launched;
    },
    get selectedLevel() {
      return selectedLevel;
    },
    get frames() {
      return frames;
    },
    get frameId() {
      return state === "stopped" ? frameIds[selectedLevel] : undefined;
    },
    get threadId() {
      return threadId;
    },
    get stops() {
      return stops;
    },
    request,
    async launch(args) {
      const before = stops;
      const gotInitialized = new Promise<void>((r) => (initialized = r));
      const launchDone = request(
        "launch",
        profile.launchArguments(program, args ? { ...spec, args } : spec, cwd),
      );
      launchDone.catch(() => {});
      // An adapter refusing to launch answers before `initialized`: its error is the answer.
      const first = await Promise.race([
        gotInitialized.then(() => undefined),
        launchDone.then(() => undefined, (err: Error) => err),
      ]);
      if (first) throw first;
      launched = true;
      await request("configurationDone");
      await launchDone;
      // The target runs from here: until its first stop or exit.
      if (stops === before) setRunning();
      await waitForStop(before);
    },
    async restart(args) {
      // debugpy's DAP `restart` hangs: a new adapter (and script) replaces the old one.
      const old = client;
      if (old?.alive) {
        await withTimeout(
          request("disconnect", { terminateDebuggee: true }).catch(() => {}),
          2000,
        );
      }
      await settled();
      if (state === "stopped" || state === "running") reportStop("exited", {});
      client = undefined;
      killTarget();
      await old?.kill();
      launched = false;
      threadId = undefined;
      await spawn(adapterCommand!);
      await initialize(adapterCommand!);
      await ctx.launch(args);
    },
    async resuming(send, resumes) {
      const beforeStops = stops;
      const beforeResumes = resumesSeen;
      const sure = (await send()) === true || resumes;
      if (sure) {
        // Some adapters send no `continued`: running it is, unless the stop came already.
        if (stops === beforeStops) setRunning();
        await waitForStop(beforeStops);
        await settled();
        return;
      }
      // A REPL command's `continued` may come just after its answer: one more round trip
      // lets the adapter's event thread catch up before deciding whether the target runs.
      await request("threads").catch(() => {});
      await settled();
      if (resumesSeen > beforeResumes || state === "running") {
        await waitForStop(beforeStops);
        await settled();
      }
    },
    selectFrame(level) {
      const frame = frames[level];
      if (!frame) return;
      selectedLevel = level;
      const source = frame.file && frame.line
        ? sourceExcerpt(frame.file, frame.line, sources)
        : undefined;
      emit(source ? { type: "frame", frame, source } : { type: "frame", frame });
    },
    output,
  };

  const engine: Engine = {
    inspector: inspect.inspector,
    get kind() {
      return profile.kind;
    },
    get description() {
      return description;
    },
    get state() {
      return state;
    },

    async start() {
      program = checkedProgram(
        spec,
        cwd,
        "check the path (it is relative to the directory dbgremote runs in)",
      ) ?? "";
      const adapter = await profile.adapter(spec, cwd);
      adapterCommand = adapter;
      await spawn(adapter);
      description = `${adapter.version} debugging ${program}` +
        (spec.args?.length ? ` ${spec.args.join(" ")}` : "");
      try {
        await initialize(adapter);
        if (profile.launchAtStart) {
          const launching = ctx.launch();
          if (!await withTimeout(launching.then(() => true), START_TIMEOUT_MS)) {
            throw new EngineError("E_ENGINE_START", `${adapter.command} did not launch the target`);
          }
        }
      } catch (err) {
        await engine.stop();
        if (err instanceof DapRequestError) {
          throw new EngineError("E_ENGINE_START", `${profile.kind}: ${err.message}`, {
            cause: err,
          });
        }
        throw err;
      }
    },

    execute(text: string): Promise<CommandResult> {
      const run = async (): Promise<CommandResult> => {
        if (!client?.alive) {
          return { ok: false, error: `${profile.kind} is not running: the session has ended` };
        }
        try {
          const r = await profile.execute(text, ctx);
          if (client.alive) await tellBreakpoints();
          if (!client.alive && !stopping) {
            return {
              ok: false,
              error: `${profile.kind} exited (${death}) while running "${text}"`,
            };
          }
          return r;
        } catch (err) {
          if (!client.alive && !stopping) {
            return {
              ok: false,
              error: `${profile.kind} exited (${death}) while running "${text}"`,
            };
          }
          return { ok: false, error: (err as Error).message };
        }
      };
      const result = queue.then(run);
      queue = result;
      return result;
    },

    async interrupt() {
      if (!client?.alive || state !== "running") return false;
      const pause = async () => {
        if (threadId === undefined) {
          const t = await request<DebugProtocol.ThreadsResponse>("threads");
          threadId = t.body.threads[0]?.id;
        }
        pausing = true;
        await request("pause", { threadId: threadId ?? 0 });
      };
      await withTimeout(pause().catch(() => {}), 2000);
      return true;
    },

    // The adapter runs the program on its own pipes: there is no terminal of ours to type into
    // or size until the DAP engines answer runInTerminal with the server's pty.
    input: noTerminal,
    eof: noTerminal,
    resize: noTerminal,
    // The adapter and its program were started without the secrets; a variable named later
    // (.server) cannot be taken back from a running adapter, as for gdb itself.
    async unsetEnv() {},

    async stop() {
      if (!client || stopping) return await client?.exited;
      stopping = true;
      if (client.alive) {
        if (launched) {
          await withTimeout(
            request("disconnect", { terminateDebuggee: true }).catch(() => {}),
            2000,
          );
        }
        await client.kill();
      }
      await events;
    },
  };
  return engine;
}
