/**
 * Signals to the program gdb debugs, sent by its pid (from =thread-group-started) rather than
 * asked of gdb: a console command like `continue` runs synchronously, and gdb reads no MI input
 * until the target stops, so an -exec-interrupt or a kill would wait. Separate from gdb.ts
 * because it is the one place the engine reaches past gdb to the program.
 */

/** How long to wait for gdb's answer to -exec-interrupt when the program cannot be signalled. */
const INTERRUPT_WAIT_MS = 2000;

/**
 * Ctrl+C: a SIGINT to the target, as at gdb's own prompt; gdb catches it and reports the stop.
 * `interruptGdb` sends -exec-interrupt, for when there is no pid or it is not ours to signal.
 */
export async function interruptTarget(
  pid: number | undefined,
  interruptGdb: () => Promise<unknown>,
): Promise<void> {
  if (pid !== undefined) {
    try {
      process.kill(pid, "SIGINT");
      return;
    } catch {
      // gone already, or not ours to signal: ask gdb
    }
  }
  // Bounded: if gdb is busy it answers once the target stops anyway.
  await Promise.race([
    interruptGdb().catch(() => {}),
    new Promise((r) => setTimeout(r, INTERRUPT_WAIT_MS).unref?.()),
  ]);
}

/** End the target before gdb: gdb reads no input while a console command runs it. */
export function killTarget(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}
