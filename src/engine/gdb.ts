/**
 * The gdb engine: drives `gdb --interpreter=mi3`.
 *
 * Users type ordinary gdb commands; each is sent as
 * `TOKEN-interpreter-exec console "TEXT"`, so its result record closes it.
 * `~` records are gdb's answers, `&` its error text, `@` records and any line
 * that is not an MI record are the program's own output (it shares gdb's
 * stdout). `*running`/`*stopped` are the state changes. A command that
 * resumes the target (`run`, `next`, `continue`) is finished when the target
 * stops or exits again, as at gdb's own prompt.
 */
import { lineSplitter } from "./lines.ts";
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { EngineError } from "../errors.ts";
import type {
  CommandResult,
  Engine,
  EngineEvent,
  EngineListener,
  EngineSpec,
  SourceExcerpt,
  StackFrame,
  StopInfo,
  TargetState,
} from "./engine.ts";
import {
  type MiRecord,
  type MiTuple,
  type MiValue,
  parseMiLine,
  splitGlued,
  str,
  tuple,
} from "./mi_parser.ts";

/** Frames reported with each stop. */
const MAX_FRAMES = 32;
/** Lines of source shown before and after the stop line. */
const SOURCE_CONTEXT = 6;
/** Source files larger than this are not read for excerpts. */
const MAX_SOURCE_BYTES = 8 * 1024 * 1024;
/** Give up describing a stop (stack, source) after this long: the stop is reported without. */
const DESCRIBE_TIMEOUT_MS = 3000;

/** Quote a string as an MI c-string. */
export function miQuote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/** Quote one argument for the shell gdb starts the program with. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

interface Waiter {
  resolve(record: MiRecord & { kind: "result" }): void;
  reject(err: Error): void;
  /** The engine's own bookkeeping command (stack listing), not a user's. */
  internal: boolean;
}

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

