/**
 * How a pane says that it got no answer. Decided on the error's code, never its words: an
 * older server or an engine without an inspector is a fact to state calmly, not an error.
 * Pure.
 */
import { InspectError } from "./protocol.ts";

/** Codes meaning "this server or engine has no structured side": the panes say so. */
const NO_INSPECTOR = new Set(["E_NO_INSPECT", "E_NO_INSPECTOR"]);

export function noInspector(err: unknown): boolean {
  return err instanceof InspectError && NO_INSPECTOR.has(err.code);
}

/** The pane's line for a failed question. */
export function inspectProblem(err: unknown): string {
  if (err instanceof InspectError) {
    if (noInspector(err)) return `not available: ${err.message}`;
    if (err.code === "E_TARGET_RUNNING") return "the target is running";
    if (err.code === "E_NO_TARGET") return "the target is not stopped";
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
