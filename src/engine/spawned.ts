/**
 * Whether a debugger process really started: node reports a missing binary or a failed exec as
 * an `error` event instead of a throw, and every engine turns it into the same EngineError
 * (E_ENGINE_MISSING with what to install, or E_ENGINE_START).
 */
import type { ChildProcess } from "node:child_process";
import { EngineError } from "../errors.ts";

/**
 * Resolves once `child` has spawned; rejects with the EngineError saying why not. `failed` is
 * called first, so the caller stops writing to a process that never was. `missing` is the
 * sentence for a binary not found; `hint` what to install.
 */
export function spawned(
  child: ChildProcess,
  command: string,
  failed: () => void,
  missing = `${command} not found`,
  hint?: string,
): Promise<void> {
  const started = new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", (err: NodeJS.ErrnoException) => {
      failed();
      reject(
        err.code === "ENOENT"
          ? new EngineError(
            "E_ENGINE_MISSING",
            missing,
            hint ? { hint, cause: err } : { cause: err },
          )
          : new EngineError("E_ENGINE_START", `cannot start ${command}: ${err.message}`, {
            cause: err,
          }),
      );
    });
  });
  started.catch(() => {}); // the engine awaits it; a failure is reported there
  return started;
}
