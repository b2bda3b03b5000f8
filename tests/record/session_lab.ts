/** A session with the fake engine and participants that collect what they get: no sockets. */
import type { SessionEvent } from "../../src/protocol/messages.ts";
import type { OpenRecordFile } from "../../src/record/writer.ts";
import { type Participant, Session } from "../../src/session/session.ts";
import { createFakeEngine, type FakeEngine } from "../session/fake_engine.ts";

export interface Member {
  id: number;
  events: SessionEvent[];
  say(text: string): void;
  /** Resolve with the first event (from `from` on) matching `pred`; reject after 5 s, listing what came. */
  until(pred: (e: SessionEvent) => boolean, from?: number): Promise<SessionEvent>;
}

export function recordLab(opts: { openFile?: OpenRecordFile; now?: () => number } = {}) {
  let engine!: FakeEngine;
  const session = new Session({
    name: "srv",
    host: "lab1",
    makeEngine: (l) => (engine = createFakeEngine(l)),
    now: opts.now,
    record: { pid: 4242, openFile: opts.openFile },
  });
  let nextCmd = 1;
  const join = (user: string, role: "operator" | "observer" = "operator"): Member => {
    const events: SessionEvent[] = [];
    let wake = () => {};
    const p: Participant = {
      who: { user, host: "h", tool: "test" },
      via: "test",
      role,
      deliver(e) {
        events.push(e);
        wake();
      },
      close() {},
    };
    const { id } = session.join(p);
    return {
      id,
      events,
      say: (text) => session.submit(id, nextCmd++, text),
      async until(pred, from = 0) {
        const deadline = Date.now() + 5000;
        while (true) {
          const hit = events.slice(from).find(pred);
          if (hit) return hit;
          if (Date.now() > deadline) {
            throw new Error(`${user}: no such event; got:\n${JSON.stringify(events, null, 1)}`);
          }
          await new Promise<void>((r) => {
            const t = setTimeout(r, 100);
            wake = () => {
              clearTimeout(t);
              r();
            };
          });
        }
      },
    };
  };
  return { session, engine: () => engine, join };
}

/** The `done` of a member's n-th command that ran (by session seq). */
export const doneSeq = (seq: number) => (e: SessionEvent) => e.t === "done" && e.seq === seq;
