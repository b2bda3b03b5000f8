/**
 * The program an engine is asked to debug, checked before its debugger starts: a wrong path fails
 * here, with one error every engine words the same way, instead of in the debugger's own words.
 */
import fs from "node:fs";
import path from "node:path";
import { EngineError } from "../errors.ts";
import type { EngineSpec } from "./engine.ts";

/**
 * `spec.program` as a full path (relative to `cwd`), or undefined when the spec names none.
 * Throws E_PROGRAM_MISSING, with `hint`, when it is not an existing file.
 */
export function checkedProgram(spec: EngineSpec, cwd: string, hint: string): string | undefined {
  if (!spec.program) return undefined;
  const program = path.resolve(cwd, spec.program);
  let ok = false;
  try {
    ok = fs.statSync(program).isFile();
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new EngineError(
      "E_PROGRAM_MISSING",
      `program ${program} does not exist or is not a file`,
      { hint },
    );
  }
  return program;
}