function stopInfo(results: MiTuple): { state: TargetState; info: StopInfo } {
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

export function createGdbEngine(spec: EngineSpec, listener: EngineListener): Engine {
  const gdbPath = spec.debugger ?? "gdb";
  const cwd = spec.cwd ?? process.cwd();
  let child: ChildProcess | undefined;
  let state: TargetState = "idle";
  let description = `gdb debugging ${spec.program ?? "nothing"}`;
  let nextToken = 1;
  const waiters = new Map<number, Waiter>();
  let stops = 0;
  let stopWaiter: (() => void) | undefined;
  let queue: Promise<unknown> = Promise.resolve();
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

  const reportStop = (s: { state: TargetState; info: StopInfo }) => {
    stops++;
    listener({ type: "state", state: s.state, info: s.info });
    const w = stopWaiter;
    stopWaiter = undefined;
    w?.();
  };

  /** The stack and the source around a stop, asked of gdb outside the transcript. */
  const describeStop = async (
    info: StopInfo,
    frame: MiTuple | undefined,
  ): Promise<Pick<StopInfo, "frames" | "source">> => {
    const found: Pick<StopInfo, "frames" | "source"> = {};
    const last = MAX_FRAMES - 1;
    const asked = Promise.all([
      send(`-stack-list-frames 0 ${last}`, true),
      send(`-stack-list-arguments --simple-values 0 ${last}`, true),
    ]);
    asked.catch(() => {}); // a timeout below may leave it unanswered
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<undefined>((r) => {
      timer = setTimeout(() => r(undefined), DESCRIBE_TIMEOUT_MS);
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
  };

  const frameSelected = (f: MiTuple): EngineEvent => {
    const frame = stackFrame(f);
    const fullname = str(f, "fullname");
    const source = fullname && frame.line
      ? sourceExcerpt(fullname, frame.line, sources)
      : undefined;
    return source ? { type: "frame", frame, source } : { type: "frame", frame };
  };

  /** Let everything held back go out, in gdb's order. */
  const release = () => {
    const h = held;
    held = undefined;
    h?.forEach((f) => f());
  };

  const onStopped = (results: MiTuple) => {
    const s = stopInfo(results);
    state = s.state;
    if (s.state !== "stopped" || !alive || held) {
      later(() => reportStop(s));
      return;
    }
    // The stop goes out first once described; gdb's later words wait behind it.
    const mine = [() => reportStop(s)];
    held = mine;
    void describeStop(s.info, tuple(results, "frame")).then((found) => {
      if (held !== mine) return; // gdb died meanwhile: already reported as it was
      Object.assign(s.info, found);
      release();
    });
  };

  const handleRecord = (r: MiRecord) => {
    switch (r.kind) {
      case "result": {
        const w = r.token === undefined ? undefined : waiters.get(r.token);
        if (w) {
          waiters.delete(r.token!);
          if (w.internal) w.resolve(r);
          else later(() => w.resolve(r));
        }
        return;
      }
      case "exec":
        if (r.class === "running") {
          later(() => {
            if (state !== "running") {
              state = "running";
              listener({ type: "state", state, info: {} });
            }
          });
        } else if (r.class === "stopped") {
          onStopped(r.results);
        }
        return;
      case "notify":
        if (r.class === "thread-group-started") {
          inferiorPid = Number(str(r.results, "pid")) || undefined;
        }
        if (r.class === "thread-group-exited") inferiorPid = undefined;
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
        emitOutput("target", r.text + "\n");
        return;
      default:
        return; // prompts, status and notify records carry nothing for the user
    }
  };

  const handleLine = (line: string) => {
    const record = parseMiLine(line);
    if (record.kind === "target") {
      const glued = splitGlued(line);
      if (glued) {
        emitOutput("target", glued.target);
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

  const waitForStop = (since: number) =>
    new Promise<void>((resolve) => {
      if (stops > since || !alive) return resolve();
      stopWaiter = resolve;
    });

  const engine: Engine = {
    kind: "gdb",
    get description() {
      return description;
    },
    get state() {
      return state;
    },

    async start() {
      let program: string | undefined;
      if (spec.program) {
        program = path.resolve(cwd, spec.program);
        let ok = false;
        try {
          ok = fs.statSync(program).isFile();
        } catch {
          ok = false;
        }
        if (!ok) {
          throw new EngineError(
            "E_PROGRAM_MISSING",
            `program ${program} does not exist or is not a file`,
            {
              hint:
                "check the path (it is relative to the directory dbgremote runs in) and build the program with -g",
            },
          );
        }
      }
      child = spawn(gdbPath, ["--interpreter=mi3", "--nx", "--quiet"], {
        cwd,
        stdio: ["pipe", "pipe", "pipe"],
        env: { ...process.env, TERM: "dumb" },
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
        proc.once("close", (code, signal) => {
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
          stopWaiter?.();
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
      await spawned;

      capture = [];
      try {
        await setup("-gdb-set mi-async on");
        for (const s of ["confirm off", "pagination off", "width 0", "height 0"]) {
          await setup(`-gdb-set ${s}`);
        }
        await setup("-gdb-version");
        const version = capture.join("").split("\n")[0].match(/(\d+\.\d+(\.\d+)?)\s*$/)?.[1];
        if (program) {
          await setup(`-file-exec-and-symbols ${miQuote(program)}`);
          // The program must not read gdb's stdin (our command pipe): give it /dev/null.
          const args = [...(spec.args ?? []).map(shellQuote), "</dev/null"].join(" ");
          await setup(`-exec-arguments ${args}`);
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
      const run = async (): Promise<CommandResult> => {
        if (!alive) return { ok: false, error: "gdb is not running: the session has ended" };
        const before = stops;
        currentText = text;
        try {
          const r = await send(`-interpreter-exec console ${miQuote(text)}`);
          if (r.class === "error") return { ok: false, error: str(r.results, "msg") ?? "error" };
          if (r.class === "running") await waitForStop(before);
          if (!alive && !stopping && r.class !== "exit") {
            return { ok: false, error: `gdb exited (${death}) while running "${text}"` };
          }
          return { ok: true };
        } catch (err) {
          return { ok: false, error: (err as Error).message };
        } finally {
          currentText = undefined;
        }
      };
      const result = queue.then(run);
      queue = result;
      return result;
    },

    async interrupt() {
      if (!alive || state !== "running") return;
      // A console command like `continue` runs synchronously: gdb reads no MI input until the
      // target stops, so -exec-interrupt would wait. A SIGINT to the target is what Ctrl+C at
      // gdb's own prompt does; gdb catches it and reports the stop.
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
    },

    async stop() {
      if (!child || stopping) return await exited;
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
