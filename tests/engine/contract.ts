/**
 * The engine contract: every engine passes these, against the sample program.
 * Run it from an engine's test file with a factory and a spec builder.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type {
  Engine,
  EngineEvent,
  EngineFactory,
  EngineSpec,
  TargetState,
} from "../../src/engine/engine.ts";
import { EngineError } from "../../src/errors.ts";

/**
 * An engine's words for the contract's steps, and what its answers look like.
 * The gdb engine's are the defaults; other engines give their own.
 */
export interface Dialect {
  /** The sample's source file name. */
  file: RegExp;
  breakMain: string;
  breakAdd: string;
  /** The answer to setting the first breakpoint. */
  breakSet: RegExp;
  print(expr: string): string;
  /** The answer to the `n`th print of `value` (counting from 1). */
  printed(n: number, value: string): RegExp;
  /** `bt` in `add` called from main: its first two lines. */
  btAdd: RegExp;
  btMain: RegExp;
  /** Selecting frame 1 (`frame 1`, `f 1`) and what `up` to main prints. */
  frame1: string;
  upToMain: RegExp;
  /** The answer to the unknown command `frobnicate`. */
  badCommand: RegExp;
  /** The stack ends at main (gdb hides what calls main; lldb shows libc's frames). */
  stackEndsAtMain: boolean;
  /** Frames carry their arguments' values (first: DAP engines may list locals after them). */
  frameArgs: boolean;
  /** The names of main's arguments. */
  mainArgs: string[];
  /** Expressions can be evaluated once the program has exited. */
  evaluatesAfterExit: boolean;
  /** The word that starts the program (`run`; pdb's script is started already: `c`). */
  run: string;
  /** The state before the first command (pdb starts stopped at the script's first line). */
  initialState: TargetState;
  /** Run to the caller (`finish`; pdb: `r`). */
  finish: string;
  /** An expression for the number of the program's arguments (with its name). */
  argc: string;
}

export const GDB_DIALECT: Dialect = {
  file: /demo\.c$/,
  breakMain: "break main",
  breakAdd: "break add",
  breakSet: /Breakpoint 1 at/,
  print: (expr) => `print ${expr}`,
  printed: (n, value) => new RegExp(`\\$${n} = ${value}\n`),
  btAdd: /#0 +add \(a=42, b=8\)/,
  btMain: /#1 .* main /,
  frame1: "frame 1",
  upToMain: /#1 .* main \(/,
  badCommand: /Undefined command: "frobnicate"/,
  stackEndsAtMain: true,
  frameArgs: true,
  mainArgs: ["argc", "argv"],
  evaluatesAfterExit: true,
  run: "run",
  initialState: "idle",
  finish: "finish",
  argc: "argc",
};

export interface ContractTarget {
  make: EngineFactory;
  /** The engine's words; default: gdb's. */
  dialect?: Dialect;
  /** Build the terminal sample (samples/echo.c); returns its path. */
  echoSample?(): Promise<string>;
  /** A spec that debugs `program` with `args`. */
  specFor(program: string, args?: string[]): EngineSpec;
  /** Build the sample program; returns its path and source. */
  sample(): Promise<{ program: string; source: string }>;
}

/** Line number of the `LINE:marker` comment in the sample's source. */
export function markerLine(source: string, marker: string): number {
  const line = source.split("\n").findIndex((l) => l.includes(`LINE:${marker}`)) + 1;
  assert.ok(line > 0, `marker LINE:${marker} not in the sample`);
  return line;
}

export interface Recorder {
  events: EngineEvent[];
  text(stream?: "console" | "target" | "error"): string;
  until(pred: (e: EngineEvent) => boolean, timeoutMs?: number): Promise<EngineEvent>;
}

export function recorder(): Recorder & { listener: (e: EngineEvent) => void } {
  const events: EngineEvent[] = [];
  let waiters: (() => void)[] = [];
  return {
    events,
    listener(e) {
      events.push(e);
      const w = waiters;
      waiters = [];
      w.forEach((f) => f());
    },
    text(stream) {
      return events.map((e) =>
        e.type === "output" && (!stream || e.stream === stream) ? e.text : ""
      ).join("");
    },
    async until(pred, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (true) {
        const found = events.find(pred);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`timed out; events: ${JSON.stringify(events)}`);
        await new Promise<void>((r) => {
          const t = setTimeout(r, 100);
          waiters.push(() => {
            clearTimeout(t);
            r();
          });
        });
      }
    },
  };
}

