/**
 * How the gdb engine keeps gdb's order while it describes a stop.
 *
 * A stop goes out with its stack and the source around it, asked of gdb outside the
 * transcript, and after everything the program wrote before it. While that is gathered,
 * everything gdb says after the stop waits in the {@link Outbox}, so events keep gdb's order
 * and a command that finishes meanwhile is not reported done before its output.
 */
import type { Pty } from "../pty.ts";
import type { EngineEvent, StopInfo, TargetState } from "./engine.ts";
import { describeStopWith, frameEvent, type SourceCache } from "./gdb_frames.ts";
import { type MiTuple, tuple } from "./mi_parser.ts";
import { drainWithin } from "./target_terminal.ts";

/** Give up describing a stop (stack, source) after this long: the stop is reported without. */
export const DESCRIBE_TIMEOUT_MS = 3000;

/** Work run now, or held back behind something being gathered, in the order it came. */
export interface Outbox {
  /** Something is held back: what comes now waits behind it. */
  readonly holding: boolean;
  /** Run `f` now, or in its turn behind what is held. */
  later(f: () => void): void;
  /**
   * Hold everything from now until `until` settles; then `ready` runs with its value, `first`
   * goes out, then the rest in order. Nothing happens if release() came meanwhile.
   */
  hold<T>(until: Promise<T>, ready?: (value: T) => void, first?: () => void): void;
  /** Let everything held back go out, in order (gdb died: a stop goes out as it is). */
  release(): void;
}

export function createOutbox(): Outbox {
  let held: (() => void)[] | undefined;
  const release = () => {
    const h = held;
    held = undefined;
    h?.forEach((f) => f());
  };
  return {
    get holding() {
      return held !== undefined;
    },
    later(f) {
      if (held) held.push(f);
      else f();
    },
    hold(until, ready, first) {
      const mine: (() => void)[] = first ? [first] : [];
      held = mine;
      void until.then((value) => {
        if (held !== mine) return; // released meanwhile: already out as it was
        ready?.(value);
        release();
      });
    },
    release,
  };
}

/** What describes stops for one engine: its MI asker, its program's terminal, its source cache. */
export interface StopDescriber {
  /** The stack and source of a `*stopped` record (none for an exit), after the program's output. */
  describe(
    s: { state: TargetState; info: StopInfo },
    results: MiTuple,
  ): Promise<Pick<StopInfo, "frames" | "source">>;
  /** Everything the program wrote so far is out. */
  drainTarget(): Promise<void>;
  /** A frame a console command selected (`=thread-selected`), with its source. */
  frameSelected(frame: MiTuple): EngineEvent;
}

export function createStopDescriber(
  ask: (command: string) => Promise<{ class: string; results: MiTuple }>,
  pty: () => Pty | undefined,
): StopDescriber {
  const sources: SourceCache = new Map();
  const drainTarget = () => {
    const t = pty();
    return t ? drainWithin(t) : Promise.resolve();
  };
  return {
    async describe(s, results) {
      const described = s.state === "stopped"
        ? describeStopWith(ask, s.info, tuple(results, "frame"), sources, DESCRIBE_TIMEOUT_MS)
        : Promise.resolve({});
      const [found] = await Promise.all([described, drainTarget()]);
      return found;
    },
    drainTarget,
    frameSelected: (f) => frameEvent(f, sources),
  };
}
