/**
 * When a peer counts as not keeping up: the bytes queued for it, and whether
 * it still takes any. Pure bookkeeping: the peer samples it on a timer.
 *
 * A client that reads, even while far behind (a flood of output on a busy
 * machine), is given room up to `maxBacklog`; one that takes nothing is
 * dropped once `maxPending` waits for it and it has taken nothing for
 * `stallMs`. Idle time is counted in samples, not by the clock: a server too
 * busy to send (a flood it is still reading) takes no samples, so its own
 * delay never counts against a client. One burst (a huge line split into
 * many frames in one turn) gets its chance to leave before it counts.
 */

export interface BacklogLimits {
  /** Queued bytes at which a peer that takes nothing is dropped. */
  maxPending: number;
  /** Queued bytes at which any peer is dropped, reading or not. */
  maxBacklog: number;
  /** How long a peer must have taken nothing to count as not reading (0: since the last write). */
  stallMs: number;
  /** How often the peer samples while over maxPending. */
  sampleMs: number;
}

export const DEFAULT_MAX_PENDING = 8 * 1024 * 1024;
export const DEFAULT_MAX_BACKLOG = 64 * 1024 * 1024;
export const DEFAULT_STALL_MS = 5_000;
export const DEFAULT_SAMPLE_MS = 250;

export type Verdict =
  /** Fine: nothing to do (stop sampling). */
  | { kind: "ok" }
  /** Over `maxPending`: sample every `sampleMs` whether it takes anything. */
  | { kind: "watch" }
  | { kind: "drop"; why: string };

export interface BacklogWatch {
  /** `bytes` were just written; `pending` are queued now (these included). */
  wrote(bytes: number, pending: number): Verdict;
  /** A sample while watching: `pending` are queued now. */
  sample(pending: number): Verdict;
  /** A new turn of the event loop: this turn's writes count as backlog from now on. */
  newTurn(): void;
}

export function backlogWatch(limits: BacklogLimits): BacklogWatch {
  const needed = Math.ceil(limits.stallMs / limits.sampleMs);
  let written = 0;
  let taken = 0;
  let idleSamples = 0;
  let burst = 0;
  /** It took something since the last look. */
  const took = (pending: number) => {
    const sent = written - pending;
    if (sent <= taken) return false;
    taken = sent;
    return true;
  };
  const over = (pending: number): Verdict | undefined => {
    const backlog = pending - burst;
    if (backlog > limits.maxBacklog) {
      return { kind: "drop", why: `too far behind (${pending} bytes queued)` };
    }
    if (backlog <= limits.maxPending) {
      idleSamples = 0;
      return { kind: "ok" };
    }
    return undefined;
  };
  return {
    wrote(bytes, pending) {
      written += bytes;
      burst += bytes;
      const progressed = took(pending);
      const verdict = over(pending);
      if (verdict) return verdict;
      if (needed === 0 && !progressed) {
        return { kind: "drop", why: `not reading (${pending} bytes queued)` };
      }
      return { kind: "watch" };
    },
    sample(pending) {
      const progressed = took(pending);
      const verdict = over(pending);
      if (verdict) return verdict;
      idleSamples = progressed ? 0 : idleSamples + 1;
      if (idleSamples >= needed) {
        return { kind: "drop", why: `not reading (${pending} bytes queued)` };
      }
      return { kind: "watch" };
    },
    newTurn() {
      burst = 0;
    },
  };
}
