/**
 * The direct baselines for the DAP engines' benchmark rows: the same `print x`
 * at a breakpoint sent straight to the adapter (lldb-dap's REPL, debugpy's
 * evaluate), no dbgremote in between.
 */
import type { DebugProtocol } from "@vscode/debugprotocol";
import { createDapClient } from "../src/engine/dap/client.ts";

export interface DirectDap {
  /** The adapter and how to launch the program so it stops at `line`. */
  command: string;
  args: string[];
  launch: Record<string, unknown>;
  /** Set the breakpoint: before launch (lldb, via its dummy target) or after `initialized`. */
  breakBefore?: string;
  breakAfter?: { path: string; line: number };
  /** The evaluate request timed, in the stopped frame. */
  evaluate: { expression: string; context: string };
}

export async function directDap(
  d: DirectDap,
  rounds: number,
  warmup: number,
): Promise<number[]> {
  let stopped: (() => void) | undefined;
  let initialized: (() => void) | undefined;
  let threadId = 0;
  const client = createDapClient({
    command: d.command,
    args: d.args,
    cwd: process.cwd(),
    onEvent(e) {
      if (e.event === "initialized") initialized?.();
      if (e.event === "stopped") {
        threadId = (e as DebugProtocol.StoppedEvent).body.threadId ?? threadId;
        stopped?.();
      }
    },
    onExit() {},
  });
  await client.spawned;
  await client.request("initialize", {
    adapterID: "bench",
    linesStartAt1: true,
    pathFormat: "path",
  });
  if (d.breakBefore) {
    await client.request("evaluate", { expression: d.breakBefore, context: "repl" });
  }
  const gotInitialized = new Promise<void>((r) => (initialized = r));
  const gotStop = new Promise<void>((r) => (stopped = r));
  const launched = client.request("launch", d.launch);
  await gotInitialized;
  if (d.breakAfter) {
    await client.request("setBreakpoints", {
      source: { path: d.breakAfter.path },
      breakpoints: [{ line: d.breakAfter.line }],
    });
  }
  await client.request("configurationDone");
  await launched;
  await gotStop;
  const st = await client.request<DebugProtocol.StackTraceResponse>("stackTrace", {
    threadId,
    levels: 1,
  });
  const frameId = st.body.stackFrames[0].id;
  const samples: number[] = [];
  for (let i = 0; i < warmup + rounds; i++) {
    const t0 = performance.now();
    await client.request("evaluate", { ...d.evaluate, frameId });
    if (i >= warmup) samples.push(performance.now() - t0);
  }
  await client.kill(500);
  return samples;
}
