/**
 * pdb's evaluation in the selected frame over debugpy, and pdb's way of saying an error
 * (`*** message`).
 */
import type { DebugProtocol } from "@vscode/debugprotocol";
import type { CommandResult } from "./engine.ts";
import type { DapContext } from "./dap/profile.ts";

export async function evaluate(
  ctx: DapContext,
  expression: string,
  context: "repl" | "watch",
): Promise<{ ok: true; result: string } | { ok: false; error: string }> {
  try {
    const r = await ctx.request<DebugProtocol.EvaluateResponse>("evaluate", {
      expression,
      context,
      frameId: ctx.frameId,
    });
    return { ok: true, result: r.body.result };
  } catch (err) {
    // debugpy answers with the traceback: its last line is pdb's `*** Error: message`.
    const lines = (err as Error).message.trim().split("\n");
    return { ok: false, error: lines[lines.length - 1] };
  }
}

/**
 * The value of a Python expression as JSON, or undefined if it fails. It travels as base64:
 * debugpy answers with a repr, whose quoting would otherwise have to be undone.
 */
export async function evaluateJson(ctx: DapContext, expression: string): Promise<unknown> {
  const r = await evaluate(
    ctx,
    `__import__('base64').b64encode(__import__('json').dumps(${expression}).encode()).decode()`,
    "watch",
  );
  if (!r.ok) return undefined;
  try {
    const bytes = Uint8Array.from(atob(r.result.slice(1, -1)), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
}

export function fail(ctx: DapContext, error: string): CommandResult {
  ctx.output("error", `*** ${error}\n`);
  return { ok: false, error };
}
