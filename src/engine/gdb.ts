/**
 * The gdb engine: drives `gdb --interpreter=mi3`.
 *
 * Users type ordinary gdb commands; each is sent as
 * `TOKEN-interpreter-exec console "TEXT"`, so its result record closes it.
 * `~` records are gdb's answers, `&` its error text. The program runs on a
 * pseudo-terminal of its own (`-inferior-tty-set`), never on gdb's pipes: what
 * it writes there is the `target` stream, what participants type goes there.
 * `*running`/`*stopped` are the state changes. A command that resumes the
 * target (`run`, `next`, `continue`) is finished when the target stops or
 * exits again, as at gdb's own prompt, or when gdb says it failed after all
 * (`^error` after `^running`): then gdb is asked what state the target is in.
 *
 * The parts: gdb_mi.ts the gdb process (tokens, I/O, result matching), gdb_stops.ts the stop
 * describer (stack, source, gdb's order while it works), gdb_resume.ts a resuming command until
 * it is over, gdb_setup.ts what gdb is told at start, gdb_signals.ts Ctrl+C and the kill sent to
 * the program itself; here the queue and the target's state.
 */
import { checkedProgram } from "./program.ts";
import { EngineError } from "../errors.ts";
import { childPipes, openPty, type Pty, type PtyOptions } from "../platform.ts";
import type { ChildPipes } from "./child_pipes.ts";
import type {
  CommandResult,
  Engine,
  EngineEvent,
  EngineListener,
  EngineSpec,
  StopInfo,
  TargetState,
} from "./engine.ts";
import { stopInfo } from "./gdb_frames.ts";
import { type MiProcess, miQuote, type MiResult, type MiWaiter, spawnMi } from "./gdb_mi.ts";
import { createResumeTracker } from "./gdb_resume.ts";
import { configureGdb } from "./gdb_setup.ts";
import { interruptTarget, killTarget } from "./gdb_signals.ts";
import { createOutbox, createStopDescriber } from "./gdb_stops.ts";
import { openTargetTerminal } from "./target_terminal.ts";
import { createGdbInspect } from "./gdb_inspect.ts";
import { type MiRecord, type MiTuple, str, tuple } from "./mi_parser.ts";

export { type SourceCache, sourceExcerpt, stackFrame, stackFrames } from "./gdb_frames.ts";
export { miQuote } from "./gdb_mi.ts";

/** Ctrl+D: end of input on a terminal in canonical mode. */
const EOF_CHAR = "\x04";

/** What the gdb engine needs from the machine, given explicitly (tests give their own). */
export interface GdbDeps {
  /** The program's terminal. */
  openPty(options: PtyOptions): Promise<Pty>;
  /** gdb's stdin and stdout (child_pipes.ts). */
  childPipes?(): Promise<ChildPipes>;
}

