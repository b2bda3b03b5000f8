/**
 * The engine contract, continued: resuming commands that end without a stop,
 * Ctrl+C that races a resume, and the program's own terminal (arguments,
 * input, end of input, exit code) with samples/echo.c. Every engine passes these.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { CommandResult, Engine, EngineEvent, EngineSpec } from "../../src/engine/engine.ts";
import { type ContractTarget, type Recorder, recorder } from "./contract.ts";

/** A command's result, or a failure naming it (with every event so far) after `ms`. */
async function within(
  what: string,
  promise: Promise<CommandResult>,
  rec: Recorder,
  ms = 15_000,
): Promise<CommandResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} never finished; events: ${JSON.stringify(rec.events)}`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const lastState = (rec: Recorder) =>
  rec.events.filter((e): e is EngineEvent & { type: "state" } => e.type === "state").at(-1);

async function withSpec(
  target: TerminalTarget,
  spec: (demo: string, echo: string) => EngineSpec,
  body: (engine: Engine, rec: Recorder) => Promise<void>,
): Promise<void> {
  const [{ program }, echo] = await Promise.all([target.sample(), target.echoSample()]);
  const rec = recorder();
  const engine = target.make(spec(program, echo), rec.listener);
  try {
    await engine.start();
    await body(engine, rec);
  } finally {
    await engine.stop();
  }
}

/** A target whose engine runs the terminal sample (samples/echo.c). */
type TerminalTarget = ContractTarget & { echoSample(): Promise<string> };

export function targetContract(name: string, target: TerminalTarget): void {
  const test = (title: string, fn: () => Promise<void>) =>
    Deno.test(`${name} engine: ${title}`, fn);
  const demo = (args: string[] = []) => (p: string) => target.specFor(p, args);
  const echo = (args: string[] = []) => (_: string, e: string) => target.specFor(e, args);

  test("a resume that fails after it started (continue onto an unusable breakpoint) ends with the debugger's message; the engine goes on", () =>
    withSpec(target, demo(), async (engine, rec) => {
      await engine.execute("break main");
      await within("run", engine.execute("run"), rec);
      assert.deepEqual(await engine.execute("break *0x10"), { ok: true });
      const r = await within("continue", engine.execute("continue"), rec);
      assert.equal(r.ok, false);
      assert.match(r.error ?? "", /Command aborted/);
      // The state is what the debugger says: still stopped in main, and reported so.
      assert.equal(engine.state, "stopped");
      const s = lastState(rec);
      assert.ok(s?.state === "stopped", JSON.stringify(rec.events));
      assert.equal(s.info.func, "main");
      assert.deepEqual(await within("print", engine.execute("print 6*7"), rec), { ok: true });
      await engine.execute("delete 2");
      assert.deepEqual(await within("continue", engine.execute("continue"), rec), { ok: true });
      assert.equal(lastState(rec)?.state, "exited");
      assert.equal(lastState(rec)?.info.exitCode, 0);
    }));

  test("a resume of a program killed at a breakpoint ends; the engine goes on and runs it again", () =>
    withSpec(target, demo(), async (engine, rec) => {
      await engine.execute("break main");
      await within("run", engine.execute("run"), rec);
      const before = rec.text("console").length;
      await engine.execute("print (int)getpid()");
      const pid = Number(/= (\d+)/.exec(rec.text("console").slice(before))?.[1]);
      assert.ok(pid > 0, rec.text());
      Deno.kill(pid, "SIGKILL");
      const r = await within("continue", engine.execute("continue"), rec);
      assert.equal(r.ok, false, JSON.stringify(rec.events));
      assert.notEqual(engine.state, "running");
      // Commands are answered again (those that need the dead process fail, as in gdb).
      const info = await within("info breakpoints", engine.execute("info breakpoints"), rec);
      assert.deepEqual(info, { ok: true });
      await within("kill", engine.execute("kill"), rec);
      assert.deepEqual(await within("run", engine.execute("run"), rec), { ok: true });
      assert.equal(lastState(rec)?.state, "stopped");
      assert.equal(lastState(rec)?.info.func, "main");
    }));

  test("Ctrl+C given right after continue, before the target runs, takes effect once it runs", () =>
    withSpec(target, demo(["loop"]), async (engine, rec) => {
      await engine.execute("break main");
      await within("run", engine.execute("run"), rec);
      // Nothing under way: an interrupt does nothing and says so.
      assert.equal(await engine.interrupt(), false);
      const resumed = engine.execute("continue");
      assert.equal(await engine.interrupt(), true);
      assert.deepEqual(await within("continue", resumed, rec), { ok: true });
      const s = lastState(rec);
      assert.ok(s?.state === "stopped", JSON.stringify(rec.events));
      assert.equal(s.info.signal, "SIGINT");
      // The interrupt was used up: the next resume runs until stopped again.
      const again = engine.execute("continue");
      await rec.until((e) => e === lastState(rec) && e.type === "state" && e.state === "running");
      assert.equal(await engine.interrupt(), true);
      assert.deepEqual(await within("continue", again, rec), { ok: true });
    }));

  test("the program has its own terminal: arguments, input lines, end of input, exit code", () =>
    withSpec(target, echo(["first arg"]), async (engine, rec) => {
      assert.equal(engine.input("too early\n").ok, false, "no program to type to yet");
      // It reads its input until the end: that input is its terminal, never the debugger's.
      const running = engine.execute("run");
      await rec.until((e) => e.type === "output" && /\[first arg\]/.test(rec.text("target")));
      assert.match(
        rec.text("target"),
        /stdin is a terminal, 80x24, TERM=xterm-256color\necho: 1 args: \[first arg\]\n/,
      );
      assert.deepEqual(engine.input("hello there\n"), { ok: true });
      await rec.until(() => /line 1: \[hello there\]/.test(rec.text("target")));
      assert.deepEqual(engine.input("\n"), { ok: true });
      await rec.until(() => /line 2: \[\]/.test(rec.text("target")));
      assert.deepEqual(engine.eof(), { ok: true });
      assert.deepEqual(await within("run", running, rec), { ok: true });
      assert.match(rec.text("target"), /end of input after 2 lines\n/);
      assert.equal(lastState(rec)?.state, "exited");
      assert.equal(lastState(rec)?.info.exitCode, 42);
      // The program's words are the target stream only, never the debugger's answers.
      assert.doesNotMatch(rec.text("console") + rec.text("error"), /echo:/);

      // Other arguments, and input from a file: the terminal stays the program's.
      const file = path.join(os.tmpdir(), `dbgremote-echo-input-${Deno.pid}`);
      fs.writeFileSync(file, "one\ntwo\nthree\n");
      try {
        const r = await within("run < file", engine.execute(`run x 'y z' < ${file}`), rec);
        assert.deepEqual(r, { ok: true });
        assert.match(rec.text("target"), /not a terminal.*\necho: 2 args: \[x\] \[y z\]\n/);
        assert.match(rec.text("target"), /line 3: \[three\]\n/);
        assert.equal(lastState(rec)?.info.exitCode, 43);
        // set args, then run: those arguments, and the terminal again.
        await engine.execute("set args p");
        const running = engine.execute("run");
        await rec.until(() => /1 args: \[p\]\n/.test(rec.text("target")));
        engine.eof();
        assert.deepEqual(await within("run", running, rec), { ok: true });
        assert.equal(lastState(rec)?.info.exitCode, 40);
      } finally {
        fs.rmSync(file, { force: true });
      }
      assert.deepEqual(await engine.execute("print 1"), { ok: true });
    }));

  test("resize sets the size of the program's terminal, also before it runs", () =>
    withSpec(target, echo(), async (engine, rec) => {
      assert.deepEqual(engine.resize(132, 43), { ok: true });
      const running = engine.execute("run");
      await rec.until(() => /0 args:/.test(rec.text("target")));
      assert.match(rec.text("target"), /stdin is a terminal, 132x43,/);
      engine.eof();
      assert.deepEqual(await within("run", running, rec), { ok: true });
    }));

  test("typing to a program that runs needs no command: input goes in while continue waits", () =>
    withSpec(target, echo(), async (engine, rec) => {
      await engine.execute("break main");
      await within("run", engine.execute("run"), rec);
      const resumed = engine.execute("continue");
      // The program's words and gdb's "running" come on separate paths, in either order.
      await rec.until(() => engine.state === "running" && /0 args:/.test(rec.text("target")));
      engine.input("while running\n");
      await rec.until(() => /line 1: \[while running\]/.test(rec.text("target")));
      engine.eof();
      assert.deepEqual(await within("continue", resumed, rec), { ok: true });
      assert.equal(lastState(rec)?.info.exitCode, 41);
    }));

  test("the environment given is the debugger's and the program's; unsetEnv keeps one from later runs", () =>
    withSpec(target, (p) => ({
      ...target.specFor(p),
      env: { PATH: Deno.env.get("PATH"), KEPT_VAR: "kept", LATER_SECRET: "s3cret" },
    }), async (engine, rec) => {
      const shown = async (name: string) => {
        const before = rec.text().length;
        await engine.execute(`show environment ${name}`);
        return rec.text().slice(before);
      };
      assert.match(await shown("KEPT_VAR"), /KEPT_VAR = kept/);
      assert.match(await shown("LATER_SECRET"), /LATER_SECRET = s3cret/);
      assert.match(await shown("HOME"), /not defined/);
      await engine.unsetEnv(["LATER_SECRET"]);
      assert.match(await shown("LATER_SECRET"), /not defined/);
      assert.match(await shown("KEPT_VAR"), /KEPT_VAR = kept/);
    }));
}
