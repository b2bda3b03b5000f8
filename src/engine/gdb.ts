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
 */
import { lineSplitter } from "./lines.ts";
import { checkedProgram } from "./program.ts";
import { type ChildProcess, spawn } from "node:child_process";
import { EngineError } from "../errors.ts";
import { openPty, type Pty, type PtyOptions } from "../platform.ts";
import type {
  CommandResult,
  Engine,
  EngineEvent,
  EngineListener,
  EngineSpec,
  StopInfo,
  TargetState,
} from "./engine.ts";
import { describeStopWith, frameEvent, type SourceCache, stopInfo } from "./gdb_frames.ts";
import { drainWithin, openTargetTerminal } from "./target_terminal.ts";
import { type MiRecord, type MiTuple, parseMiLine, splitGlued, str, tuple } from "./mi_parser.ts";
import { createGdbInspect } from "./gdb_inspect.ts";

export { type SourceCache, sourceExcerpt, stackFrame, stackFrames } from "./gdb_frames.ts";

/** Give up describing a stop (stack, source) after this long: the stop is reported without. */
const DESCRIBE_TIMEOUT_MS = 3000;
/** The program's terminal type: what most consoles are. */
const TARGET_TERM = "xterm-256color";
/** Ctrl+D: end of input on a terminal in canonical mode. */
const EOF_CHAR = "\x04";

/** Quote a string as an MI c-string. */
export function miQuote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/** Quote one argument for the shell gdb starts the program with. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** What the gdb engine needs from the machine, given explicitly (tests give their own). */
export interface GdbDeps {
  /** The program's terminal. */
  openPty(options: PtyOptions): Promise<Pty>;
}

interface Waiter {
  resolve(record: MiRecord & { kind: "result" }): void;
  reject(err: Error): void;
  /** The engine's own bookkeeping command (stack listing), not a user's. */
  internal: boolean;
}

/** A user command that resumed the target (`^running`), until it is over. */
interface Resume {
  token: number;
  /** gdb said `^running`: until then the command may end like any other. */
  resumed: boolean;
  /** Stops reported before it resumed: one more ends it. */
  before: number;
  finish(result: CommandResult): void;
  /** After =thread-group-exited: how long the *stopped that normally follows is waited for. */
  exitWait?: ReturnType<typeof setTimeout>;
}

/**
 * gdb follows =thread-group-exited with the exit's *stopped, but not always before it reads the
 * next command: a resume still waiting this long after the program is gone ends without one.
 */
const EXIT_STOP_WAIT_MS = 2000;

