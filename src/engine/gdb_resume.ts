/**
 * A user command that resumes the target (`run`, `next`, `continue`), until it is over: the
 * target stops or exits again, as at gdb's own prompt, or gdb says it failed after all
 * (`^error` after `^running`, or the program gone without the `*stopped` that normally
 * follows): then gdb is asked what state the target is in, that is reported, and the command
 * ends.
 */
import type { CommandResult } from "./engine.ts";
import type { MiResult } from "./gdb_mi.ts";
import { type MiTuple, str, tuple } from "./mi_parser.ts";

/**
 * gdb follows =thread-group-exited with the exit's *stopped, but not always before it reads the
 * next command: a resume still waiting this long after the program is gone ends without one.
 */
const EXIT_STOP_WAIT_MS = 2000;

/** What the tracker needs from the engine when a resume ends without its stop. */
export interface ResumeHooks {
  /** gdb's `-thread-info` threads; rejects if gdb died. */
  threads(): Promise<MiTuple[]>;
  /** Run `f` in gdb's order (behind a stop being described). */
  later(f: () => void): void;
  /** A thread is stopped after all: report the stop (a `*stopped`-like result). */
  stopped(results: MiTuple): void;
  /** No thread left: the program is gone. */
  exited(): void;
}

export interface ResumeTracker {
  /**
   * A user command is sent with `token` now, with `stops` stops reported so far. Resolves when
   * it is over if it resumes the target (never, if it does not: see end()).
   */
  begin(token: number, stops: number): Promise<CommandResult>;
  /** The answer to a command sent with a token (in gdb's order). */
  answered(r: MiResult): void;
  /** A result record nobody waits for: the resuming command's second word, if it is one. */
  secondWord(r: MiResult): void;
  /** A stop was reported; `stops` counts every one so far. */
  stopReported(stops: number): void;
  /** The program is gone (=thread-group-exited). */
  groupExited(): void;
  /** The command's execute() is over: forget it unless it resumed the target. */
  end(): void;
  /** End the resume under way (gdb died). */
  finish(result: CommandResult): void;
}

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

export function createResumeTracker(hooks: ResumeHooks): ResumeTracker {
  let resume: Resume | undefined;

  const finish = (result: CommandResult) => {
    const r = resume;
    resume = undefined;
    clearTimeout(r?.exitWait);
    r?.finish(result);
  };

  /** Ask gdb what state the target is in, report it, then end the command. */
  const settle = async (result: CommandResult) => {
    const r = resume;
    if (!r) return;
    let threads: MiTuple[];
    try {
      threads = await hooks.threads();
    } catch {
      return; // gdb died: its close handler ends the command
    }
    // Behind a stop gdb reported before answering (still being described), if any.
    hooks.later(() => {
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
        hooks.stopped(frame ? { frame } : {});
      } else hooks.exited();
      hooks.later(() => r.finish(result));
    });
  };

  return {
    begin(token, stops) {
      return new Promise<CommandResult>((f) => {
        resume = { token, resumed: false, before: stops, finish: f };
      });
    },
    answered(r) {
      // Decided here, in gdb's order: a failure right behind `^running` must find it.
      if (resume?.token !== r.token) return;
      if (r.class === "running") resume!.resumed = true;
      else resume = undefined;
    },
    secondWord(r) {
      if (!resume?.resumed || r.token !== resume.token) return;
      // It failed after all (`Command aborted.`).
      const result: CommandResult = r.class === "error"
        ? { ok: false, error: str(r.results, "msg") ?? "error" }
        : { ok: true };
      hooks.later(() => void settle(result));
    },
    stopReported(stops) {
      if (resume?.resumed && stops > resume.before) finish({ ok: true });
    },
    groupExited() {
      const r = resume;
      if (r?.resumed && r.exitWait === undefined) {
        r.exitWait = setTimeout(() => {
          if (resume === r) hooks.later(() => void settle({ ok: true }));
        }, EXIT_STOP_WAIT_MS);
      }
    },
    end() {
      if (resume && !resume.resumed) resume = undefined;
    },
    finish,
  };
}
