/**
 * The debugging toolbar's rules: which button does what, and when it may be pressed (and,
 * when not, why — the tooltip says so). Pure: the page's state in, each button's state out.
 */
import type { Action } from "../../engine/inspect.ts";

export type Tool = "continue" | "next" | "stepIn" | "stepOut" | "interrupt";

/** The buttons in order, with their labels, tooltips and keys (as editors bind them). */
export const TOOLS: readonly { tool: Tool; label: string; title: string; key: string }[] = [
  { tool: "continue", label: "Continue", title: "Continue (F5)", key: "F5" },
  { tool: "next", label: "Step over", title: "Step over: next line (F10)", key: "F10" },
  { tool: "stepIn", label: "Step into", title: "Step into the call (F11)", key: "F11" },
  { tool: "stepOut", label: "Step out", title: "Step out: finish (Shift+F11)", key: "Shift+F11" },
  { tool: "interrupt", label: "Interrupt", title: "Interrupt the target (Ctrl+C)", key: "" },
];

/** What a step button asks the session to do (interrupt is its own message). */
export function toolAction(tool: Exclude<Tool, "interrupt">): Action {
  return { do: tool };
}

export interface ToolbarContext {
  /** In the session (not ended, not refused). */
  joined: boolean;
  observer: boolean;
  /** The server takes act messages (protocol 1.4). */
  canAct: boolean;
  /** The target's state: idle, running, stopped, exited. */
  state: string;
}

export interface ToolState {
  enabled: boolean;
  /** The tooltip: what it does, or why it is disabled. */
  title: string;
}

/** Each button's state, in TOOLS order's keys. */
export function toolbarState(ctx: ToolbarContext): Record<Tool, ToolState> {
  const out = {} as Record<Tool, ToolState>;
  for (const t of TOOLS) out[t.tool] = { enabled: false, title: why(t.tool, ctx) ?? t.title };
  for (const t of TOOLS) out[t.tool].enabled = why(t.tool, ctx) === undefined;
  return out;
}

/** Why `tool` may not be pressed now; undefined when it may. */
function why(tool: Tool, ctx: ToolbarContext): string | undefined {
  if (!ctx.joined) return "not in the session";
  if (ctx.observer) return "you are observing: only operators drive the target";
  if (tool === "interrupt") {
    return ctx.state === "running" ? undefined : "the target is not running";
  }
  if (!ctx.canAct) return "this server is older than the toolbar: type the commands instead";
  if (ctx.state === "running") return "the target is running: interrupt it first";
  if (ctx.state !== "stopped") return "the program is not stopped: type run to start it";
  return undefined;
}

/** The tool a key press stands for (F5, F10, F11, Shift+F11), if any. */
export function toolForKey(e: { key: string; shiftKey: boolean }): Tool | undefined {
  const key = e.shiftKey ? `Shift+${e.key}` : e.key;
  return TOOLS.find((t) => t.key === key)?.tool;
}
