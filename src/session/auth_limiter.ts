/**
 * Failed password attempts per peer address: after `maxFailures` within
 * `windowMs`, that address is refused until the window has passed. Pure
 * over an injected clock.
 */
export interface AuthLimiterOptions {
  maxFailures?: number;
  windowMs?: number;
  now?: () => number;
}

export class AuthLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly #max: number;
  readonly #window: number;
  readonly #now: () => number;

  constructor(options: AuthLimiterOptions = {}) {
    this.#max = options.maxFailures ?? 5;
    this.#window = options.windowMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  #recent(address: string): number[] {
    const cutoff = this.#now() - this.#window;
    const list = (this.#failures.get(address) ?? []).filter((t) => t > cutoff);
    if (list.length) this.#failures.set(address, list);
    else this.#failures.delete(address);
    return list;
  }

  /** Milliseconds until this address may try again, or 0 if it may now. */
  blockedFor(address: string): number {
    const list = this.#recent(address);
    if (list.length < this.#max) return 0;
    return list[list.length - this.#max] + this.#window - this.#now();
  }

  fail(address: string): void {
    this.#failures.set(address, [...this.#recent(address), this.#now()]);
  }

  succeed(address: string): void {
    this.#failures.delete(address);
  }
}

/** The address part of a channel's peer ("tcp:10.0.0.7:40312" → "10.0.0.7"; also ssl:, http:). */
export function peerAddress(peer: string): string {
  const m = /^[a-z]+:(\[[^\]]+\]|[^:]+):\d+$/.exec(peer);
  return m ? m[1] : peer.split(":")[0];
}
