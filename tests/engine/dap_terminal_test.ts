/**
 * The DAP engines (lldb, Python) beyond the shared contract: the program on the server's pty
 * (runInTerminal), the description after `run ARGS`, threads, a signal stop.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Engine, EngineEvent, EngineSpec } from "../../src/engine/engine.ts";
import { createLldbEngine } from "../../src/engine/lldb.ts";
import { createPythonEngine } from "../../src/engine/python.ts";
import { markerLine, type Recorder, recorder } from "./contract.ts";

const dir = path.join(os.tmpdir(), `dbgremote-test-dap-terminal-${process.pid}`);
const samples = path.resolve(import.meta.dirname!, "../../samples");
/** Debian's python3-debugpy serves this interpreter (a pyenv python3 may come first on PATH). */
const PYTHON = "/usr/bin/python3";
const built = new Map<string, Promise<string>>();

/** samples/NAME.c, built once per run. */
function build(name: string): Promise<string> {
  let p = built.get(name);
  if (!p) {
    fs.mkdirSync(dir, { recursive: true });
    const program = path.join(dir, name);
    p = new Promise((resolve, reject) =>
      execFile(
        "cc",
        ["-g", "-O0", "-pthread", "-o", program, path.join(samples, `${name}.c`)],
        (err) => err ? reject(err) : resolve(program),
      )
    );
    built.set(name, p);
  }
  return p;
}

async function withEngine(
  make: (spec: EngineSpec, listener: (e: EngineEvent) => void) => Engine,
  spec: EngineSpec,
  body: (engine: Engine, rec: Recorder) => Promise<void>,
): Promise<void> {
  const rec = recorder();
  const engine = make(spec, rec.listener);
  try {
    await engine.start();
    await body(engine, rec);
  } finally {
    await engine.stop();
  }
}

const states = (rec: Recorder) =>
  rec.events.filter((e): e is EngineEvent & { type: "state" } => e.type === "state");

globalThis.addEventListener("unload", () => fs.rmSync(dir, { recursive: true, force: true }));

Deno.test("lldb engine: the program runs on our terminal: isatty, input, end of input, exit code; run ARGS shows in the description", async () => {
  const echo = await build("echo");
  await withEngine(createLldbEngine, { kind: "lldb", program: echo }, async (engine, rec) => {
    assert.equal(engine.input("too early\n").ok, false, "no program to type to yet");
    const running = engine.execute("run 'first arg'");
    await rec.until(() => /\[first arg\]/.test(rec.text("target")), 30_000);
    assert.match(engine.description, /^lldb \d+.* debugging .*echo first arg$/);
    assert.match(
      rec.text("target"),
      /stdin is a terminal, 80x24, TERM=xterm-256color\r?\necho: 1 args: \[first arg\]/,
    );
    assert.deepEqual(engine.input("hello there\n"), { ok: true });
    await rec.until(() => /line 1: \[hello there\]/.test(rec.text("target")));
    assert.deepEqual(engine.eof(), { ok: true });
    assert.deepEqual(await running, { ok: true });
    assert.match(rec.text("target"), /end of input after 1 lines/);
    assert.equal(states(rec).at(-1)?.state, "exited");
    assert.equal(states(rec).at(-1)?.info.exitCode, 41);
  });
});

Deno.test("python engine: the script runs on our terminal: isatty, input, end of input, exit code", async () => {
  const echo = path.join(samples, "echo.py");
  const spec = { kind: "python", program: echo, args: ["a b"], debugger: PYTHON };
  await withEngine(createPythonEngine, spec, async (engine, rec) => {
    assert.equal(engine.state, "stopped", "pdb starts at the first line");
    const running = engine.execute("c");
    await rec.until(() => /\[a b\]/.test(rec.text("target")), 30_000);
    assert.match(rec.text("target"), /stdin is a terminal, 80x24, TERM=xterm-256color/);
    assert.deepEqual(engine.input("one\n"), { ok: true });
    await rec.until(() => /line 1: \[one\]/.test(rec.text("target")));
    assert.deepEqual(engine.eof(), { ok: true });
    assert.deepEqual(await running, { ok: true });
    assert.equal(states(rec).at(-1)?.info.exitCode, 41);
  });
});

