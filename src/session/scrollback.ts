/** A bounded ring of recent session events for late joiners. */
import type { SessionEvent } from "../protocol/messages.ts";

export class Scrollback {
  readonly #limit: number;
  readonly #ring: SessionEvent[] = [];
  #head = 0;

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 0) {
      throw new RangeError("scrollback limit must be >= 0");
    }
    this.#limit = limit;
  }

  add(event: SessionEvent): void {
    if (this.#limit === 0) return;
    if (this.#ring.length < this.#limit) {
      this.#ring.push(event);
    } else {
      this.#ring[this.#head] = event;
      this.#head = (this.#head + 1) % this.#limit;
    }
  }

  /** Events oldest first. */
  events(): SessionEvent[] {
    return [...this.#ring.slice(this.#head), ...this.#ring.slice(0, this.#head)];
  }
}
