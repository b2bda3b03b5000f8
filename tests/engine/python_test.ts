import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createPythonEngine } from "../../src/engine/python.ts";
import type { EngineEvent } from "../../src/engine/engine.ts";
import { EngineError } from "../../src/errors.ts";
import { type Dialect, engineContract, markerLine } from "./contract.ts";

const program = path.resolve("samples/demo.py");
const source = fs.readFileSync(program, "utf8");
/** Debian's python3-debugpy serves this interpreter (a pyenv python3 may come first on PATH). */
const PYTHON = "/usr/bin/python3";

/** pdb's words, as typed at `python3 -m pdb`'s prompt. */
export const PDB_DIALECT: Dialect = {
  file: /demo\.py$/,
  breakMain: "b main",
  breakAdd: "break add",
  breakSet: /Breakpoint 1 at .*demo\.py:\d+\n/,
  print: (expr) => `p ${expr}`,
  printed: (_n, value) => new RegExp(`^${value}\\n`, "m"),
  btAdd: /^> .*demo\.py\(\d+\)add\(\)\n-> total = a \+ b/m,
  btMain: /^ {2}.*demo\.py\(\d+\)main\(\)\n-> x = add\(x, 8\)/m,
  frame1: "u",
  upToMain: /^> .*demo\.py\(\d+\)main\(\)/m,
  badCommand: /NameError: name 'frobnicate' is not defined/,
  stackEndsAtMain: false,
  frameArgs: true,
  mainArgs: ["argv"],
  evaluatesAfterExit: false,
  run: "c",
  initialState: "stopped",
  finish: "r",
  argc: "len(argv)",
};

engineContract("python", {
  make: createPythonEngine,
  dialect: PDB_DIALECT,
  specFor: (p, args = []) => ({ kind: "python", program: p, args, debugger: PYTHON }),
  sample: () => Promise.resolve({ program, source }),
});

async function withPython(
  body: (
    e: ReturnType<typeof createPythonEngine>,
    events: EngineEvent[],
    text: () => string,
  ) => Promise<void>,
  script = program,
) {
  const events: EngineEvent[] = [];
  const engine = createPythonEngine(
    { kind: "python", program: script, args: [], debugger: PYTHON },
    (e) => events.push(e),
  );
  const text = () => events.map((e) => e.type === "output" ? e.text : "").join("");
  try {
    await engine.start();
    await body(engine, events, text);
  } finally {
    await engine.stop();
  }
}

Deno.test("python engine: starts stopped at the script's first line, as pdb does", () =>
  withPython(async (engine, events) => {
    assert.equal(engine.state, "stopped");
    const stop = events.find((e) => e.type === "state" && e.state === "stopped");
    assert.ok(stop?.type === "state");
    assert.equal(stop.info.line, 1);
    assert.equal(stop.info.func, "<module>");
    assert.match(
      engine.description,
      /^Python 3\.\d+\.\d+ \(debugpy [\d.]+.*\) debugging .*demo\.py$/,
    );
  }));

Deno.test("python engine: tbreak, condition, disable/enable, clear, display, !stmt, list", () =>
  withPython(async (engine, events, text) => {
    const stops = () => events.filter((e) => e.type === "state" && e.state === "stopped");
    const line = (m: string) => source.split("\n").findIndex((l) => l.includes(`LINE:${m}`)) + 1;
    assert.deepEqual(await engine.execute(`tbreak ${line("after-x")}`), { ok: true });
    assert.match(text(), /Temporary breakpoint 1 at .*demo\.py:\d+/);
    assert.deepEqual(await engine.execute("c"), { ok: true });
    let stop = stops().at(-1);
    assert.ok(stop?.type === "state" && stop.info.line === line("after-x"));
    assert.match(text(), /Deleted breakpoint 1/);
    // A condition that is false: no stop there.
    await engine.execute("b add");
    await engine.execute("condition 2 a == 0");
    await engine.execute(`b ${line("print")}`);
    await engine.execute("disable 3");
    await engine.execute("enable 3");
    await engine.execute("display x");
    assert.match(text(), /display x: 1\n/);
    await engine.execute("c");
    stop = stops().at(-1);
    assert.ok(stop?.type === "state");
    assert.equal(stop.info.line, line("print"), "the false condition did not stop in add");
    assert.match(text(), /display x: 50\n/);
    // Python statements run in the frame; their effect shows.
    assert.deepEqual(await engine.execute("!x = 7"), { ok: true });
    await engine.execute("p x * 6");
    assert.match(text(), /^42\n/m);
    await engine.execute("l");
    assert.match(text(), new RegExp(`${line("print")}\\s+-> +print\\(f"demo`));
    assert.deepEqual(await engine.execute("cl 2 3"), { ok: true });
    assert.match(text(), /Deleted breakpoint 3/);
    assert.deepEqual(await engine.execute("c"), { ok: true });
    const exit = events.filter((e) => e.type === "state").at(-1);
    assert.ok(exit?.type === "state" && exit.state === "exited" && exit.info.exitCode === 0);
    // The value set by `!x = 7` is what the script printed.
    assert.match(text(), /demo: x is 7\n/);
  }));

