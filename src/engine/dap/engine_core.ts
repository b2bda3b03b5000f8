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
import { openPty, type Pty, type PtyOptions } from "../../platform.ts";
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
import { type SourceCache, sourceExcerpt } from "../gdb_frames.ts";
import { findKind } from "../kinds.ts";
import { checkedProgram } from "../program.ts";
import { drainWithin, openTargetTerminal } from "../target_terminal.ts";
import { createDapClient, type DapClient, DapRequestError } from "./client.ts";
import type { AdapterCommand, DapContext, DapProfile } from "./profile.ts";
import { dapStack, withTimeout } from "./stops.ts";
import { runInTerminal, type TerminalLaunch } from "./terminal.ts";

export type { AdapterCommand, DapContext, DapProfile } from "./profile.ts";
export { dapStopInfo, fromDapFrame } from "./stops.ts";

/** Give up describing a stop after this long: it is reported without its stack. */
const DESCRIBE_TIMEOUT_MS = 3000;
/** Give up waiting for the adapter's answers at start-up (initialize, launch). */
const START_TIMEOUT_MS = 20_000;
/** Ctrl+D: end of input on a terminal in canonical mode. */
const EOF_CHAR = "\x04";

/** What a DAP engine needs from the machine, given explicitly (tests give their own). */
export interface DapDeps {
  /** The program's terminal; undefined: the program runs on the adapter's pipes. */
  openPty?(options: PtyOptions): Promise<Pty>;
}

export function createDapEngine(
  profile: DapProfile,
  spec: EngineSpec,
  listener: EngineListener,
  deps: DapDeps = { openPty },
): Engine {
  const cwd = spec.cwd ?? process.cwd();
  let client: DapClient | undefined;
  /** The program's terminal, which `runInTerminal` starts it on. */
  let pty: Pty | undefined;
  /** Programs started in it (the adapters' launchers): they must not outlive the engine. */
  let launches: TerminalLaunch[] = [];
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
    for (const l of launches) l.kill();
    launches = [];
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

  /** Everything the program wrote so far is out, before the news of its stop or exit. */
  const drainTarget = () => pty ? drainWithin(pty, DESCRIBE_TIMEOUT_MS) : Promise.resolve();

  const describe = async (info: StopInfo) => {
    if (threadId === undefined) return;
    try {
      const r = await withTimeout(dapStack(request, threadId), DESCRIBE_TIMEOUT_MS);
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

  const reportStop = (s: TargetState, info: StopInfo) => {
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
        await Promise.all([describe(info), drainTarget()]);
        reportStop("stopped", info);
        return;
      }
      case "exited": {
        const code = (e as DebugProtocol.ExitedEvent).body.exitCode;
        frames = [];
        frameIds = [];
        await drainTarget();
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
      onReverseRequest: async (req) => {
        if (req.command !== "runInTerminal" || !pty || client !== c) {
          throw new Error(`dbgremote does not support the reverse request "${req.command}"`);
        }
        const started = await runInTerminal(
          pty.path,
          req.arguments as DebugProtocol.RunInTerminalRequestArguments,
          spec.env ?? process.env,
        );
        launches.push(started.launch);
        return started.body;
      },
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
      // The program runs on the server's pty when there is one (input, isatty, its size).
      supportsRunInTerminalRequest: pty !== undefined,
      supportsStartDebuggingRequest: false,
    });
    if (!await withTimeout(init, START_TIMEOUT_MS)) {
      throw new EngineError("E_ENGINE_START", `${adapter.command} did not answer initialize`);
    }
  };

  let adapterCommand: AdapterCommand | undefined;
  let version: string = profile.kind;
  /** "lldb 19.1.7 debugging ./demo ARGS": the arguments of the last launch. */
  const describeAs = (args: readonly string[] | undefined) =>
    `${version} debugging ${program}` + (args?.length ? ` ${args.join(" ")}` : "");

  /** Type into the program's terminal, if it has one and runs. */
  const typeIntoTarget = (text: string): CommandResult => {
    if (!client?.alive) {
      return { ok: false, error: `${profile.kind} is not running: the session has ended` };
    }
    if (!pty) return { ok: false, error: "the program has no terminal of ours" };
    if (state !== "running" && state !== "stopped") {
      return {
        ok: false,
        error: "no program is running: start it first, then type to it",
      };
    }
    pty.write(new TextEncoder().encode(text));
    return { ok: true };
  };

  const ctx: DapContext = {
    get state() {
      return state;
    },
    get launched() {
      return launched;
    },
    get tty() {
      return pty?.path;
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
        profile.launchArguments(program, args ? { ...spec, args } : spec, cwd, pty?.path),
      );
      if (args) description = describeAs(args);
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
      if (deps.openPty) pty = await openTargetTerminal(deps.openPty, listener);
      try {
        await spawn(adapter);
      } catch (err) {
        await pty?.close();
        throw err;
      }
      version = adapter.version;
      description = describeAs(spec.args);
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

    input: typeIntoTarget,
    eof: () => typeIntoTarget(EOF_CHAR),
    resize(cols: number, rows: number) {
      if (!client?.alive || !pty) {
        return { ok: false, error: `${profile.kind} is not running: the session has ended` };
      }
      pty.resize(cols, rows); // the kernel tells the program (SIGWINCH)
      return { ok: true };
    },
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
      killTarget();
      await events;
      await pty?.close();
    },
  };
  return engine;
}
