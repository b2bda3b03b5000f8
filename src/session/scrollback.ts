/**
 * A bounded ring of recent session events for late joiners: at most `limit`
 * events and at most `maxBytes` of them encoded, so a welcome carrying them
 * always fits in one frame (see protocol/fit.ts).
 */
import { encodedSize } from "../protocol/fit.ts";
import type { SharedFrame } from "../protocol/frame.ts";
import type { SessionEvent } from "../protocol/messages.ts";

/** Default byte bound: half a frame, leaving the welcome room for the participants' list. */
export const DEFAULT_SCROLLBACK_BYTES = 512 * 1024;

export class Scrollback {
  readonly #limit: number;
  readonly #maxBytes: number;
  #events: SessionEvent[] = [];
  #sizes: number[] = [];
  /** Index of the oldest kept event: evicted ones before it are compacted away now and then. */
  #head = 0;
  #bytes = 0;

  constructor(limit: number, maxBytes = DEFAULT_SCROLLBACK_BYTES) {
    if (!Number.isInteger(limit) || limit < 0) {
      throw new RangeError("scrollback limit must be >= 0");
    }
    if (!Number.isInteger(maxBytes) || maxBytes < 0) {
      throw new RangeError("scrollback byte limit must be >= 0");
    }
    this.#limit = limit;
    this.#maxBytes = maxBytes;
  }

  /** Encoded bytes of the events kept now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Keep `event`; `frame`, when given, is it encoded already (its size is not measured again). */
  add(event: SessionEvent, frame?: SharedFrame): void {
    if (this.#limit === 0) return;
    let size: number;
    try {
      size = frame ? frame.bodySize : encodedSize(event);
    } catch {
      size = encodedSize(event); // too big for a frame: measured, and then not kept
    }
    // Never a gap: an event bigger than the whole bound leaves nothing older before it either.
    if (size > this.#maxBytes) {
      this.#events = [];
      this.#sizes = [];
      this.#head = this.#bytes = 0;
      return;
    }
    this.#events.push(event);
    this.#sizes.push(size);
    this.#bytes += size;
    while (
      this.#events.length - this.#head > this.#limit || this.#bytes > this.#maxBytes
    ) {
      this.#bytes -= this.#sizes[this.#head];
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#events.length) {
      this.#events = this.#events.slice(this.#head);
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Events oldest first. */
  events(): SessionEvent[] {
    return this.#events.slice(this.#head);
  }
}
