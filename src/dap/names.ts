/** What the CLI says of editor endpoints, without loading the DAP server (start-up stays light). */
import type { ConnSpec } from "../connstr.ts";

/** Does this endpoint take editors? */
export function isDap(spec: ConnSpec): boolean {
  return spec.transport === "dap" || spec.transport === "daps";
}

/** What the server's banner says to do with an editor endpoint listening at `address`. */
export function editorHow(address: string): string {
  const port = /port=(\d+)/.exec(address)?.[1] ?? "PORT";
  return `attach an editor ("request": "attach", "debugServer": ${port})`;
}