async function withEngine(
  target: ContractTarget,
  args: string[],
  body: (engine: Engine, rec: Recorder, source: string) => Promise<void>,
): Promise<void> {
  const { program, source } = await target.sample();
  const rec = recorder();
  const engine = target.make(target.specFor(program, args), rec.listener);
  try {
    await engine.start();
    await body(engine, rec, source);
  } finally {
    await engine.stop();
  }
}

export function engineContract(name: string, target: ContractTarget): void {
  const test = (title: string, fn: () => Promise<void>) =>
    Deno.test(`${name} engine: ${title}`, fn);
  const d = target.dialect ?? GDB_DIALECT;

  test("break, run, next, print, bt, continue to a clean exit", () =>
    withEngine(target, [], async (engine, rec, source) => {
      assert.equal(engine.state, d.initialState);
      assert.deepEqual(await engine.execute(d.breakMain), { ok: true });
      assert.match(rec.text("console"), d.breakSet);
      assert.deepEqual(await engine.execute(d.run), { ok: true });
      const stop = rec.events.filter((e) => e.type === "state" && e.state === "stopped").at(-1);
      assert.ok(stop, JSON.stringify(rec.events));
      assert.ok(stop.type === "state");
      assert.equal(stop.info.func, "main");
      assert.equal(stop.info.reason, "breakpoint-hit");
      assert.equal(stop.info.line, markerLine(source, "x-first"));
      assert.match(stop.info.file ?? "", d.file);
      assert.equal(engine.state, "stopped");

      await engine.execute("next");
      const stepped = rec.events.filter((e) => e.type === "state" && e.state === "stopped").at(-1);
      assert.ok(stepped?.type === "state");
      assert.equal(stepped.info.line, markerLine(source, "after-x"));
      assert.equal(stepped.info.reason, "end-stepping-range");

      await engine.execute(d.print("x"));
      assert.match(rec.text("console"), d.printed(1, "1"));
      await engine.execute(d.breakAdd);
      await engine.execute("continue");
      await engine.execute("bt");
      assert.match(rec.text("console"), d.btAdd);
      assert.match(rec.text("console"), d.btMain);

      assert.deepEqual(await engine.execute("continue"), { ok: true });
      const exit = rec.events.at(-1);
      assert.ok(exit?.type === "state" && exit.state === "exited", JSON.stringify(exit));
      assert.equal(exit.info.exitCode, 0);
      assert.match(rec.text("target"), /demo: x is 50\n/);
      assert.equal(engine.state, "exited");
      // The session stays usable after the program exits.
      if (d.evaluatesAfterExit) {
        assert.deepEqual(await engine.execute(d.print("6*7")), { ok: true });
        assert.match(rec.text("console"), d.printed(2, "42"));
      } else {
        // Refused clearly, by the debugger's words.
        const after = await engine.execute(d.print("6*7"));
        assert.equal(after.ok, false);
        assert.match(after.error ?? "", /\S/);
      }
    }));

  test("each stop carries the stack and the source around it, outside the transcript", () =>
    withEngine(target, [], async (engine, rec, source) => {
      await engine.execute(d.breakAdd);
      const before = rec.text();
      await engine.execute(d.run);
      const stop = rec.events.filter((e) => e.type === "state" && e.state === "stopped").at(-1);
      assert.ok(stop?.type === "state", JSON.stringify(rec.events));
      const frames = stop.info.frames ?? [];
      assert.deepEqual(frames.slice(0, 2).map((f) => [f.level, f.func]), [[0, "add"], [1, "main"]]);
      if (d.stackEndsAtMain) assert.equal(frames.length, 2);
      assert.equal(frames[0].line, markerLine(source, "in-add"));
      assert.equal(frames[1].line, markerLine(source, "call-add"));
      assert.match(frames[0].file ?? "", d.file);
      if (d.frameArgs) {
        assert.deepEqual(frames[0].args?.slice(0, 2), [
          { name: "a", value: "42" },
          { name: "b", value: "8" },
        ]);
      }
      const excerpt = stop.info.source;
      assert.ok(excerpt, "a source excerpt");
      assert.match(excerpt.path, d.file);
      const at = markerLine(source, "in-add") - excerpt.first;
      assert.match(excerpt.lines[at], /LINE:in-add/);
      assert.ok(excerpt.lines.length <= 13 && at >= 1, JSON.stringify(excerpt));
      // The engine's own questions leave nothing in the transcript.
      const said = rec.text().slice(before.length);
      assert.doesNotMatch(said, /stack|level=|frame=/);
      // Each later stop is described afresh, and is reported before the command is done.
      await engine.execute(d.finish);
      const back = rec.events.filter((e) => e.type === "state" && e.state === "stopped").at(-1);
      assert.ok(back?.type === "state" && back !== stop);
      assert.equal(back.info.frames?.[0].func, "main");
      if (d.stackEndsAtMain) assert.equal(back.info.frames?.length, 1);
      assert.deepEqual(await engine.execute(d.print("1")), { ok: true });
    }));

  test("up, down and frame N report the selected frame with its source, outside the transcript", () =>
    withEngine(target, [], async (engine, rec, source) => {
      await engine.execute(d.breakAdd);
      await engine.execute(d.run);
      const frameEvents = () => rec.events.filter((e) => e.type === "frame");
      assert.equal(frameEvents().length, 0, "a stop is no frame selection");
      const before = rec.text();
      assert.deepEqual(await engine.execute("up"), { ok: true });
      // Reported before the command is done.
      const up = frameEvents().at(-1);
      assert.ok(up?.type === "frame", JSON.stringify(rec.events));
      assert.equal(up.frame.level, 1);
      assert.equal(up.frame.func, "main");
      assert.equal(up.frame.line, markerLine(source, "call-add"));
      assert.match(up.frame.file ?? "", d.file);
      if (d.frameArgs) {
        const names = up.frame.args?.map((a) => a.name);
        assert.deepEqual(names?.slice(0, d.mainArgs.length), d.mainArgs);
      }
      assert.ok(up.source, "a source excerpt");
      assert.match(up.source.path, d.file);
      const at = markerLine(source, "call-add") - up.source.first;
      assert.match(up.source.lines[at], /LINE:call-add/);
      // The transcript has gdb's own words for it, and nothing of the engine's.
      const said = rec.text().slice(before.length);
      assert.match(said, d.upToMain);
      assert.doesNotMatch(said, /thread-selected|level=|frame=/);

      // Going past the outermost frame fails and selects nothing.
      if (d.stackEndsAtMain) {
        assert.equal((await engine.execute("up")).ok, false);
        assert.equal(frameEvents().length, 1);
      }

      await engine.execute("down");
      const down = frameEvents().at(-1);
      assert.ok(down?.type === "frame" && down !== up);
      assert.deepEqual([down.frame.level, down.frame.func], [0, "add"]);
      if (d.frameArgs) {
        assert.deepEqual(down.frame.args?.slice(0, 2), [
          { name: "a", value: "42" },
          { name: "b", value: "8" },
        ]);
      }
      assert.match(
        down.source?.lines[markerLine(source, "in-add") - down.source.first] ?? "",
        /LINE:in-add/,
      );
      await engine.execute(d.frame1);
      const f1 = frameEvents().at(-1);
      assert.ok(f1?.type === "frame");
      assert.deepEqual([f1.frame.level, f1.frame.func], [1, "main"]);
      // A new stop is a state event (it selects frame 0 again), not a frame event.
      const count = frameEvents().length;
      const stops = () => rec.events.filter((e) => e.type === "state" && e.state === "stopped");
      const stopsBefore = stops().length;
      assert.deepEqual(await engine.execute("next"), { ok: true });
      assert.equal(stops().length, stopsBefore + 1);
      assert.equal(frameEvents().length, count);
    }));

  test("a bad command fails with the debugger's message; the engine goes on", () =>
    withEngine(target, [], async (engine, rec) => {
      const r = await engine.execute("frobnicate");
      assert.equal(r.ok, false);
      assert.match(r.error ?? "", d.badCommand);
      assert.match(rec.text("error"), d.badCommand);
      assert.deepEqual(await engine.execute(d.print("1")), { ok: true });
    }));

  test("commands are serialized: sent together, they finish in order", () =>
    withEngine(target, [], async (engine, rec) => {
      const results = await Promise.all(
        ["1", "2", "3"].map((c) => engine.execute(d.print(c))),
      );
      assert.deepEqual(results, [{ ok: true }, { ok: true }, { ok: true }]);
      const printed = [1, 2, 3].map((n) => d.printed(n, String(n)).source).join("");
      assert.match(rec.text("console"), new RegExp(printed, d.printed(1, "1").flags));
    }));

  test("interrupt stops a running target; execute of run/continue then returns", () =>
    withEngine(target, ["loop"], async (engine, rec) => {
      const mark = rec.events.length;
      const running = engine.execute(d.run);
      // This run's, not the launch's (pdb's script ran to its first line already); the program's
      // output on its terminal may come before the engine has the adapter's answer.
      await rec.until(
        () => rec.events.slice(mark).some((e) => e.type === "state" && e.state === "running"),
        30_000,
      );
      await rec.until((e) =>
        e.type === "output" && e.stream === "target" && /x is 50/.test(e.text)
      );
      assert.equal(engine.state, "running");
      await engine.interrupt();
      assert.deepEqual(await running, { ok: true });
      const stop = rec.events.filter((e) => e.type === "state").at(-1);
      assert.ok(stop?.type === "state" && stop.state === "stopped");
      assert.equal(stop.info.signal, "SIGINT");
      await engine.interrupt(); // not running: a no-op
      assert.deepEqual(await engine.execute(d.print("2+2")), { ok: true });
    }));

  test("the program's arguments are passed", () =>
    withEngine(target, ["loop"], async (engine) => {
      await engine.execute(d.breakMain);
      await engine.execute(d.run);
      assert.deepEqual(await engine.execute(d.print(d.argc)), { ok: true });
    }));

  test("a missing program is refused before the debugger starts", async () => {
    const rec = recorder();
    const engine = target.make(target.specFor("/nonexistent/app"), rec.listener);
    await assert.rejects(engine.start(), (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.code, "E_PROGRAM_MISSING");
      assert.match(err.message, /\/nonexistent\/app/);
      return true;
    });
    await engine.stop();
  });

  test("a missing debugger binary is named, with how to install it", async () => {
    const { program } = await target.sample();
    const engine = target.make(
      { ...target.specFor(program), debugger: "/nonexistent/dbg" },
      () => {},
    );
    await assert.rejects(engine.start(), (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.code, "E_ENGINE_MISSING");
      assert.match(err.hint ?? "", /install/);
      return true;
    });
    await engine.stop();
  });

  test("the debugger dying mid-command is reported; the command fails; later commands fail clearly", async () => {
    const { program } = await target.sample();
    const rec = recorder();
    const engine = target.make(target.specFor(program, ["loop"]), rec.listener);
    await engine.start();
    try {
      const running = engine.execute(d.run);
      await rec.until((e) => e.type === "state" && e.state === "running");
      // Kill the debugger the hard way: find it among our children.
      const pids = fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p)).filter((p) => {
        try {
          const stat = fs.readFileSync(path.join("/proc", p, "stat"), "utf8");
          return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === Deno.pid;
        } catch {
          return false;
        }
      });
      assert.ok(pids.length > 0, "the debugger runs as our child");
      for (const p of pids) Deno.kill(Number(p), "SIGKILL");
      const result = await running;
      assert.equal(result.ok, false);
      const exit = await rec.until((e) => e.type === "exit");
      assert.ok(exit.type === "exit");
      assert.equal(exit.expected, false);
      assert.equal(exit.signal, "SIGKILL");
      const after = await engine.execute("print 1");
      assert.equal(after.ok, false);
      assert.match(after.error ?? "", /not running/);
    } finally {
      await engine.stop();
    }
  });
}
