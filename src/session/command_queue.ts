/**
 * Commands waiting their turn: they run one at a time, in the order they arrived, whoever
 * sent them.
 */

export interface Pending {
  client: number;
  id: number;
  text: string;
}

export class CommandQueue {
  readonly #waiting: Pending[] = [];
  readonly #run: (cmd: Pending) => Promise<void>;
  readonly #stopped: () => boolean;
  #draining = false;

  /** `run` one command to its end; nothing more runs once `stopped` says so. */
  constructor(run: (cmd: Pending) => Promise<void>, stopped: () => boolean) {
    this.#run = run;
    this.#stopped = stopped;
  }

  push(cmd: Pending): void {
    this.#waiting.push(cmd);
    if (!this.#draining) void this.#drain();
  }

  /** Take a participant's waiting commands out of the queue; returns them, oldest first. */
  forget(client: number): Pending[] {
    const theirs = this.#waiting.filter((c) => c.client === client);
    if (theirs.length === 0) return theirs;
    const kept = this.#waiting.filter((c) => c.client !== client);
    this.#waiting.splice(0, this.#waiting.length, ...kept);
    return theirs;
  }

  clear(): void {
    this.#waiting.length = 0;
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#waiting.length && !this.#stopped()) await this.#run(this.#waiting.shift()!);
    } finally {
      this.#draining = false;
    }
  }
}
