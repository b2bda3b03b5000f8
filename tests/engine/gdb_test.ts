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
