/**
 * The gdb process the engine talks MI to: spawned with `--interpreter=mi3`, its stdout cut into
 * records, each command sent with a token and answered by the result record carrying it.
 *
 * What the records mean (state, ordering, a user's command) is the engine's business: every
 * record goes to its hooks, a result record with the waiter it answers, so the engine decides
 * when that answer is delivered (in gdb's order, behind a stop being described).
 */
import { EngineError } from "../errors.ts";
import { lineSplitter } from "./lines.ts";
import { spawned } from "./spawned.ts";
import { type MiRecord, parseMiLine, splitGlued } from "./mi_parser.ts";
import { type ChildPipes, spawnPiped, streamPipes } from "./child_pipes.ts";

/** A result record (`^done`, `^running`, `^error`, `^exit`). */
export type MiResult = MiRecord & { kind: "result" };

/** Someone waiting for the result record of a command sent with a token. */
export interface MiWaiter {
  resolve(record: MiResult): void;
  reject(err: Error): void;
  /** The engine's own bookkeeping command (stack listing), not a user's. */
  internal: boolean;
}

export interface MiHooks {
  /** The result record answering a command sent with send(): `waiter` is resolved by the hook. */
  onAnswer(record: MiResult, waiter: MiWaiter): void;
  /** Every other record (a result record nobody waits for too). */
  onRecord(record: MiRecord): void;
  /** gdb's text outside MI (its stderr, text glued before a record). */
  onStray(text: string): void;
  /**
   * gdb is gone (`how`: "code N" or "signal S"); every waiter was rejected already.
   * `wasAlive`: it had started (not a failed spawn).
   */
  onClose(
    code: number | null,
    signal: string | null,
    how: string,
    wasAlive: boolean,
  ): Promise<void>;
}

export interface MiProcess {
  readonly alive: boolean;
  /** The token the next command will carry. */
  readonly nextToken: number;
  /** Resolves once gdb runs; rejects with E_ENGINE_MISSING / E_ENGINE_START. */
  readonly spawned: Promise<void>;
  /** Resolves once gdb is gone and onClose has run. */
  readonly exited: Promise<void>;
  /** Send one MI command; resolves with its result record. Rejects (E_ENGINE_DIED) if gdb is gone. */
  send(command: string, internal?: boolean): Promise<MiResult>;
  /** Ask gdb to exit (`-gdb-exit`), kill it after `ms`, and wait until it is gone. */
  exit(ms: number): Promise<void>;
}

/** Quote a string as an MI c-string. */
export function miQuote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

export function spawnMi(
  gdbPath: string,
  options: {
    cwd: string;
    env: Record<string, string | undefined>;
    /** gdb's stdin and stdout (child_pipes.ts); default its own streams. */
    pipes?: ChildPipes;
  },
  hooks: MiHooks,
): MiProcess {
  let alive = true;
  let nextToken = 1;
  const waiters = new Map<number, MiWaiter>();
  /** gdb's stdout, cut into lines in linear time however long a line is. */
  const lines = lineSplitter();
  const utf8 = new TextDecoder();
  // gdb's stdout, read to its end: every record through handleLine (a character cut in two by
  // a read is kept until its rest comes).
  const { child, stdin, closed } = spawnPiped(
    gdbPath,
    ["--interpreter=mi3", "--nx", "--quiet"],
    { cwd: options.cwd, env: { ...options.env, TERM: "dumb" } },
    options.pipes ?? streamPipes(),
    (chunk) => {
      for (const line of lines.push(utf8.decode(chunk, { stream: true }))) handleLine(line);
    },
  );

  const started = spawned(
    child,
    gdbPath,
    () => (alive = false),
    `${gdbPath} not found on PATH`,
    "install gdb (Debian/Ubuntu: apt-get install gdb) or give its path",
  );
  // Told after every record gdb wrote was read (its last words, `^exit`).
  const exited = closed.then(async ({ code, signal }) => {
    const wasAlive = alive;
    alive = false;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    for (const [, w] of waiters) {
      w.reject(new EngineError("E_ENGINE_DIED", `gdb exited (${how}) while running a command`));
    }
    waiters.clear();
    await hooks.onClose(code, signal, how, wasAlive);
  });

  const handleRecord = (r: MiRecord) => {
    if (r.kind === "result" && r.token !== undefined) {
      const w = waiters.get(r.token);
      if (w) {
        waiters.delete(r.token);
        hooks.onAnswer(r, w);
        return;
      }
    }
    hooks.onRecord(r);
  };

  const handleLine = (line: string) => {
    const record = parseMiLine(line);
    if (record.kind === "target") {
      const glued = splitGlued(line);
      if (glued) {
        hooks.onStray(glued.target);
        handleRecord(glued.record);
        return;
      }
    }
    handleRecord(record);
  };

  // gdb's own stderr (rare in MI mode) is shown as error text.
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => hooks.onStray(chunk));

  return {
    get alive() {
      return alive;
    },
    get nextToken() {
      return nextToken;
    },
    spawned: started,
    exited,
    send(command, internal = false) {
      if (!alive) return Promise.reject(new EngineError("E_ENGINE_DIED", "gdb is not running"));
      const token = nextToken++;
      return new Promise((resolve, reject) => {
        waiters.set(token, { resolve, reject, internal });
        stdin.write(`${token}${command}\n`);
      });
    },
    async exit(ms) {
      if (!alive) return; // never started, or gone: nothing to wait for
      stdin.write(`${nextToken++}-gdb-exit\n`);
      const timer = setTimeout(() => child.kill("SIGKILL"), ms);
      await exited;
      clearTimeout(timer);
    },
  };
}
