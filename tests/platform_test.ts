/**
 * The process's own output: the platform writes stdout/stderr straight to the file descriptors
 * until the terminal takes over the streams (src/platform.ts, fdWriter), and either way every
 * byte arrives, in order, whatever its size: a pipe that fills must not lose or reorder text.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import process from "node:process";

const root = path.resolve(import.meta.dirname!, "..");
const RUNTIMES = {
  deno: [process.execPath, "run", "-A"],
  // The compiled binary's runtime, where the streams are costly and fd 1 may be non-blocking.
  bun: [path.join(root, "node_modules/.bin/bun"), "run"],
};

/** Run `body` (with `p`, the process platform) in a fresh process; its stdout and stderr, whole. */
async function run(
  runtime: keyof typeof RUNTIMES,
  body: string,
): Promise<{ out: string; err: string; code: number | null }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-platform-test-"));
  const file = path.join(dir, "script.ts");
  fs.writeFileSync(
    file,
    `import { processPlatform } from ${JSON.stringify(path.join(root, "src/platform.ts"))};\n` +
      `const p = processPlatform();\n${body}\n`,
  );
  const [cmd, ...args] = RUNTIMES[runtime];
  const child = spawn(cmd, [...args, file], { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
  child.stdin!.end();
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (s: string) => (out += s));
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (err += s));
  const timer = setTimeout(() => child.kill(), 30_000);
  try {
    return await new Promise((resolve) =>
      child.on("close", (code) => {
        clearTimeout(timer);
        if (code !== 0) {
          console.error(
            `exit ${code}\n--- stdout ---\n${out.slice(0, 2000)}\n--- stderr ---\n${err}`,
          );
        }
        resolve({ out, err, code });
      })
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const BIG = 4 * 1024 * 1024; // far more than a pipe holds: the reader is slower than the writer

for (const runtime of ["deno", "bun"] as const) {
  Deno.test(`platform (${runtime}): stdout and stderr arrive whole and in order, small and large`, async () => {
    const r = await run(
      runtime,
      `
    p.stdout("first\\n");
    p.stderr("an error\\n");
    p.stdout("x".repeat(${BIG}) + "\\n");
    p.stdout("last\\n");
  `,
    );
    assert.equal(r.code, 0);
    assert.equal(r.out, "first\n" + "x".repeat(BIG) + "\nlast\n");
    assert.equal(r.err, "an error\n");
  });

  Deno.test(`platform (${runtime}): output stays in order when the terminal takes over stdout midway`, async () => {
    const r = await run(
      runtime,
      `
    p.stdout("before\\n");
    const term = p.terminal("> ");
    term.write("from the terminal\\n");
    p.stdout("after\\n");
    term.close();
  `,
    );
    assert.equal(r.code, 0);
    assert.equal(r.out, "before\nfrom the terminal\nafter\n");
  });
}
