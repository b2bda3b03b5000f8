/**
 * Joins and leaves as everyone hears of them. The participants' list itself (`.clients`, the
 * welcome) is kept by the session and is always exact; this only says who came and went.
 *
 * The rule (README, Guarantees): an operator's join, leave or drop is announced at once, on
 * its own, as is an observer's drop. Observers' joins and leaves are announced at most once
 * per interval (1 s): the first at once, on its own; those that come within the interval after
 * it are told at its end, on their own if there is one, else in one summary notice ("12
 * observers joined, 3 left; 240 participants now"), which names nobody (`client` unset: a
 * client's list of participants is then refreshed with `.clients`). A full room of observers
 * thus costs each participant a notice a second, not one per observer: O(N), not O(N^2).
 */
import type { ClientInfo, Notice } from "../protocol/messages.ts";
import type { Participant } from "./audience.ts";
import { counted, whoText } from "./meta_text.ts";

/** "alice@laptop joined (tcp:10.0.0.7:40312) as an observer". */
export function joinNotice(p: Participant, client: ClientInfo): Notice {
  const as = p.role === "observer" ? " as an observer" : "";
  return { t: "notice", kind: "join", text: `${whoText(p.who)} joined (${p.via})${as}`, client };
}

/** "alice@laptop left", "bob@h was disconnected: too slow". */
export function leaveNotice(
  p: Participant,
  client: ClientInfo,
  kind: "leave" | "drop",
  text: string,
): Notice {
  return { t: "notice", kind, text: `${whoText(p.who)} ${text}`, client };
}

/** "12 observers joined, 3 left; 240 participants now". */
export function summaryNotice(joined: number, left: number, now: number): Notice {
  const kind = left === 0 ? "join" : joined === 0 ? "leave" : "info";
  const what = [
    joined ? `${counted(joined, "observer")} joined` : "",
    left ? (joined ? `${left} left` : `${counted(left, "observer")} left`) : "",
  ].filter((s) => s !== "").join(", ");
  return { t: "notice", kind, text: `${what}; ${counted(now, "participant")} now` };
}

export const DEFAULT_PRESENCE_INTERVAL_MS = 1000;

export interface PresenceOptions {
  /** Say a notice to everyone. */
  announce: (notice: Notice) => void;
  /** How many participants there are now. */
  count: () => number;
  intervalMs?: number;
  /** Timers (tests pass their own). */
  setTimer?: (f: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

export class Presence {
  readonly #o: Required<PresenceOptions>;
  /** Observers' notices held until the interval ends; the window is open while a timer runs. */
  #held: Notice[] = [];
  #joined = 0;
  #left = 0;
  #timer: unknown;

  constructor(options: PresenceOptions) {
    // Each default by `??`: a caller passing `intervalMs: undefined` (the session does, when
    // it was given none) must get the default, not a timer of 0 ms (a spread would give that).
    this.#o = {
      announce: options.announce,
      count: options.count,
      intervalMs: options.intervalMs ?? DEFAULT_PRESENCE_INTERVAL_MS,
      setTimer: options.setTimer ?? ((f, ms) => setTimeout(f, ms)),
      clearTimer: options.clearTimer ?? ((t) => clearTimeout(t as number)),
    };
  }

  joined(p: Participant, client: ClientInfo): void {
    this.#tell(joinNotice(p, client), p.role === "observer", "joined");
  }

  left(p: Participant, client: ClientInfo, kind: "leave" | "drop", text: string): void {
    this.#tell(
      leaveNotice(p, client, kind, text),
      p.role === "observer" && kind === "leave",
      "left",
    );
  }

  /** Say what is held now (the session ends) and stop the timer. */
  flush(): void {
    this.#o.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#release();
  }

  #tell(notice: Notice, summarised: boolean, how: "joined" | "left"): void {
    if (!summarised) return this.#o.announce(notice);
    if (this.#timer === undefined) {
      this.#o.announce(notice);
      this.#open();
      return;
    }
    this.#held.push(notice);
    if (how === "joined") this.#joined++;
    else this.#left++;
  }

  #open(): void {
    this.#timer = this.#o.setTimer(() => {
      this.#timer = undefined;
      if (this.#release()) this.#open(); // still busy: the next ones wait an interval too
    }, this.#o.intervalMs);
  }

  /** Announce what is held; returns whether there was anything. */
  #release(): boolean {
    const held = this.#held;
    if (held.length === 0) return false;
    const [joined, left] = [this.#joined, this.#left];
    this.#held = [];
    this.#joined = this.#left = 0;
    this.#o.announce(held.length === 1 ? held[0] : summaryNotice(joined, left, this.#o.count()));
    return true;
  }
}
