/**
 * A joined peer's outgoing frames, watched for a peer that does not keep up: each write is
 * judged by the backlog (backlog.ts), which may ask to sample the peer on a timer or to drop it.
 * The peer (peer.ts) decides what a drop does; this only watches.
 */
import type { Channel } from "../transport/transport.ts";
import {
  backlogWatch,
  DEFAULT_MAX_BACKLOG,
  DEFAULT_MAX_PENDING,
  DEFAULT_SAMPLE_MS,
  DEFAULT_STALL_MS,
  type Verdict,
} from "./backlog.ts";

export interface OutletOptions {
  maxPending?: number;
  maxBacklog?: number;
  stallMs?: number;
  log(line: string): void;
  /** Verdicts count only while this holds (the peer has joined and is not closed). */
  active(): boolean;
  /** Drop the peer for not keeping up (`slow` is already set when this is called). */
  drop(why: string): void;
}

export interface PeerOutlet {
  /** Send one encoded frame and judge the peer's backlog. */
  write(frame: Uint8Array): void;
  /** Dropped for not keeping up: what is queued is its backlog, the drop notice after it. */
  readonly slow: boolean;
  /** Stop sampling (the peer has closed). */
  stop(): void;
}

export function peerOutlet(channel: Channel, options: OutletOptions): PeerOutlet {
  const maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
  const backlog = backlogWatch({
    maxPending,
    maxBacklog: Math.max(options.maxBacklog ?? DEFAULT_MAX_BACKLOG, maxPending),
    stallMs: options.stallMs ?? DEFAULT_STALL_MS,
    sampleMs: DEFAULT_SAMPLE_MS,
  });
  let turnMarked = false;
  /** Runs while more than maxPending waits for the peer: does it take anything? */
  let sampler: ReturnType<typeof setInterval> | undefined;
  let slow = false;

  /** Drop the peer, or sample whether it takes anything while too much waits for it. */
  const act = (verdict: Verdict) => {
    if (verdict.kind !== "watch") {
      clearInterval(sampler);
      sampler = undefined;
    }
    if (!options.active()) return;
    if (verdict.kind === "drop") {
      slow = true;
      options.log(`dropping ${channel.peer}: ${verdict.why}`);
      options.drop(verdict.why);
    } else if (verdict.kind === "watch" && sampler === undefined) {
      // Sampled on a timer too: no more output may come to judge it by.
      sampler = setInterval(() => act(backlog.sample(channel.pending)), DEFAULT_SAMPLE_MS);
    }
  };

  return {
    write(frame) {
      channel.write(frame);
      if (!turnMarked) {
        turnMarked = true;
        queueMicrotask(() => {
          turnMarked = false;
          backlog.newTurn();
        });
      }
      act(backlog.wrote(frame.length, channel.pending));
    },
    get slow() {
      return slow;
    },
    stop() {
      clearInterval(sampler);
    },
  };
}
