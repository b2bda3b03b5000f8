import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createGdbEngine, miQuote } from "../../src/engine/gdb.ts";
import { buildSample, SAMPLE_SOURCE } from "../../src/engine/sample.ts";
import { engineContract } from "./contract.ts";
import assert from "node:assert/strict";

const dir = path.join(os.tmpdir(), `dbgremote-test-sample-${process.pid}`);
let built: Promise<string> | undefined;

engineContract("gdb", {
  make: createGdbEngine,
  specFor: (program, args = []) => ({ kind: "gdb", program, args }),
  async sample() {
    built ??= buildSample(dir);
    return { program: await built, source: SAMPLE_SOURCE };
  },
});

Deno.test("miQuote escapes quotes, backslashes and newlines", () => {
  assert.equal(miQuote('print "a\\b"\n'), '"print \\"a\\\\b\\"\\n"');
});

Deno.test("buildSample reuses an up-to-date build", async () => {
  const program = await buildSample(dir);
  const before = fs.statSync(program).mtimeMs;
  assert.equal(await buildSample(dir), program);
  assert.equal(fs.statSync(program).mtimeMs, before);
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
