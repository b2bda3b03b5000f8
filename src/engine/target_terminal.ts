/**
 * The debugged program's terminal as an engine uses it: opened before the debugger, its output
 * decoded and reported as the `target` stream as soon as it is read.
 */
import { EngineError } from "../errors.ts";
import type { Pty, PtyOptions } from "../pty.ts";
import type { EngineListener } from "./engine.ts";

/** The size a program's terminal starts with. */
export const DEFAULT_SIZE: PtyOptions = { cols: 80, rows: 24 };

/** Open the program's terminal; what the program writes goes to `listener` straight away. */
export async function openTargetTerminal(
  open: (options: PtyOptions) => Promise<Pty>,
  listener: EngineListener,
): Promise<Pty> {
  try {
    const t = await open(DEFAULT_SIZE);
    const decoder = new TextDecoder();
    // Straight out, never held behind the debugger's records: the program writes on its own time.
    t.onData((chunk) => {
      const text = decoder.decode(chunk, { stream: true });
      if (text) listener({ type: "output", stream: "target", text });
    });
    return t;
  } catch (err) {
    throw new EngineError(
      "E_ENGINE_START",
      `cannot open a terminal for the program: ${(err as Error).message}`,
      { hint: "dbgremote needs pseudo-terminals (/dev/ptmx, devpts mounted)", cause: err },
    );
  }
}

/**
 * How long a stop's news waits for the program's output before it (drainWithin). The drain is
 * exact (a marker behind what the program wrote), so the wait only lasts while that output is
 * still being read, which is when the server is busiest: 3 s proved short with 20 MB going to
 * several clients on a loaded machine, and a stop reported in the middle of a line of output
 * reads as if the program had printed it.
 */
export const DRAIN_TIMEOUT_MS = 15_000;

/** Everything the program wrote so far is out (or `ms` passed: a terminal that never answers). */
export async function drainWithin(pty: Pty, ms = DRAIN_TIMEOUT_MS): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([pty.drain(), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
