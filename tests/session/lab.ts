/** A session with the fake engine and clients over in-memory channels: the real peer and client code, no sockets. */
import { type ClientConnection, openClient } from "../../src/client/connection.ts";
import type { Inspected, SessionEvent } from "../../src/protocol/messages.ts";
import type { EngineListener } from "../../src/engine/engine.ts";
import { servePeer } from "../../src/session/peer.ts";
import { encodeFrame, type Message } from "../../src/protocol/frame.ts";
import { Session } from "../../src/session/session.ts";
import { memoryPair } from "../../src/transport/memory.ts";
import type { SessionControls } from "../../src/session/controls.ts";
import { createFakeEngine, type FakeEngine } from "./fake_engine.ts";

export const V = { protocol: "1.1", release: "0.1.0" };

export interface JoinOptions {
  version?: typeof V;
  maxPending?: number;
  /** The client asks to observe (hello.observe). */
  observe?: boolean;
  /** The endpoint it comes in through says `observe`. */
  observeEndpoint?: boolean;
  endpoint?: number;
  /** How long a dropped peer has to read why (default: the server's). */
  dropGraceMs?: number;
}

export interface Lab {
  session: Session;
  engine: FakeEngine;
  logs: string[];
  join(user: string, opts?: JoinOptions): Promise<Client>;
}

export interface Client {
  conn: ClientConnection;
  /** Stop reading, as a client whose process hangs. */
  stall(): void;
  /** Read again after a stall. */
  resume(): void;
  /** Send a raw message, bypassing the client's own checks (as a hostile or other client). */
  send(m: Message): void;
  events: SessionEvent[];
  /** (1.4) Answers to its `inspect`s, in order. */
  inspected: Inspected[];
  /** (1.4) Resolve with the answer to its `inspect` `id`; reject after 5 s. */
  answer(id: number): Promise<Inspected>;
  /** Resolve when an event matching `pred` has arrived; reject after `timeoutMs` (default 5 s). */
  until(pred: (e: SessionEvent) => boolean, timeoutMs?: number): Promise<SessionEvent>;
  transcript(): string[];
}

export function lab(
  opts: {
    maxPending?: number;
    scrollback?: number;
    controls?: SessionControls;
    now?: () => number;
    /** Another engine (a fake one dressed as a kind, with an inspector). */
    engine?: (listener: EngineListener) => FakeEngine;
  } = {},
): Lab {
  let engine!: FakeEngine;
  const logs: string[] = [];
  const session = new Session({
    name: "srv",
    host: "lab1",
    makeEngine: (l) => (engine = (opts.engine ?? createFakeEngine)(l)),
    scrollbackEvents: opts.scrollback,
    controls: opts.controls,
    now: opts.now,
  });
  return {
    session,
    engine,
    logs,
    async join(user, o = {}) {
      // The first end is the server's: its peer (the participant's `via`) is the second name.
      const [server, client] = memoryPair("mem:server", `mem:${user}`);
      servePeer(session, server, {
        version: V,
        maxPending: o.maxPending ?? opts.maxPending,
        helloTimeoutMs: 1000,
        log: (l) => logs.push(l),
        observe: o.observeEndpoint,
        endpoint: o.endpoint,
        dropGraceMs: o.dropGraceMs,
        // A memory channel is read at once or never: no need to wait to tell which.
        stallMs: 0,
      });
      const events: SessionEvent[] = [];
      const inspected: Inspected[] = [];
      const asked = new Map<number, (m: Inspected) => void>();
      const waiters: { pred: (e: SessionEvent) => boolean; resolve: (e: SessionEvent) => void }[] =
        [];
      const conn = await openClient(client, {
        who: { user, host: "h", tool: "test" },
        version: o.version ?? V,
        observe: o.observe,
        onInspected(m) {
          inspected.push(m);
          asked.get(m.id)?.(m);
        },
        onEvent(e) {
          events.push(e);
          for (const w of [...waiters]) {
            if (w.pred(e)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(e);
            }
          }
        },
      });
      return {
        conn,
        stall: () => client.stall(),
        resume: () => client.resume(),
        send: (m) => client.write(encodeFrame(m)),
        events,
        inspected,
        answer(id) {
          const found = inspected.find((m) => m.id === id);
          if (found) return Promise.resolve(found);
          return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
              asked.delete(id);
              reject(new Error(`${user}: no answer to inspect ${id} within 5000 ms`));
            }, 5000);
            asked.set(id, (m) => {
              clearTimeout(timer);
              asked.delete(id);
              resolve(m);
            });
          });
        },
        until(pred, timeoutMs = 5000) {
          const found = events.find(pred);
          if (found) return Promise.resolve(found);
          return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
              waiters.splice(waiters.indexOf(waiter), 1);
              reject(
                new Error(
                  `${user}: no matching event within ${timeoutMs} ms; got:\n` +
                    events.map((e) => JSON.stringify(e)).join("\n"),
                ),
              );
            }, timeoutMs);
            const waiter = {
              pred,
              resolve: (e: SessionEvent) => {
                clearTimeout(timer);
                resolve(e);
              },
            };
            waiters.push(waiter);
          });
        },
        transcript: () =>
          events.filter((e) => e.t !== "notice").map((e) =>
            e.t === "echo"
              ? `${e.from}> ${e.text}`
              : e.t === "out"
              ? e.text.trim()
              : e.t === "state"
              ? `[${e.state}]`
              : e.t
          ),
      };
    },
  };
}

export const doneOf = (seq: number) => (e: SessionEvent) => e.t === "done" && e.seq === seq;