export function createGdbEngine(
  spec: EngineSpec,
  listener: EngineListener,
  deps: GdbDeps = { openPty, childPipes },
): Engine {
  const gdbPath = spec.debugger ?? "gdb";
  const cwd = spec.cwd ?? process.cwd();
  let mi: MiProcess | undefined;
  let pty: Pty | undefined;
  let state: TargetState = "idle";
  let description = `gdb debugging ${spec.program ?? "nothing"}`;
  let stops = 0;
  let queue: Promise<unknown> = Promise.resolve();
  /** Commands given to execute() and not finished yet (queued or under way). */
  let inFlight = 0;
  /** Ctrl+C came while a command that may resume the target had not yet done so. */
  let interruptWanted = false;
  let stopping = false;
  /** While set, console output is collected here instead of reaching the listener. */
  let capture: string[] | undefined;
  /** The user command now running, to drop gdb's echo of it. */
  let currentText: string | undefined;
  /** The debugged process, from =thread-group-started: Ctrl+C signals it directly. */
  let inferiorPid: number | undefined;
  /** How gdb ended, once it has. */
  let death = "";

  const alive = () => mi?.alive === true;
  const send = (command: string, internal = false): Promise<MiResult> =>
    mi ? mi.send(command, internal) : Promise.reject(
      new EngineError("E_ENGINE_DIED", "gdb is not running"),
    );
  const out = createOutbox();
  const describer = createStopDescriber((c) => send(c, true), () => pty);
  const later = out.later;
  const emit = (event: EngineEvent) => later(() => listener(event));
  const resumes = createResumeTracker({
    async threads() {
      const list = (await send("-thread-info", true)).results.threads;
      return Array.isArray(list) ? list as MiTuple[] : [];
    },
    later,
    stopped: (results) => onStopped(results),
    exited() {
      if (state === "idle") return;
      inferiorPid = undefined;
      state = "exited";
      listener({ type: "state", state, info: {} });
    },
  });

  const emitOutput = (stream: "console" | "target" | "error", text: string) => {
    if (text) emit({ type: "output", stream, text });
  };

  const reportStop = (s: { state: TargetState; info: StopInfo }) => {
    stops++;
    listener({ type: "state", state: s.state, info: s.info });
    resumes.stopReported(stops);
  };

  const onStopped = (results: MiTuple) => {
    if (out.holding) {
      // Behind what is held (a stop being described, the program's output): in its turn.
      later(() => onStopped(results));
      return;
    }
    const s = stopInfo(results);
    state = s.state;
    if (!alive()) {
      reportStop(s);
      return;
    }
    // The stop goes out first once described; gdb's later words wait behind it.
    out.hold(
      describer.describe(s, results),
      (found) => Object.assign(s.info, found),
      () => reportStop(s),
    );
  };

  /** Ctrl+C: a SIGINT to the target (gdb_signals.ts); gdb catches it and reports the stop. */
  const signalTarget = () => interruptTarget(inferiorPid, () => send("-exec-interrupt"));

  const onRunning = () => {
    if (state !== "running") {
      state = "running";
      listener({ type: "state", state, info: {} });
    }
    if (interruptWanted) {
      interruptWanted = false;
      void signalTarget();
    }
  };

  /** The answer to a command sent with a token. */
  const onAnswer = (r: MiResult, w: MiWaiter) => {
    resumes.answered(r);
    if (w.internal) w.resolve(r);
    else later(() => w.resolve(r));
  };

  const handleRecord = (r: MiRecord) => {
    inspect.see(r); // (inspect) breakpoints, the current thread, refs dying on resume
    switch (r.kind) {
      case "result":
        resumes.secondWord(r);
        return;
      case "exec":
        if (r.class === "running") later(onRunning);
        else if (r.class === "stopped") onStopped(r.results);
        return;
      case "notify":
        if (r.class === "thread-group-started") {
          inferiorPid = Number(str(r.results, "pid")) || undefined;
        }
        if (r.class === "thread-group-exited") {
          inferiorPid = undefined;
          resumes.groupExited();
        }
        // A console command changed the selected frame (up, down, frame N): gdb printed it
        // already; the frame and its source go out beside the transcript.
        if (r.class === "thread-selected" && state === "stopped") {
          const f = tuple(r.results, "frame");
          if (f) emit(describer.frameSelected(f));
        }
        return;
      case "console":
        if (capture) capture.push(r.text);
        else emitOutput("console", r.text);
        return;
      case "target-stream":
        emitOutput("target", r.text);
        return;
      case "log":
        if (currentText !== undefined && r.text.trim() === currentText.trim()) return;
        if (!capture) emitOutput("error", r.text);
        return;
      case "target":
        // Not an MI record: gdb itself printing outside MI (the program has its own terminal).
        emitOutput("error", r.text + "\n");
        return;
      default:
        return; // prompts, status and notify records carry nothing for the user
    }
  };

  /**
   * gdb's news of a running target (a stop, an exit, a message) comes after what the program
   * wrote before it: let that out first.
   */
  const holdForTarget = (record: MiRecord) => {
    if (state !== "running" || out.holding || !pty || !alive()) return;
    const news = record.kind === "console" || record.kind === "log" ||
      (record.kind === "exec" && record.class === "stopped") ||
      (record.kind === "notify" && record.class === "thread-exited");
    if (news) out.hold(describer.drainTarget());
  };

  const onClose = async (
    code: number | null,
    signal: string | null,
    how: string,
    wasAlive: boolean,
  ) => {
    out.release(); // a stop being described goes out as it is
    state = state === "idle" ? "idle" : "exited";
    death = how;
    resumes.finish({ ok: true }); // execute() sees gdb gone and says so
    // The program died with gdb: nothing holds its terminal but this side now.
    await pty?.close();
    if (wasAlive || stopping) listener({ type: "exit", code, signal, expected: stopping });
  };

  /** The program's terminal input, if there is a program to read it. */
  const typeIntoTarget = (text: string): CommandResult => {
    if (!alive() || !pty) return { ok: false, error: "gdb is not running: the session has ended" };
    if (state !== "running" && state !== "stopped") {
      return {
        ok: false,
        error: "no program is running: start it first (run or start), then type to it",
      };
    }
    pty.write(new TextEncoder().encode(text));
    return { ok: true };
  };

  // (inspect) The structured side: its answers outside the transcript, its news in gdb's order.
  const inspect = createGdbInspect({
    ask: (command) => send(command, true),
    state: () => state,
    changed: (breakpoints) => emit({ type: "breakpoints", breakpoints }),
  });

  const engine: Engine = {
    kind: "gdb",
    inspector: inspect.inspector,
    get description() {
      return description;
    },
    get state() {
      return state;
    },

    async start() {
      const program = checkedProgram(
        spec,
        cwd,
        "check the path (it is relative to the directory dbgremote runs in) and build the program with -g",
      );
      pty = await openTargetTerminal(deps.openPty, listener);
      const pipes = await deps.childPipes?.();
      mi = spawnMi(gdbPath, { cwd, env: spec.env ?? process.env, pipes }, {
        onAnswer(r, w) {
          holdForTarget(r);
          onAnswer(r, w);
        },
        onRecord(r) {
          holdForTarget(r);
          handleRecord(r);
        },
        onStray: (text) => emitOutput("error", text),
        onClose,
      });
      try {
        await mi.spawned;
      } catch (err) {
        await pty.close();
        throw err;
      }

      capture = [];
      try {
        const version = await configureGdb(
          send,
          () => capture!.join(""),
          pty.path,
          program,
          spec.args,
        );
        description = `gdb${version ? " " + version : ""} debugging ${program ?? "nothing"}` +
          (spec.args?.length ? ` ${spec.args.join(" ")}` : "");
      } catch (err) {
        await engine.stop();
        throw err;
      } finally {
        capture = undefined;
      }
    },

    execute(text: string): Promise<CommandResult> {
      inFlight++;
      const run = async (): Promise<CommandResult> => {
        if (!alive()) return { ok: false, error: "gdb is not running: the session has ended" };
        const before = stops;
        currentText = text;
        try {
          const ended = resumes.begin(mi!.nextToken, before);
          const r = await send(`-interpreter-exec console ${miQuote(text)}`);
          if (r.class === "error") return { ok: false, error: str(r.results, "msg") ?? "error" };
          // Over when it stops again, or gdb says it failed after all, or gdb died.
          const result = r.class === "running" ? await ended : { ok: true };
          if (!alive() && !stopping && r.class !== "exit") {
            return { ok: false, error: `gdb exited (${death}) while running "${text}"` };
          }
          return result;
        } catch (err) {
          return { ok: false, error: (err as Error).message };
        } finally {
          resumes.end();
          currentText = undefined;
          // An interrupt meant for this command, which never ran the target, ends with it.
          interruptWanted = false;
          inFlight--;
        }
      };
      const result = queue.then(run);
      queue = result;
      return result;
    },

    async interrupt() {
      if (!alive()) return false;
      if (state === "running") {
        await signalTarget();
        return true;
      }
      // A command under way may be about to run the target (`continue` sent, gdb has not said
      // "running" yet): the interrupt takes effect as soon as it runs.
      if (inFlight > 0) {
        interruptWanted = true;
        return true;
      }
      return false;
    },

    input(text: string) {
      return typeIntoTarget(text);
    },

    eof() {
      return typeIntoTarget(EOF_CHAR);
    },

    resize(cols: number, rows: number) {
      if (!alive() || !pty) {
        return { ok: false, error: "gdb is not running: the session has ended" };
      }
      pty.resize(cols, rows); // the kernel tells the program (SIGWINCH)
      return { ok: true };
    },

    async unsetEnv(names: string[]) {
      // Run between commands: gdb reads none while a console command runs the target.
      for (const name of names) {
        await engine.execute(`unset environment ${name}`);
      }
    },

    async stop() {
      if (!mi) {
        await pty?.close();
        return;
      }
      if (stopping) return await mi.exited;
      stopping = true;
      if (alive()) {
        // gdb reads no input while a console command runs the target: end the target first.
        if (state === "running" && inferiorPid !== undefined) killTarget(inferiorPid);
        await mi.exit(2000);
      }
    },
  };
  return engine;
}