export function createGdbEngine(
  spec: EngineSpec,
  listener: EngineListener,
  deps: GdbDeps = { openPty },
): Engine {
  const gdbPath = spec.debugger ?? "gdb";
  const cwd = spec.cwd ?? process.cwd();
  let child: ChildProcess | undefined;
  let pty: Pty | undefined;
  let state: TargetState = "idle";
  let description = `gdb debugging ${spec.program ?? "nothing"}`;
  let nextToken = 1;
  const waiters = new Map<number, Waiter>();
  let stops = 0;
  let resume: Resume | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  /** Commands given to execute() and not finished yet (queued or under way). */
  let inFlight = 0;
  /** Ctrl+C came while a command that may resume the target had not yet done so. */
  let interruptWanted = false;
  let alive = false;
  let stopping = false;
  let exited: Promise<void> = Promise.resolve();
  /** While set, console output is collected here instead of reaching the listener. */
  let capture: string[] | undefined;
  /** The user command now running, to drop gdb's echo of it. */
  let currentText: string | undefined;
  /** gdb's stdout, cut into lines in linear time however long a line is. */
  const lines = lineSplitter();
  /** The debugged process, from =thread-group-started: Ctrl+C signals it directly. */
  let inferiorPid: number | undefined;
  /** How gdb ended, once it has. */
  let death = "";

  /**
   * While a stop is being described (its stack fetched), everything gdb says
   * after it waits here, so events keep gdb's order and a command that
   * finishes meanwhile is not reported done before its output.
   */
  let held: (() => void)[] | undefined;
  const sources: SourceCache = new Map();
  const later = (f: () => void) => held ? held.push(f) : f();
  const emit = (event: EngineEvent) => later(() => listener(event));

  const emitOutput = (stream: "console" | "target" | "error", text: string) => {
    if (text) emit({ type: "output", stream, text });
  };

  const finishResume = (result: CommandResult) => {
    const r = resume;
    resume = undefined;
    clearTimeout(r?.exitWait);
    r?.finish(result);
  };

  const reportStop = (s: { state: TargetState; info: StopInfo }) => {
    stops++;
    listener({ type: "state", state: s.state, info: s.info });
    if (resume?.resumed && stops > resume.before) finishResume({ ok: true });
  };

  const describeStop = (info: StopInfo, frame: MiTuple | undefined) =>
    describeStopWith((c) => send(c, true), info, frame, sources, DESCRIBE_TIMEOUT_MS);
  const frameSelected = (f: MiTuple) => frameEvent(f, sources);
  /** Everything the program wrote before it stopped or exited, out before the news. */
  const drainTarget = () => pty ? drainWithin(pty, DESCRIBE_TIMEOUT_MS) : Promise.resolve();

  /** Let everything held back go out, in gdb's order. */
  const release = () => {
    const h = held;
    held = undefined;
    h?.forEach((f) => f());
  };

  const onStopped = (results: MiTuple) => {
    if (held) {
      // Behind what is held (a stop being described, the program's output): in its turn.
      later(() => onStopped(results));
      return;
    }
    const s = stopInfo(results);
    state = s.state;
    if (!alive) {
      reportStop(s);
      return;
    }
    // The stop goes out first once described; gdb's later words wait behind it.
    const mine = [() => reportStop(s)];
    held = mine;
    const described = s.state === "stopped"
      ? describeStop(s.info, tuple(results, "frame"))
      : Promise.resolve({});
    void Promise.all([described, drainTarget()]).then(([found]) => {
      if (held !== mine) return; // gdb died meanwhile: already reported as it was
      Object.assign(s.info, found);
      release();
    });
  };

  /** Ctrl+C: a SIGINT to the target, as at gdb's own prompt; gdb catches it and reports the stop. */
  const signalTarget = async () => {
    // A console command like `continue` runs synchronously: gdb reads no MI input until the
    // target stops, so -exec-interrupt would wait.
    if (inferiorPid !== undefined) {
      try {
        process.kill(inferiorPid, "SIGINT");
        return;
      } catch {
        // gone already, or not ours to signal: ask gdb
      }
    }
    // Bounded: if gdb is busy it answers once the target stops anyway.
    await Promise.race([
      send("-exec-interrupt").catch(() => {}),
      new Promise((r) => setTimeout(r, 2000).unref?.()),
    ]);
  };

  /**
   * A resuming command ended without the stop it promised (`^error` after `^running`, or the
   * program gone): ask gdb what state the target is in, report it, then end the command.
   */
  const settle = async (result: CommandResult) => {
    const r = resume;
    if (!r) return;
    let threads: MiTuple[] = [];
    try {
      const answer = await send("-thread-info", true);
      const list = answer.results.threads;
      if (Array.isArray(list)) threads = list as MiTuple[];
    } catch {
      // gdb died: its close handler ends the command
      return;
    }
    // Behind a stop gdb reported before answering (still being described), if any.
    later(() => {
      if (resume !== r) return; // that stop (or gdb's death) ended the command
      resume = undefined;
      clearTimeout(r.exitWait);
      const stopped = threads.find((t) => str(t, "state") === "stopped");
      if (threads.some((t) => str(t, "state") === "running")) {
        // Still running after all: the next *stopped reports it; nothing is waited for.
        r.finish(result);
        return;
      }
      if (stopped) {
        const frame = tuple(stopped, "frame");
        onStopped(frame ? { frame } : {});
      } else if (state !== "idle") {
        inferiorPid = undefined;
        state = "exited";
        listener({ type: "state", state, info: {} });
      }
      later(() => r.finish(result));
    });
  };

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

  const handleRecord = (r: MiRecord) => {
    inspect.see(r); // (inspect) breakpoints, the current thread, refs dying on resume
    switch (r.kind) {
      case "result": {
        const w = r.token === undefined ? undefined : waiters.get(r.token);
        if (w) {
          waiters.delete(r.token!);
          // Decided here, in gdb's order: a failure right behind `^running` must find it.
          if (resume?.token === r.token) {
            if (r.class === "running") resume!.resumed = true;
            else resume = undefined;
          }
          if (w.internal) w.resolve(r);
          else later(() => w.resolve(r));
        } else if (resume?.resumed && r.token === resume.token) {
          // The resuming command's second word: it failed after all (`Command aborted.`).
          const result: CommandResult = r.class === "error"
            ? { ok: false, error: str(r.results, "msg") ?? "error" }
            : { ok: true };
          later(() => void settle(result));
        }
        return;
      }
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
          const r = resume;
          if (r?.resumed && r.exitWait === undefined) {
            r.exitWait = setTimeout(() => {
              if (resume === r) later(() => void settle({ ok: true }));
            }, EXIT_STOP_WAIT_MS);
          }
        }
        // A console command changed the selected frame (up, down, frame N): gdb printed it
        // already; the frame and its source go out beside the transcript.
        if (r.class === "thread-selected" && state === "stopped") {
          const f = tuple(r.results, "frame");
          if (f) emit(frameSelected(f));
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
    if (state !== "running" || held || !pty || !alive) return;
    const news = record.kind === "console" || record.kind === "log" ||
      (record.kind === "exec" && record.class === "stopped") ||
      (record.kind === "notify" && record.class === "thread-exited");
    if (!news) return;
    const mine: (() => void)[] = [];
    held = mine;
    void drainTarget().then(() => {
      if (held === mine) release();
    });
  };

  const handleLine = (line: string) => {
    const record = parseMiLine(line);
    holdForTarget(record);
    if (record.kind === "target") {
      const glued = splitGlued(line);
      if (glued) {
        emitOutput("error", glued.target);
        handleRecord(glued.record);
        return;
      }
    }
    handleRecord(record);
  };

  const send = (command: string, internal = false): Promise<MiRecord & { kind: "result" }> => {
    if (!child || !alive) {
      return Promise.reject(new EngineError("E_ENGINE_DIED", "gdb is not running"));
    }
    const token = nextToken++;
    return new Promise((resolve, reject) => {
      waiters.set(token, { resolve, reject, internal });
      child!.stdin!.write(`${token}${command}\n`);
    });
  };

  const setup = async (command: string) => {
    const r = await send(command);
    if (r.class === "error") {
      throw new EngineError(
        "E_ENGINE_START",
        `gdb refused "${command}": ${str(r.results, "msg")}`,
        {
          hint: "check the program and the gdb version (gdb 10 or newer)",
        },
      );
    }
    return r;
  };

  /** The program's terminal input, if there is a program to read it. */
  const typeIntoTarget = (text: string): CommandResult => {
    if (!alive || !pty) return { ok: false, error: "gdb is not running: the session has ended" };
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
      child = spawn(gdbPath, ["--interpreter=mi3", "--nx", "--quiet"], {
        cwd,
        stdio: ["pipe", "pipe", "pipe"],
        env: { ...(spec.env ?? process.env), TERM: "dumb" },
      });
      alive = true;
      const proc = child;
      const spawned = new Promise<void>((resolve, reject) => {
        proc.once("spawn", resolve);
        proc.once("error", (err: NodeJS.ErrnoException) => {
          alive = false;
          reject(
            err.code === "ENOENT"
              ? new EngineError("E_ENGINE_MISSING", `${gdbPath} not found on PATH`, {
                hint: "install gdb (Debian/Ubuntu: apt-get install gdb) or give its path",
                cause: err,
              })
              : new EngineError("E_ENGINE_START", `cannot start ${gdbPath}: ${err.message}`, {
                cause: err,
              }),
          );
        });
      });
      exited = new Promise<void>((resolve) => {
        proc.once("close", async (code, signal) => {
          const wasAlive = alive;
          alive = false;
          release(); // a stop being described goes out as it is
          state = state === "idle" ? "idle" : "exited";
          const how = signal ? `signal ${signal}` : `code ${code}`;
          death = how;
          for (const [, w] of waiters) {
            w.reject(
              new EngineError("E_ENGINE_DIED", `gdb exited (${how}) while running a command`),
            );
          }
          waiters.clear();
          finishResume({ ok: true }); // execute() sees gdb gone and says so
          // The program died with gdb: nothing holds its terminal but this side now.
          await pty?.close();
          if (wasAlive || stopping) {
            listener({ type: "exit", code, signal, expected: stopping });
          }
          resolve();
        });
      });
      proc.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
        for (const line of lines.push(chunk)) handleLine(line);
      });
      // gdb's own stderr (rare in MI mode) is shown as error text.
      proc.stderr!.setEncoding("utf8").on("data", (chunk: string) => emitOutput("error", chunk));
      proc.stdin!.on("error", () => {}); // gdb died; the close handler reports it
      try {
        await spawned;
      } catch (err) {
        await pty.close();
        throw err;
      }

      capture = [];
      try {
        await setup("-gdb-set mi-async on");
        for (const s of ["confirm off", "pagination off", "width 0", "height 0"]) {
          await setup(`-gdb-set ${s}`);
        }
        await setup("-gdb-version");
        const version = capture.join("").split("\n")[0].match(/(\d+\.\d+(\.\d+)?)\s*$/)?.[1];
        // Every run, whatever its arguments or redirections, gets the program's own terminal:
        // it can never read gdb's command pipe.
        await setup(`-inferior-tty-set ${miQuote(pty.path)}`);
        await setup(`-interpreter-exec console ${miQuote(`set environment TERM ${TARGET_TERM}`)}`);
        // gdb tells the program its own (unlimited) screen size; the terminal knows the real one.
        await setup(`-interpreter-exec console ${miQuote("unset environment LINES")}`);
        await setup(`-interpreter-exec console ${miQuote("unset environment COLUMNS")}`);
        if (program) {
          await setup(`-file-exec-and-symbols ${miQuote(program)}`);
          if (spec.args?.length) {
            await setup(`-exec-arguments ${spec.args.map(shellQuote).join(" ")}`);
          }
        }
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
        if (!alive) return { ok: false, error: "gdb is not running: the session has ended" };
        const before = stops;
        currentText = text;
        try {
          let finish!: (result: CommandResult) => void;
          const ended = new Promise<CommandResult>((f) => (finish = f));
          resume = { token: nextToken, resumed: false, before, finish };
          const r = await send(`-interpreter-exec console ${miQuote(text)}`);
          if (r.class === "error") return { ok: false, error: str(r.results, "msg") ?? "error" };
          // Over when it stops again, or gdb says it failed after all, or gdb died.
          const result = r.class === "running" ? await ended : { ok: true };
          if (!alive && !stopping && r.class !== "exit") {
            return { ok: false, error: `gdb exited (${death}) while running "${text}"` };
          }
          return result;
        } catch (err) {
          return { ok: false, error: (err as Error).message };
        } finally {
          if (resume?.token !== undefined && !resume.resumed) resume = undefined;
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
      if (!alive) return false;
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
      if (!alive || !pty) return { ok: false, error: "gdb is not running: the session has ended" };
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
      if (!child) {
        await pty?.close();
        return;
      }
      if (stopping) return await exited;
      stopping = true;
      if (alive) {
        // gdb reads no input while a console command runs the target: end the target first.
        if (state === "running" && inferiorPid !== undefined) {
          try {
            process.kill(inferiorPid, "SIGKILL");
          } catch {
            // already gone
          }
        }
        child.stdin!.write(`${nextToken++}-gdb-exit\n`);
        const timer = setTimeout(() => child!.kill("SIGKILL"), 2000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
  return engine;
}
