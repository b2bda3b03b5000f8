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
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { EngineError } from "../errors.ts";
import type {
  CommandResult,
  Engine,
  EngineListener,
  EngineSpec,
  StopInfo,
  TargetState,
} from "./engine.ts";
import { type MiRecord, type MiTuple, parseMiLine, splitGlued, str, tuple } from "./mi_parser.ts";

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
  let partial = "";
  /** The debugged process, from =thread-group-started: Ctrl+C signals it directly. */
  let inferiorPid: number | undefined;
  /** How gdb ended, once it has. */
  let death = "";

  const emitOutput = (stream: "console" | "target" | "error", text: string) => {
    if (text) listener({ type: "output", stream, text });
  };

  const handleRecord = (r: MiRecord) => {
    switch (r.kind) {
      case "result": {
        const w = r.token === undefined ? undefined : waiters.get(r.token);
        if (w) {
          waiters.delete(r.token!);
          w.resolve(r);
        }
        return;
      }
      case "exec":
        if (r.class === "running") {
          if (state !== "running") {
            state = "running";
            listener({ type: "state", state, info: {} });
          }
        } else if (r.class === "stopped") {
          const s = stopInfo(r.results);
          state = s.state;
          stops++;
          listener({ type: "state", state: s.state, info: s.info });
          const w = stopWaiter;
          stopWaiter = undefined;
          w?.();
        }
        return;
      case "notify":
        if (r.class === "thread-group-started") {
          inferiorPid = Number(str(r.results, "pid")) || undefined;
        }
        if (r.class === "thread-group-exited") inferiorPid = undefined;
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

  const send = (command: string): Promise<MiRecord & { kind: "result" }> => {
    if (!child || !alive) {
      return Promise.reject(new EngineError("E_ENGINE_DIED", "gdb is not running"));
    }
    const token = nextToken++;
    return new Promise((resolve, reject) => {
      waiters.set(token, { resolve, reject });
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
        partial += chunk;
        let nl;
        while ((nl = partial.indexOf("\n")) >= 0) {
          const line = partial.slice(0, nl);
          partial = partial.slice(nl + 1);
          handleLine(line);
        }
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