Deno.test("lldb engine: a stop in a thread, bt, continue through both threads to the exit code", async () => {
  const program = await build("threads");
  const source = fs.readFileSync(path.join(samples, "threads.c"), "utf8");
  await withEngine(createLldbEngine, { kind: "lldb", program }, async (engine, rec) => {
    await engine.execute("b work");
    assert.deepEqual(await engine.execute("run"), { ok: true });
    const stop = states(rec).at(-1)!;
    assert.equal(stop.state, "stopped");
    assert.equal(stop.info.reason, "breakpoint-hit");
    assert.equal(stop.info.line, markerLine(source, "work"));
    assert.equal(stop.info.frames?.[0].func, "work");
    assert.equal(stop.info.frames?.[0].args?.[0].name, "n");
    const before = rec.text("console").length;
    assert.deepEqual(await engine.execute("bt"), { ok: true });
    assert.match(rec.text("console").slice(before), /frame #0: .*`work\(n=\d\)/);
    // The other thread's hit is a stop of its own, or part of this one when both threads got
    // there together (lldb stops every thread, and reports the stop once): then `c` exits.
    assert.deepEqual(await engine.execute("c"), { ok: true });
    if (states(rec).at(-1)?.state === "stopped") {
      assert.equal(states(rec).at(-1)?.info.frames?.[0].func, "work");
      assert.deepEqual(await engine.execute("c"), { ok: true });
    }
    assert.equal(states(rec).at(-1)?.state, "exited");
    assert.equal(states(rec).at(-1)?.info.exitCode, 3);
  });
});

Deno.test("lldb engine: a signal stop reads as signal-received with the signal's name", async () => {
  const program = await build("threads");
  const source = fs.readFileSync(path.join(samples, "threads.c"), "utf8");
  const spec = { kind: "lldb", program, args: ["segv"] };
  await withEngine(createLldbEngine, spec, async (engine, rec) => {
    assert.deepEqual(await engine.execute("run"), { ok: true });
    const stop = states(rec).at(-1)!;
    assert.equal(stop.state, "stopped");
    assert.equal(stop.info.reason, "signal-received");
    assert.equal(stop.info.signal, "SIGSEGV");
    assert.equal(stop.info.line, markerLine(source, "segv"));
  });
});

Deno.test("python engine: a stop in a thread, where, continue through both threads to the exit code", async () => {
  const program = path.join(samples, "threads.py");
  const source = fs.readFileSync(program, "utf8");
  const spec = { kind: "python", program, debugger: PYTHON };
  await withEngine(createPythonEngine, spec, async (engine, rec) => {
    assert.deepEqual(await engine.execute("b work"), { ok: true });
    assert.deepEqual(await engine.execute("c"), { ok: true });
    const stop = states(rec).at(-1)!;
    assert.equal(stop.state, "stopped");
    assert.equal(stop.info.line, markerLine(source, "work"));
    assert.equal(stop.info.frames?.[0].func, "work");
    assert.equal(stop.info.frames?.[0].args?.[0].name, "n");
    const before = rec.text("console").length;
    assert.deepEqual(await engine.execute("where"), { ok: true });
    assert.match(rec.text("console").slice(before), /threads\.py\(\d+\)work\(\)/);
    assert.deepEqual(await engine.execute("c"), { ok: true });
    assert.equal(states(rec).at(-1)?.info.frames?.[0].func, "work");
    assert.deepEqual(await engine.execute("c"), { ok: true });
    assert.equal(states(rec).at(-1)?.state, "exited");
    assert.equal(states(rec).at(-1)?.info.exitCode, 3);
  });
});
