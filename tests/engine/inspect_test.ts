/** The structured side's contract on gdb, lldb and python (see inspect_contract.ts). */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createGdbEngine } from "../../src/engine/gdb.ts";
import { createLldbEngine } from "../../src/engine/lldb.ts";
import { createPythonEngine } from "../../src/engine/python.ts";
import { inspectContract } from "./inspect_contract.ts";

const samples = path.resolve(import.meta.dirname!, "../../samples");
const dir = path.join(os.tmpdir(), `dbgremote-test-shapes-${process.pid}`);
let built: Promise<string> | undefined;

/** samples/shapes.c, built once per run. */
function buildShapes(): Promise<{ program: string; source: string }> {
  const source = path.join(samples, "shapes.c");
  built ??= new Promise((resolve, reject) => {
    fs.mkdirSync(dir, { recursive: true });
    const program = path.join(dir, "shapes");
    execFile(
      "cc",
      ["-g", "-O0", "-o", program, source],
      (err) => err ? reject(err) : resolve(program),
    );
  });
  return built.then((program) => ({ program, source }));
}

inspectContract({
  kind: "gdb",
  make: createGdbEngine,
  sample: buildShapes,
  spec: (program, args) => ({ kind: "gdb", program, args }),
  run: "run",
});

inspectContract({
  kind: "lldb",
  make: createLldbEngine,
  sample: buildShapes,
  spec: (program, args) => ({ kind: "lldb", program, args }),
  run: "run",
});

inspectContract({
  kind: "python",
  make: createPythonEngine,
  sample: () => {
    const source = path.join(samples, "shapes.py");
    return Promise.resolve({ program: source, source });
  },
  // Debian's python3-debugpy serves this interpreter (a pyenv python3 may come first on PATH).
  spec: (program, args) => ({ kind: "python", program, args, debugger: "/usr/bin/python3" }),
  run: "c",
});
