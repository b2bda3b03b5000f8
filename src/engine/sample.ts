/**
 * The sample program that ships inside dbgremote: its C source is compiled
 * into the binary and built with the machine's C compiler on first use, so
 * the built-in demo lab works with nothing else installed but gdb and cc. The Python
 * engine's sample is the same program in Python.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import process from "node:process";
import source from "../../samples/demo.c" with { type: "text" };
import pythonSource from "../../samples/demo.py" with { type: "text" };
import { EngineError } from "../errors.ts";

export const SAMPLE_SOURCE: string = source;
/** The same sample in Python, for the Python engine. */
export const PYTHON_SAMPLE_SOURCE: string = pythonSource;

/** Write the Python sample into `outDir` (unless it is there already); returns its path. */
export function writePythonSample(outDir: string): string {
  fs.mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const script = path.join(outDir, "demo.py");
  try {
    if (fs.readFileSync(script, "utf8") === PYTHON_SAMPLE_SOURCE) return script;
  } catch {
    // not written yet
  }
  // Several servers may write at once: each under its own name, then renamed into place.
  const tmp = `${script}.${process.pid}-${Math.random().toString(36).slice(2)}`;
  fs.writeFileSync(tmp, PYTHON_SAMPLE_SOURCE);
  fs.renameSync(tmp, script);
  return script;
}

/** Build the sample into `outDir` (reusing an up-to-date build); returns the program's path. */
export async function buildSample(
  outDir: string,
  compiler = "cc",
  env: Record<string, string | undefined> = process.env,
): Promise<string> {
  fs.mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const program = path.join(outDir, "demo");
  const src = path.join(outDir, "demo.c");
  const stamp = path.join(outDir, "demo.sha256");
  const hash = createHash("sha256").update(SAMPLE_SOURCE).digest("hex");
  if (fs.existsSync(program) && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === hash) {
    return program;
  }
  // Several servers on one machine (a lab's nodes, parallel tests) may build at once:
  // each builds under its own names, then renames into place (atomic on one file system).
  const tmp = `.${process.pid}-${Math.random().toString(36).slice(2)}`;
  fs.writeFileSync(src + tmp, SAMPLE_SOURCE);
  fs.renameSync(src + tmp, src);
  await new Promise<void>((resolve, reject) => {
    execFile(compiler, ["-g", "-O0", "-o", program + tmp, src], { env }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
      reject(
        new EngineError(
          "E_PROGRAM_MISSING",
          missing
            ? `cannot build the sample program: no C compiler (${compiler}) on PATH`
            : `cannot build the sample program: ${stderr.trim() || err.message}`,
          {
            hint: "install a C compiler (Debian/Ubuntu: apt-get install gcc libc6-dev)",
            cause: err,
          },
        ),
      );
    });
  });
  fs.renameSync(program + tmp, program);
  fs.writeFileSync(stamp + tmp, hash);
  fs.renameSync(stamp + tmp, stamp);
  return program;
}
