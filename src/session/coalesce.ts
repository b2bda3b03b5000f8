/**
 * Output coalescing: gdb prints line by line, and each line used to become its own `out`
 * message, encoded and written to every peer. What arrives in one turn of the event loop, and
 * in the few ms after it until anything else is sent, is merged instead: consecutive output of
 * the same command on the same stream becomes one message (one encode, one write per peer). Output of another stream or command starts a new
 * message, so interleaving is kept exactly; protocol/fit.ts then cuts what is merged into
 * 256 KiB pieces as it cuts anything.
 *
 * The owner must {@link OutCoalescer.flush} before it sends anything else (a state, an echo,
 * a done, a notice), so output never moves across another event.
 */
import { MAX_EVENT_BYTES } from "../protocol/fit.ts";
import type { Out } from "../protocol/messages.ts";

/**
 * How long output may wait for more. gdb writes a 9 KB answer (`x/320xg $sp`) in about 40 pipe
 * reads spread over many turns of the event loop; merged per turn, each observer still got ~40
 * messages (one syscall each) per answer. A command's answer never waits this long: its `done`
 * flushes it. Only output that streams on its own (the program running) is held, this long at
 * most.
 */
export const OUT_WINDOW_MS = 16;

export class OutCoalescer {
  readonly #emit: (out: Out) => void;
  readonly #schedule: (flush: () => void) => void;
  readonly #maxChars: number;
  #pending: Out[] = [];
  #scheduled = false;

  /**
   * `emit` gets the merged messages in order; `schedule` runs the flush later (default: after
   * {@link OUT_WINDOW_MS}). A run holding `maxChars` or more is sent at once.
   */
  constructor(
    emit: (out: Out) => void,
    schedule: (flush: () => void) => void = (flush) => void setTimeout(flush, OUT_WINDOW_MS),
    maxChars = MAX_EVENT_BYTES,
  ) {
    this.#emit = emit;
    this.#schedule = schedule;
    this.#maxChars = maxChars;
  }

  /** Nothing waits to be sent. */
  get empty(): boolean {
    return this.#pending.length === 0;
  }

  add(out: Out): void {
    const last = this.#pending.at(-1);
    if (last && last.seq === out.seq && last.stream === out.stream) {
      last.text += out.text;
    } else {
      this.#pending.push({ ...out });
    }
    if (this.#pending.at(-1)!.text.length >= this.#maxChars) return this.flush();
    if (!this.#scheduled) {
      this.#scheduled = true;
      this.#schedule(() => {
        this.#scheduled = false;
        this.flush();
      });
    }
  }

  /** Send what waits now, in order. */
  flush(): void {
    if (this.#pending.length === 0) return;
    const pending = this.#pending;
    this.#pending = [];
    for (const out of pending) this.#emit(out);
  }
}
