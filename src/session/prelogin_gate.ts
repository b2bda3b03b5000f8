/**
 * How many connections may be in their handshake (not logged in yet) at once,
 * per peer address and in all. Strangers can open connections for free; each
 * one costs the server a socket, buffers and a timer until its hello timeout,
 * so they are capped before they can cost more: a peer past the cap is turned
 * away at once, while those who have logged in never count. Pure.
 */
export interface PreloginGateOptions {
  /** Connections in their handshake from one address (default 8). */
  perAddress?: number;
  /** Connections in their handshake in all (default 64). */
  total?: number;
}

export class PreloginGate {
  readonly #perAddress: number;
  readonly #total: number;
  readonly #counts = new Map<string, number>();
  #all = 0;

  constructor(options: PreloginGateOptions = {}) {
    this.#perAddress = options.perAddress ?? 8;
    this.#total = options.total ?? 64;
  }

  /**
   * Let one more connection from `address` into its handshake: the function to call once it has
   * logged in or closed (any number of times), or undefined if it must be turned away.
   */
  enter(address: string): (() => void) | undefined {
    const mine = this.#counts.get(address) ?? 0;
    if (mine >= this.#perAddress || this.#all >= this.#total) return undefined;
    this.#counts.set(address, mine + 1);
    this.#all++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#all--;
      const left = (this.#counts.get(address) ?? 1) - 1;
      if (left > 0) this.#counts.set(address, left);
      else this.#counts.delete(address);
    };
  }

  /** Connections in their handshake now (from `address`, or in all). */
  waiting(address?: string): number {
    return address === undefined ? this.#all : this.#counts.get(address) ?? 0;
  }
}
