import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { adapterCandidates, frameRequested, splitReplAnswer } from "../../src/engine/lldb.ts";
import { createLldbEngine } from "../../src/engine/lldb.ts";
import { buildSample, SAMPLE_SOURCE } from "../../src/engine/sample.ts";
import { type Dialect, engineContract } from "./contract.ts";

const dir = path.join(os.tmpdir(), `dbgremote-test-lldb-sample-${process.pid}`);
let built: Promise<string> | undefined;

/** lldb's words, as typed at its own prompt. */
export const LLDB_DIALECT: Dialect = {
  file: /demo\.c$/,
  breakMain: "b main",
  breakAdd: "breakpoint set --name add",
  breakSet: /Breakpoint 1: /,
  print: (expr) => `p ${expr}`,
  printed: (_n, value) => new RegExp(`\\(int\\) ${value}\\n`),
  btAdd: /frame #0: .*`add\(a=42, b=8\) at demo\.c/,
  btMain: /frame #1: .*`main\(argc=1, /,
  frame1: "f 1",
  upToMain: /frame #1: .*`main\(/,
  badCommand: /'frobnicate' is not a valid command/,
  stackEndsAtMain: false,
  frameArgs: true,
  mainArgs: ["argc", "argv"],
  evaluatesAfterExit: false,
  run: "run",
  initialState: "idle",
  finish: "finish",
  argc: "argc",
};

engineContract("lldb", {
  make: createLldbEngine,
  dialect: LLDB_DIALECT,
  specFor: (program, args = []) => ({ kind: "lldb", program, args }),
  async sample() {
    built ??= buildSample(dir);
    return { program: await built, source: SAMPLE_SOURCE };
  },
});

globalThis.addEventListener("unload", () => fs.rmSync(dir, { recursive: true, force: true }));

Deno.test("lldb: the lldb-dap that goes with the lldb named", () => {
  assert.deepEqual(adapterCandidates("lldb-19"), ["lldb-dap-19"]);
  assert.deepEqual(adapterCandidates("lldb"), ["lldb-dap"]);
  assert.deepEqual(adapterCandidates("/opt/llvm/bin/lldb"), ["/opt/llvm/bin/lldb-dap"]);
  assert.deepEqual(adapterCandidates("/usr/bin/lldb-dap-19"), ["/usr/bin/lldb-dap-19"]);
});

Deno.test("lldb: the REPL's echo is dropped; error: lines are the error", () => {
  assert.deepEqual(splitReplAnswer("p x", "(lldb) p x\n(int) 1\n"), {
    console: "(int) 1\n",
    error: "",
  });
  assert.deepEqual(
    splitReplAnswer("frob", "(lldb) frob\nerror: 'frob' is not a valid command.\n"),
    {
      console: "",
      error: "error: 'frob' is not a valid command.\n",
    },
  );
  // An echo of another command is not ours to drop.
  assert.equal(splitReplAnswer("bt", "(lldb) p 1\n").console, "(lldb) p 1\n");
});

Deno.test("lldb: which frame up, down, f N and frame select N ask for", () => {
  assert.equal(frameRequested(["up"], 0), 1);
  assert.equal(frameRequested(["up", "2"], 1), 3);
  assert.equal(frameRequested(["down"], 2), 1);
  assert.equal(frameRequested(["f", "3"], 0), 3);
  assert.equal(frameRequested(["frame", "select", "2"], 0), 2);
  assert.equal(frameRequested(["frame", "variable"], 0), undefined);
  assert.equal(frameRequested(["bt"], 0), undefined);
});

Deno.test("lldb: a missing lldb-dap names what to install", async () => {
  const engine = createLldbEngine(
    { kind: "lldb", program: await (built ??= buildSample(dir)), debugger: "lldb-77" },
    () => {},
  );
  await assert.rejects(engine.start(), (err: unknown) => {
    assert.ok(err instanceof Error && "code" in err);
    assert.equal(err.code, "E_ENGINE_MISSING");
    assert.match(err.message, /lldb-dap-77 not found/);
    assert.match((err as { hint?: string }).hint ?? "", /apt-get install lldb-19/);
    return true;
  });
  await engine.stop();
});

Deno.test("lldb: the commands that resume the target (the engine waits for their stop)", async () => {
  const { resumes } = await import("../../src/engine/lldb.ts");
  for (const c of ["next", "n", "s", "c", "finish", "thread step-over", "process continue"]) {
    assert.equal(resumes(c.split(" ")), true, c);
  }
  for (const c of ["bt", "p x", "up", "thread list", "process status", "b main"]) {
    assert.equal(resumes(c.split(" ")), false, c);
  }
});

Deno.test("lldb: the arguments typed after run or process launch --", async () => {
  const { launchArgs } = await import("../../src/engine/lldb.ts");
  assert.deepEqual(launchArgs('run one \'two words\' "a\\"b"'), ["one", "two words", 'a"b']);
  assert.deepEqual(launchArgs("r x"), ["x"]);
  assert.deepEqual(launchArgs("process launch -s -- p q"), ["p", "q"]);
  // None typed: the command line's arguments.
  assert.equal(launchArgs("run"), undefined);
  assert.equal(launchArgs("process launch -s"), undefined);
});

Deno.test("lldb: run ARGS passes them to the program instead of the command line's", async () => {
  const events: { type: string; text?: string }[] = [];
  const engine = createLldbEngine(
    { kind: "lldb", program: await (built ??= buildSample(dir)), args: ["from-cli"] },
    (e) => events.push(e as { type: string; text?: string }),
  );
  try {
    await engine.start();
    assert.deepEqual(await engine.execute("b main"), { ok: true });
    assert.deepEqual(await engine.execute("run one 'two words'"), { ok: true });
    assert.equal(engine.state, "stopped");
    const mark = events.length;
    assert.deepEqual(await engine.execute("p argc"), { ok: true });
    assert.deepEqual(await engine.execute("p argv[2]"), { ok: true });
    const text = events.slice(mark).map((e) => e.type === "output" ? e.text : "").join("");
    assert.match(text, /\(int\) 3\n/);
    assert.match(text, /"two words"/);
  } finally {
    await engine.stop();
  }
});