Deno.test("python engine: an interpreter without debugpy is named, with how to fix it", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-nodebugpy-"));
  try {
    // Debian's python3 without its site packages: a python3 that cannot import debugpy.
    const bare = path.join(dir, "python3");
    fs.writeFileSync(bare, `#!/bin/sh\nexec ${PYTHON} -S "$@"\n`, { mode: 0o755 });
    const engine = createPythonEngine({ kind: "python", program, debugger: bare }, () => {});
    await assert.rejects(engine.start(), (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.code, "E_ENGINE_MISSING");
      assert.match(err.message, /python3 \(Python 3\.\d+\.\d+, .*\) cannot import debugpy/);
      assert.match(err.hint ?? "", /pip install debugpy/);
      assert.match(err.hint ?? "", /apt-get install python3-debugpy/);
      return true;
    });
    await engine.stop();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("python engine: a script with a syntax error is reported; the session stays usable", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-pysyntax-"));
  try {
    const bad = path.join(dir, "bad.py");
    fs.writeFileSync(bad, "x = 1\ndef f(:\n  pass\n");
    await withPython(async (engine, events, text) => {
      await engine.execute("c");
      const last = events.filter((e) => e.type === "state").at(-1);
      assert.ok(last?.type === "state" && last.state === "exited", JSON.stringify(events));
      assert.notEqual(last.info.exitCode, 0);
      assert.match(text(), /SyntaxError/);
      const after = await engine.execute("p 1");
      assert.equal(after.ok, false);
    }, bad);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("the Python sample is written once into the sample directory (a lab's {sample})", async () => {
  const { writePythonSample, PYTHON_SAMPLE_SOURCE } = await import("../../src/engine/sample.ts");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-pysample-"));
  try {
    const script = writePythonSample(dir);
    assert.equal(fs.readFileSync(script, "utf8"), PYTHON_SAMPLE_SOURCE);
    assert.equal(PYTHON_SAMPLE_SOURCE, source);
    const before = fs.statSync(script).mtimeMs;
    assert.equal(writePythonSample(dir), script);
    assert.equal(fs.statSync(script).mtimeMs, before);
    assert.deepEqual(fs.readdirSync(dir), ["demo.py"]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("python engine: args (a) lists the selected frame's arguments, as pdb does", () =>
  withPython(async (engine, _events, text) => {
    await engine.execute("b add");
    await engine.execute("c");
    assert.deepEqual(await engine.execute("a"), { ok: true });
    assert.match(text(), /^a = 42\nb = 8\n/m);
    await engine.execute("u");
    await engine.execute("args");
    assert.match(text(), /^argv = \[.*demo\.py'\]\n/m);
  }));

Deno.test("python engine: restart (run) starts the script again at line 1, breakpoints kept", () =>
  withPython(async (engine, events, text) => {
    const states = () => events.filter((e) => e.type === "state");
    const line = (m: string) => source.split("\n").findIndex((l) => l.includes(`LINE:${m}`)) + 1;
    await engine.execute("b add");
    await engine.execute("c");
    assert.equal(engine.state, "stopped");
    // Mid-run: the old script ends (reported as an exit), a new one stops at its first line.
    const mark = states().length;
    assert.deepEqual(await engine.execute("restart"), { ok: true });
    const after = states().slice(mark);
    assert.equal(after[0]?.type === "state" && after[0].state, "exited", JSON.stringify(after));
    const first = after.at(-1);
    assert.ok(first?.type === "state" && first.state === "stopped" && first.info.line === 1);
    assert.match(text(), /Restarting .*demo\.py with arguments:\n/);
    // The breakpoint still stops there; `p` works in the new script.
    await engine.execute("c");
    let stop = states().at(-1);
    assert.ok(stop?.type === "state" && stop.info.line === line("in-add"), JSON.stringify(stop));
    // After the script finished, `run ARGS` starts it with those arguments.
    await engine.execute("cl");
    await engine.execute("c");
    assert.equal(engine.state, "exited");
    assert.deepEqual(await engine.execute("run one 'two words'"), { ok: true });
    stop = states().at(-1);
    assert.ok(stop?.type === "state" && stop.state === "stopped" && stop.info.line === 1);
    await engine.execute("b main");
    await engine.execute("c");
    await engine.execute("p argv[1:]");
    assert.match(text(), /^\['one', 'two words'\]\n/m);
  }));

Deno.test("python engine: ll shows the whole function, pp pretty-prints, undisplay", () =>
  withPython(async (engine, _events, text) => {
    await engine.execute("b add");
    await engine.execute("c");
    assert.deepEqual(await engine.execute("ll"), { ok: true });
    assert.match(
      text(),
      /^ +\d+ +def add\(a, b\):\n +\d+ +-> +total = a \+ b.*\n +\d+ +return total\n$/m,
    );
    await engine.execute("pp {str(i) * 30: list(range(3)) for i in range(3)}");
    // pprint breaks a dict too wide for one line into one key per line.
    assert.match(text(), /^\{'0{30}': \[0, 1, 2\],\n '1{30}': \[0, 1, 2\],\n/m);
    await engine.execute("display a");
    assert.deepEqual(await engine.execute("undisplay a"), { ok: true });
    assert.deepEqual(await engine.execute("undisplay zz"), {
      ok: false,
      error: "not displaying zz",
    });
    await engine.execute("display");
    assert.match(text(), /Currently displaying:\n$/);
  }));

Deno.test("python: functionRange finds a function's lines by its def and indentation", async () => {
  const { functionRange } = await import("../../src/engine/python.ts");
  const lines = [
    "import x",
    "",
    "@dec",
    "def f(a,",
    "      b):",
    "    y = 1",
    "",
    "    return y",
    "",
    "z = 2",
  ];
  assert.deepEqual(functionRange(lines, "f", 6), [3, 8]);
  assert.deepEqual(functionRange(lines, "<module>", 10), [1, 10]);
  assert.deepEqual(functionRange(lines, "g", 6), [1, 10]);
});

Deno.test("python engine: jump sets the next line to run, as pdb's does; a bad line is refused", () =>
  withPython(async (engine, events, text) => {
    const at = (marker: string) => markerLine(source, marker);
    assert.deepEqual(await engine.execute(`b ${at("after-x")}`), { ok: true });
    assert.deepEqual(await engine.execute("c"), { ok: true });
    assert.deepEqual(await engine.execute("n"), { ok: true });
    const before = text().length;
    assert.deepEqual(await engine.execute("p x"), { ok: true });
    assert.match(text().slice(before), /^42\n/);
    // Back to x = 1: the next `n` runs it again.
    assert.deepEqual(await engine.execute(`jump ${at("x-first")}`), { ok: true });
    const stop = events.filter((e) => e.type === "state").at(-1);
    assert.ok(stop?.type === "state" && stop.state === "stopped");
    assert.equal(stop.info.line, at("x-first"));
    assert.match(text(), /demo\.py\(\d+\)main\(\)\n-> x = 1/);
    assert.deepEqual(await engine.execute("n"), { ok: true });
    const after = text().length;
    assert.deepEqual(await engine.execute("p x"), { ok: true });
    assert.match(text().slice(after), /^1\n/);
    assert.equal((await engine.execute("jump here")).ok, false);
    assert.equal(engine.state, "stopped");
  }));
