/** A session stand-in for the DAP peer's unit tests: records what the editor asks, answers as told. */
import type { DapSession, DapSessionEvent } from "../../src/dap/session_port.ts";
import type { StopInfo, TargetState } from "../../src/engine/engine.ts";
import type { Action, Breakpoint, InspectAnswer, InspectQuery } from "../../src/engine/inspect.ts";
import type { SessionEvent } from "../../src/protocol/messages.ts";
import type { Participant } from "../../src/session/session.ts";

export class FakeSession implements DapSession {
  name = "fake";
  ended = false;
  state: TargetState = "idle";
  stateInfo: StopInfo = {};
  members = new Map<number, Participant>();
  acts: { client: number; id: number; action: Action }[] = [];
  submits: { client: number; id: number; text: string }[] = [];
  interrupts: number[] = [];
  left: number[] = [];
  set: Breakpoint[] = [];
  scrollback: SessionEvent[] = [];
  #next = 1;
  #nextBp = 1;

  join(p: Participant) {
    const id = this.#next++;
    this.members.set(id, p);
    return { id, scrollback: this.scrollback };
  }
  leave(id: number) {
    this.left.push(id);
    this.members.delete(id);
  }
  drop(id: number, reason: string) {
    this.members.get(id)?.close(reason);
    this.leave(id);
  }
  submit(client: number, id: number, text: string) {
    this.submits.push({ client, id, text });
  }
  interrupt(client: number) {
    this.interrupts.push(client);
    return Promise.resolve();
  }
  /** Breakpoint actions change the set at once, as a debugger would, then say done. */
  act(client: number, id: number, action: Action) {
    this.acts.push({ client, id, action });
    if (action.do === "break") {
      this.set.push({
        id: this.#nextBp++,
        file: action.file,
        line: action.line,
        enabled: true,
        verified: true,
      });
    } else if (action.do === "clear") {
      this.set = this.set.filter((b) => b.id !== action.id);
    }
    if (action.do === "break" || action.do === "clear") {
      this.broadcast({ t: "breakpoints", breakpoints: [...this.set] });
      this.broadcast({ t: "done", client, id, seq: this.acts.length, ok: true });
    }
  }
  inspect(_client: number, query: InspectQuery): Promise<InspectAnswer> {
    if (query.what === "threads") {
      return Promise.resolve({ what: "threads", threads: [{ id: 7, name: "main" }] });
    }
    return Promise.reject(
      Object.assign(new Error("the target is running"), { code: "E_TARGET_RUNNING" }),
    );
  }
  breakpoints() {
    return [...this.set];
  }
  /** Another client adds a breakpoint. */
  othersBreak(file: string, line: number) {
    this.set.push({ id: this.#nextBp++, file, line, enabled: true, verified: true });
    this.broadcast({ t: "breakpoints", breakpoints: [...this.set] });
  }
  broadcast(e: DapSessionEvent) {
    for (const p of this.members.values()) p.deliver(e as SessionEvent);
  }
}
