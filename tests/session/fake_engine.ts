/** A scripted engine for session tests: answers commands from a table, no processes. */
import type {
  CommandResult,
  Engine,
  EngineListener,
  TargetState,
} from "../../src/engine/engine.ts";

export interface FakeEngine extends Engine {
  executed: string[];
  /** Make the next `run`/`continue` wait until release() is called. */
  hold(): void;
  release(): void;
  die(): void;
}

export function createFakeEngine(listener: EngineListener): FakeEngine {
  let state: TargetState = "idle";
  let held: (() => void) | undefined;
  let holdNext = false;
  let stopped = false;
  const executed: string[] = [];
  const out = (text: string) => listener({ type: "output", stream: "console", text });
  return {
    kind: "fake",
    description: "fake engine",
    executed,
    get state() {
      return state;
    },
    async start() {},
    async execute(text): Promise<CommandResult> {
      if (stopped) return { ok: false, error: "engine stopped" };
      executed.push(text);
      const [word, ...rest] = text.split(" ");
      switch (word) {
        case "print":
          out(`$1 = ${rest.join(" ")}\n`);
          return { ok: true };
        case "up":
        case "down": {
          // As gdb: the frame it now selects, printed; then the frame event beside it.
          if (state !== "stopped") {
            listener({ type: "output", stream: "error", text: "No stack.\n" });
            return { ok: false, error: "No stack." };
          }
          const frame = word === "up"
            ? { level: 1, func: "main", file: "demo.c", line: 17 }
            : { level: 0, func: "add", file: "demo.c", line: 10 };
          out(`#${frame.level}  ${frame.func} () at demo.c:${frame.line}\n`);
          listener({
            type: "frame",
            frame,
            source: {
              path: "/src/demo.c",
              first: frame.line - 1,
              lines: ["{", `line ${frame.line}`, "}"],
            },
          });
          return { ok: true };
        }
        case "big":
          out("x".repeat(Number(rest[0])) + "\n");
          return { ok: true };
        case "blob": // one output event of N characters of every JSON width, no newline inside
          out(blob(Number(rest[0])) + "\n");
          return { ok: true };
        case "run":
        case "continue":
          state = "running";
          listener({ type: "state", state, info: {} });
          if (holdNext) {
            holdNext = false;
            await new Promise<void>((r) => (held = r));
          }
          state = "stopped";
          listener({
            type: "state",
            state,
            info: { file: "demo.c", line: 7, func: "main", reason: "breakpoint-hit" },
          });
          return { ok: true };
        default:
          listener({ type: "output", stream: "error", text: `Undefined command: "${word}".\n` });
          return { ok: false, error: `Undefined command: "${word}".` };
      }
    },
    async interrupt() {
      held?.();
      held = undefined;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      held?.();
      listener({ type: "exit", code: 0, signal: null, expected: true });
    },
    hold() {
      holdNext = true;
    },
    release() {
      held?.();
      held = undefined;
    },
    die() {
      stopped = true;
      listener({ type: "exit", code: null, signal: "SIGKILL", expected: false });
    },
  };
}

/** About N characters (never a pair cut) cycling through ASCII, escapes, controls, 2-4 byte UTF-8. */
export function blob(n: number): string {
  const parts = ["abc", '"', "\\", "\t", "\x01", "\u009b", "é", "€", "😀"];
  let s = "";
  for (let i = 0; s.length < n; i++) s += parts[i % parts.length];
  return s;
}
