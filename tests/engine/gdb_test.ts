import { execFile } from "node:child_process";
import fs from "node:fs";
import type { EngineEvent, EngineListener, EngineSpec } from "../../src/engine/engine.ts";
import os from "node:os";
import path from "node:path";
import { createGdbEngine, miQuote, type SourceCache, sourceExcerpt } from "../../src/engine/gdb.ts";
import { buildSample, SAMPLE_SOURCE } from "../../src/engine/sample.ts";
import { engineContract } from "./contract.ts";
import { targetContract } from "./contract_target.ts";
import assert from "node:assert/strict";

const dir = path.join(os.tmpdir(), `dbgremote-test-sample-${process.pid}`);
let built: Promise<string> | undefined;
let echoBuilt: Promise<string> | undefined;

/** samples/echo.c, built once per run. */
function buildEcho(): Promise<string> {
  const source = path.resolve(import.meta.dirname!, "../../samples/echo.c");
  fs.mkdirSync(dir, { recursive: true });
  const program = path.join(dir, "echo");
  return new Promise((resolve, reject) =>
    execFile(
      "cc",
      ["-g", "-O0", "-o", program, source],
      (err) => err ? reject(err) : resolve(program),
    )
  );
}

const gdbTarget = {
  make: (spec: EngineSpec, listener: EngineListener) => createGdbEngine(spec, listener),
  specFor: (program: string, args: string[] = []): EngineSpec => ({ kind: "gdb", program, args }),
  async sample() {
    built ??= buildSample(dir);
    return { program: await built, source: SAMPLE_SOURCE };
  },
  echoSample: () => (echoBuilt ??= buildEcho()),
};
engineContract("gdb", gdbTarget);
targetContract("gdb", gdbTarget);

Deno.test("miQuote escapes quotes, backslashes and newlines", () => {
  assert.equal(miQuote('print "a\\b"\n'), '"print \\"a\\\\b\\"\\n"');
});

Deno.test("buildSample reuses an up-to-date build", async () => {
  const program = await buildSample(dir);
  const before = fs.statSync(program).mtimeMs;
  assert.equal(await buildSample(dir), program);
  assert.equal(fs.statSync(program).mtimeMs, before);
});

Deno.test("sourceExcerpt: lines around the stop, re-read when the file changes", () => {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "excerpt.c");
  fs.writeFileSync(file, Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join("\n"));
  const cache: SourceCache = new Map();
  assert.deepEqual(sourceExcerpt(file, 2, cache), {
    path: file,
    first: 1,
    lines: ["line 1", "line 2", "line 3", "line 4", "line 5", "line 6", "line 7", "line 8"],
  });
  assert.equal(sourceExcerpt(file, 20, cache)?.first, 14);
  assert.equal(sourceExcerpt(file, 31, cache), undefined);
  fs.writeFileSync(file, "changed\n".repeat(40));
  assert.equal(sourceExcerpt(file, 20, cache)?.lines[6], "changed");
  assert.equal(sourceExcerpt(path.join(dir, "nonexistent.c"), 1, cache), undefined);
});

globalThis.addEventListener("unload", () => fs.rmSync(dir, { recursive: true, force: true }));

Deno.test("buildSample: several builds at once (a lab's servers on one machine) all get a whole program", async () => {
  const shared = fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-test-sample-race-"));
  try {
    const programs = await Promise.all(Array.from({ length: 4 }, () => buildSample(shared)));
    assert.ok(programs.every((p) => p === programs[0]));
    // Whole and runnable; no half-written leftovers beside it.
    const { execFileSync } = await import("node:child_process");
    assert.match(execFileSync(programs[0], { encoding: "utf8" }), /\S/);
    assert.deepEqual(fs.readdirSync(shared).sort(), ["demo", "demo.c", "demo.sha256"]);
  } finally {
    fs.rmSync(shared, { recursive: true, force: true });
  }
});

Deno.test("gdb engine: a stop in a thread, bt, continue through both threads to the exit code", async () => {
  const source = path.resolve(import.meta.dirname!, "../../samples/threads.c");
  fs.mkdirSync(dir, { recursive: true });
  const program = path.join(dir, "threads");
  await new Promise<void>((resolve, reject) =>
    execFile(
      "cc",
      ["-g", "-O0", "-pthread", "-o", program, source],
      (err) => err ? reject(err) : resolve(),
    )
  );
  const text = fs.readFileSync(source, "utf8");
  const workLine = text.split("\n").findIndex((l) => l.includes("LINE:work")) + 1;
  const events: EngineEvent[] = [];
  const engine = createGdbEngine({ kind: "gdb", program }, (e) => events.push(e));
  const states = () => events.filter((e) => e.type === "state");
  try {
    await engine.start();
    assert.deepEqual(await engine.execute("break work"), { ok: true });
    assert.deepEqual(await engine.execute("run"), { ok: true });
    const stop = states().at(-1);
    assert.ok(stop?.type === "state" && stop.state === "stopped");
    assert.equal(stop.info.reason, "breakpoint-hit");
    assert.equal(stop.info.line, workLine);
    assert.equal(stop.info.frames?.[0].func, "work");
    assert.equal(stop.info.frames?.[0].args?.[0].name, "n");
    const before = events.length;
    assert.deepEqual(await engine.execute("bt"), { ok: true });
    const said = events.slice(before).map((e) => e.type === "output" ? e.text : "").join("");
    assert.match(said, /#0 +work \(n=\d\) at .*threads\.c/);
    assert.deepEqual(await engine.execute("continue"), { ok: true });
    const second = states().at(-1);
    assert.ok(second?.type === "state" && second.state === "stopped");
    assert.equal(second.info.frames?.[0].func, "work");
    assert.deepEqual(await engine.execute("continue"), { ok: true });
    const end = states().at(-1);
    assert.ok(end?.type === "state" && end.state === "exited");
    assert.equal(end.info.exitCode, 3);
  } finally {
    await engine.stop();
  }
});
