/**
 * Who takes part in a session, and how events reach them: every broadcast event is fitted
 * into frames, written to the record and the scrollback, then handed to every participant in
 * the same order. The session decides what to say; this decides who hears it.
 */
import { fitEvent } from "../protocol/fit.ts";
import { SharedFrame } from "../protocol/frame.ts";
import { OutCoalescer } from "./coalesce.ts";
import type { ClientInfo, Role, SessionEvent, Who } from "../protocol/messages.ts";
import type { Scrollback } from "./scrollback.ts";

const utf8 = new TextEncoder();

export interface Participant {
  readonly who: Who;
  /** Transport it came in on, e.g. "tcp:127.0.0.1:40312" or "console". */
  readonly via: string;
  /** Default "operator". Decided by the server (the endpoint, or the client's own request). */
  readonly role?: Role;
  /** Id of the endpoint it came in through; undefined for the server's own terminal. */
  readonly endpoint?: number;
  /**
   * Hand over one event. Must not throw; must not block. `frame` is the event already encoded,
   * shared by every recipient (a network peer writes its bytes rather than encoding again).
   */
  deliver(event: SessionEvent, frame?: SharedFrame): void;
  /** The session drops or ends this participant: close its connection. */
  close(reason: string): void;
}

export interface Member {
  p: Participant;
  since: number;
  lastActive?: number;
}

export interface AudienceOptions {
  scrollback: Scrollback;
  /** The session record: a participant that never lags. */
  record: (event: SessionEvent) => void;
}

export class Audience {
  readonly #members = new Map<number, Member>();
  readonly #watchers = new Set<() => void>();
  readonly #scrollback: Scrollback;
  readonly #record: (event: SessionEvent) => void;
  /** This turn's output, merged; sent before anything else goes out (see coalesce.ts). */
  readonly #outs = new OutCoalescer((out) => this.#send(out));
  /** The participant waiting for a command's answer: handed each event before the rest. */
  #waiting: number | undefined;
  /** Each member's entry in the participants' list, encoded (see clientsJson). */
  readonly #encoded = new WeakMap<Member, { lastActive: number | undefined; json: Uint8Array }>();

  constructor(options: AudienceOptions) {
    this.#scrollback = options.scrollback;
    this.#record = options.record;
  }

  get size(): number {
    return this.#members.size;
  }

  /**
   * Who waits for the command now running (its issuer), or undefined between commands. Every
   * participant gets the same events in the same order; this one's socket is written first,
   * because a person is waiting on it (the others' writes no longer delay the answer).
   */
  set waiting(id: number | undefined) {
    this.#waiting = id;
  }

  /** Every member, the one waiting for an answer first. */
  *#inOrder(): Iterable<Member> {
    const first = this.#waiting === undefined ? undefined : this.#members.get(this.#waiting);
    if (first) yield first;
    for (const m of this.#members.values()) if (m !== first) yield m;
  }

  get(id: number): Member | undefined {
    return this.#members.get(id);
  }

  /** Call `watcher` after every join and leave. Returns a function that stops it. */
  onChange(watcher: () => void): () => void {
    this.#watchers.add(watcher);
    return () => void this.#watchers.delete(watcher);
  }

  add(id: number, member: Member): void {
    this.#members.set(id, member);
    for (const w of this.#watchers) w();
  }

  /** Take a participant out; returns it, or undefined if it was not in. */
  remove(id: number): Member | undefined {
    const m = this.#members.get(id);
    if (!m) return undefined;
    this.#members.delete(id);
    for (const w of this.#watchers) w();
    return m;
  }

  /** Take everyone out, closing each with `reason`. */
  closeAll(reason: string): void {
    const all = [...this.#members.values()];
    this.#members.clear();
    for (const m of all) m.p.close(reason);
  }

  /** The recent events a late joiner replays first, oldest first (this turn's output too). */
  scrollback(): SessionEvent[] {
    this.#outs.flush();
    return this.#scrollback.events();
  }

  clients(): ClientInfo[] {
    return [...this.#members].map(([id, m]) => clientInfo(id, m));
  }

  /**
   * The same list as {@link clients}, as UTF-8 JSON. Every welcome carries it whole, so in a full
   * room it is most of what a join costs: each member's entry is encoded once, again only after
   * its `lastActive` changed, and the list is their bytes put side by side.
   */
  clientsJson(): Uint8Array {
    const entries: Uint8Array[] = [];
    let length = 2 + Math.max(0, this.#members.size - 1); // [ ] and the commas
    for (const [id, m] of this.#members) {
      let cached = this.#encoded.get(m);
      if (cached === undefined || cached.lastActive !== m.lastActive) {
        const json = utf8.encode(JSON.stringify(clientInfo(id, m)));
        cached = { lastActive: m.lastActive, json };
        this.#encoded.set(m, cached);
      }
      entries.push(cached.json);
      length += cached.json.length;
    }
    const list = new Uint8Array(length);
    let at = 0;
    list[at++] = 0x5b; // [
    for (const [i, e] of entries.entries()) {
      if (i > 0) list[at++] = 0x2c; // ,
      list.set(e, at);
      at += e.length;
    }
    list[at] = 0x5d; // ]
    return list;
  }

  /**
   * To everyone, and into the record and the scrollback: encoded once for all of them. Output
   * waits for the end of the turn, merged with the rest of the turn's (coalesce.ts).
   */
  broadcast(event: SessionEvent): void {
    if (event.t === "out") return this.#outs.add(event);
    this.#outs.flush();
    this.#send(event);
  }

  #send(event: SessionEvent): void {
    for (const e of fitEvent(event)) {
      const frame = new SharedFrame(e);
      this.#record(e);
      this.#scrollback.add(e, frame);
      for (const m of this.#inOrder()) m.p.deliver(e, frame);
    }
  }

  /** To everyone now, but not kept: a late joiner's welcome says it instead (`selected`). */
  live(event: SessionEvent): void {
    this.#outs.flush();
    for (const e of fitEvent(event)) {
      const frame = new SharedFrame(e);
      for (const m of this.#inOrder()) m.p.deliver(e, frame);
    }
  }

  /** To one participant alone. */
  deliverTo(id: number, event: SessionEvent): void {
    this.#outs.flush();
    const m = this.#members.get(id);
    if (m) { for (const e of fitEvent(event)) m.p.deliver(e); }
  }
}

/** A participant as the protocol lists it. */
export function clientInfo(id: number, { p, since, lastActive }: Member): ClientInfo {
  const info: ClientInfo = { id, who: p.who, via: p.via, role: p.role ?? "operator", since };
  if (lastActive !== undefined) info.lastActive = lastActive;
  if (p.endpoint !== undefined) info.endpoint = p.endpoint;
  return info;
}
