/**
 * DAP's `runInTerminal` reverse request answered with the server's own pty: the command the
 * adapter gives (lldb-dap's launcher, debugpy's launcher) starts with the pty as its
 * controlling terminal and its stdin, stdout and stderr, as a terminal window would start it.
 * The program it runs then writes to our pty (the `target` stream), reads what participants
 * type (`.input`), sees isatty() true and its size (`.ttysize`).
 *
 * `setsid --ctty` (util-linux) makes the pty the controlling terminal of a new session, so a
 * Ctrl+C typed into it signals the program as at a real terminal.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { EngineError } from "../../errors.ts";
import type { Pty } from "../../pty.ts";
import type { CommandResult, TargetState } from "../engine.ts";

/** The program started in our terminal, and how to end it. */
export interface TerminalLaunch {
  readonly pid: number | undefined;
  kill(): void;
}

/**
 * Start `args` on the terminal `ttyPath`. `env`: the engine's environment; the request's own
 * variables are laid over it (a null value removes one, as DAP says).
 */
export function runInTerminal(
  ttyPath: string,
  req: DebugProtocol.RunInTerminalRequestArguments,
  env: Record<string, string | undefined>,
): Promise<{ launch: TerminalLaunch; body: DebugProtocol.RunInTerminalResponse["body"] }> {
  if (!req.args?.length) {
    return Promise.reject(new EngineError("E_ENGINE_START", "runInTerminal without a command"));
  }
  // The program's terminal is what most consoles are, as under gdb, unless the launch says.
  const merged: Record<string, string | undefined> = { ...env, TERM: "xterm-256color" };
  for (const [name, value] of Object.entries(req.env ?? {})) {
    if (value === null) delete merged[name];
    else merged[name] = value;
  }
  // Each launch opens the terminal afresh (as gdb does for every run); the child keeps its own.
  const fd = fs.openSync(ttyPath, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
  let child: ChildProcess;
  try {
    child = spawn("setsid", ["--ctty", "--", ...req.args], {
      cwd: req.cwd || undefined,
      env: merged,
      stdio: [fd, fd, fd],
    });
  } finally {
    fs.closeSync(fd);
  }
  const launch: TerminalLaunch = {
    get pid() {
      return child.pid;
    },
    kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        child.kill("SIGKILL");
      } catch {
        // gone already
      }
    },
  };
  child.on("error", () => {}); // after the start: nothing to report (kill() of a gone child)
  return new Promise((resolve, reject) => {
    child.once("spawn", () => resolve({ launch, body: { processId: child.pid } }));
    child.once("error", (err) =>
      reject(
        new EngineError("E_ENGINE_START", `cannot start the program's terminal: ${err.message}`, {
          hint: "dbgremote runs the program with setsid (util-linux): install util-linux",
          cause: err,
        }),
      ));
  });
}

/** Ctrl+D: end of input on a terminal in canonical mode. */
export const EOF_CHAR = "\x04";

/** What input(), eof() and resize() of a DAP engine see of it. */
export interface TerminalOwner {
  kind: string;
  alive: boolean;
  pty: Pty | undefined;
  state: TargetState;
}

/** `.input`/`.eof` (`text`) or `.ttysize` (`size`) on the program's terminal, when it has one. */
export function useTerminal(
  o: TerminalOwner,
  act: { text: string } | { cols: number; rows: number },
): CommandResult {
  if (!o.alive) return { ok: false, error: `${o.kind} is not running: the session has ended` };
  if (!o.pty) return { ok: false, error: "the program has no terminal of ours" };
  if ("cols" in act) {
    o.pty.resize(act.cols, act.rows); // the kernel tells the program (SIGWINCH)
    return { ok: true };
  }
  if (o.state !== "running" && o.state !== "stopped") {
    return { ok: false, error: "no program is running: start it first, then type to it" };
  }
  o.pty.write(new TextEncoder().encode(act.text));
  return { ok: true };
}
