/**
 * The Python engine's adapter: debugpy's (`python3 -m debugpy.adapter`), run by the interpreter
 * the user named, which must be able to import debugpy; what to do when it cannot.
 */
import { execFile } from "node:child_process";
import { EngineError } from "../errors.ts";
import type { EngineSpec } from "./engine.ts";
import { findKind } from "./kinds.ts";
import type { AdapterCommand } from "./dap/profile.ts";

/** What the interpreter says about itself: [version, debugpy version or null, executable]. */
const PROBE = "import sys, json\ntry:\n import debugpy; d = debugpy.__version__\n" +
  "except ImportError:\n d = None\nprint(json.dumps([sys.version.split()[0], d, sys.executable]))";

function probe(interpreter: string): Promise<[string, string | null, string]> {
  return new Promise((resolve, reject) => {
    execFile(interpreter, ["-c", PROBE], { timeout: 10_000 }, (err, stdout) => {
      if (err) {
        const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
        return reject(
          new EngineError(
            missing ? "E_ENGINE_MISSING" : "E_ENGINE_START",
            missing ? `${interpreter} not found` : `cannot run ${interpreter}: ${err.message}`,
            {
              hint: `install Python 3 with debugpy (Debian/Ubuntu: ${
                findKind("python")!.install
              }) or give the interpreter's path`,
              cause: err,
            },
          ),
        );
      }
      try {
        resolve(JSON.parse(stdout.trim().split("\n").pop()!));
      } catch (cause) {
        reject(
          new EngineError("E_ENGINE_START", `${interpreter} is not a Python 3 interpreter`, {
            hint: "name a python3 after --: -- python3 -m pdb script.py",
            cause,
          }),
        );
      }
    });
  });
}

export async function findAdapter(spec: EngineSpec): Promise<AdapterCommand> {
  const interpreter = spec.debugger ?? "python3";
  const [version, debugpy, executable] = await probe(interpreter);
  if (!debugpy) {
    throw new EngineError(
      "E_ENGINE_MISSING",
      `${interpreter} (Python ${version}, ${executable}) cannot import debugpy`,
      {
        hint: `install debugpy for it (pip install debugpy), or name an interpreter that has it` +
          ` (Debian/Ubuntu: ${findKind("python")!.install} serves /usr/bin/python3:` +
          ` -- /usr/bin/python3 -m pdb script.py)`,
      },
    );
  }
  return {
    command: interpreter,
    args: ["-m", "debugpy.adapter"],
    version: `Python ${version} (debugpy ${debugpy})`,
  };
}
