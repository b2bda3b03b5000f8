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
 * Resuming from the REPL bypasses request bookkeeping: the adapter's events are
 * trusted (target_model.ts keeps the program's state from them). The program
 * runs on the server's pty when there is one (terminal.ts answers runInTerminal).
 */
import type { DebugProtocol } from "@vscode/debugprotocol";
import { EngineError } from "../../errors.ts";
import { childPipes, openPty, type Pty, type PtyOptions } from "../../platform.ts";
import type { ChildPipes } from "../child_pipes.ts";
import type { CommandResult, Engine, EngineEvent, EngineListener, EngineSpec } from "../engine.ts";
import { checkedProgram } from "../program.ts";
import { drainWithin, openTargetTerminal } from "../target_terminal.ts";
import { adapterSpawned, initializeAdapter, START_TIMEOUT_MS } from "./adapter.ts";
import { createDapClient, type DapClient, DapRequestError } from "./client.ts";
import { createDapInspect } from "./inspect.ts";
import type { AdapterCommand, DapContext, DapProfile } from "./profile.ts";
import { createResumeControl } from "./resume_control.ts";
import { fromDapFrame, withTimeout } from "./stops.ts";
import { createTargetModel } from "./target_model.ts";
import { EOF_CHAR, runInTerminal, type TerminalLaunch, useTerminal } from "./terminal.ts";

export type { AdapterCommand, DapContext, DapProfile } from "./profile.ts";
export { dapStopInfo, fromDapFrame } from "./stops.ts";

/** What a DAP engine needs from the machine, given explicitly (tests give their own). */
export interface DapDeps {
  /** The program's terminal; undefined: the program runs on the adapter's pipes. */
  openPty?(options: PtyOptions): Promise<Pty>;
  /** The adapter's stdin and stdout (child_pipes.ts). */
  childPipes?(): Promise<ChildPipes>;
}

export function createDapEngine(
  profile: DapProfile,
  spec: EngineSpec,
  listener: EngineListener,
  deps: DapDeps = { openPty, childPipes },
): Engine {
  const cwd = spec.cwd ?? process.cwd();
  let client: DapClient | undefined;
  /** The program's terminal, which `runInTerminal` starts it on. */
  let pty: Pty | undefined;
  /** Programs started in it (the adapters' launchers): they must not outlive the engine. */
  let launches: TerminalLaunch[] = [];
  let description = `${profile.kind} debugging ${spec.program ?? "nothing"}`;
  let program = "";
  let launched = false;
  let stopping = false;
  let queue: Promise<unknown> = Promise.resolve();
  /** Events are handled one after another: a stop is described before what follows it. */
  let events: Promise<void> = Promise.resolve();
  let initialized: (() => void) | undefined;
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

  const emit = (event: EngineEvent) => {
    if (event.type === "state") inspect.forget(); // (inspect) refs die on resume and each stop
    listener(event);
  };
  // (inspect) The structured side: the adapter's own requests, outside the transcript.
  const inspect = createDapInspect({
    request: (command, args) => request(command, args),
    state: () => target.state,
    threadId: () => target.threadId,
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
  const request = <R extends DebugProtocol.Response>(command: string, args?: unknown) => {
    if (!client?.alive) {
      return Promise.reject(
        new EngineError("E_ENGINE_DIED", `${profile.kind} is not running`),
      );
    }
    return client.request<R>(command, args);
  };

  /** Everything the program wrote so far is out, before the news of its stop or exit. */
  const drainTarget = () => pty ? drainWithin(pty) : Promise.resolve();

  const target = createTargetModel({
    emit,
    request,
    drainTarget,
    stopInfo: (body) => profile.stopInfo(body),
    stopping: () => stopping,
  });
  const alive = () => client?.alive === true;

  const onEvent = async (e: DebugProtocol.Event) => {
    switch (e.event) {
      case "initialized":
        initialized?.();
        return;
      case "process":
        targetPid = (e as DebugProtocol.ProcessEvent).body.systemProcessId;
        return;
      default:
        return await target.onEvent(e);
    }
  };

  /** Wait until every event received so far has been handled. */
  const settled = () => events;

  /** Start the adapter; its events and exit count while it is the engine's adapter. */
  const spawn = async (adapter: AdapterCommand) => {
    const pipes = await deps.childPipes?.();
    const c: DapClient = createDapClient({
      pipes,
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
        profile.stopped?.(); // however the adapter ended (a stop, a crash)
        const wasStopping = stopping;
        death = signal ? `signal ${signal}` : `code ${code}`;
        killTarget();
        events = events.then(() => {
          target.ended();
          emit({ type: "exit", code, signal, expected: wasStopping });
        });
      },
    });
    client = c;
    await adapterSpawned(c, profile.kind);
  };

  const initialize = (adapter: AdapterCommand) =>
    initializeAdapter(client!, profile.kind, adapter.command, pty !== undefined);

  let adapterCommand: AdapterCommand | undefined;
  let version: string = profile.kind;
  /** "lldb 19.1.7 debugging ./demo ARGS": the arguments of the last launch. */
  const describeAs = (args: readonly string[] | undefined) =>
    `${version} debugging ${program}` + (args?.length ? ` ${args.join(" ")}` : "");

  /** The program's terminal: input, end of input, its size (when it has one).  */
  const terminal = (act: { text: string } | { cols: number; rows: number }) =>
    useTerminal({ kind: profile.kind, alive: alive(), pty, state: target.state }, act);

  const resume = createResumeControl({ target, request, alive, settled });

  const ctx: DapContext = {
    get state() {
      return target.state;
    },
    get launched() {
      return launched;
    },
    get tty() {
      return pty?.path;
    },
    get selectedLevel() {
      return target.selectedLevel;
    },
    get frames() {
      return target.frames;
    },
    get frameId() {
      return target.frameId;
    },
    get threadId() {
      return target.threadId;
    },
    get stops() {
      return target.stops;
    },
    request,
    async launch(args) {
      const before = target.stops;
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
      if (target.stops === before) target.setRunning();
      await target.waitForStop(before, alive);
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
      if (target.state === "stopped" || target.state === "running") target.report("exited", {});
      client = undefined;
      killTarget();
      await old?.kill();
      launched = false;
      target.threadId = undefined;
      await spawn(adapterCommand!);
      await initialize(adapterCommand!);
      await ctx.launch(args);
    },
    resuming: (send, resumes) => resume.resuming(send, resumes),
    selectFrame: (level) => target.selectFrame(level),
    describeRun(args) {
      description = describeAs(args);
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
      return target.state;
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

    interrupt: () => resume.interrupt(),

    input: (text) => terminal({ text }),
    eof: () => terminal({ text: EOF_CHAR }),
    resize: (cols, rows) => terminal({ cols, rows }),
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
      profile.stopped?.();
    },
  };
  return engine;
}
