/**
 * What the engine says, told to the session's participants: its output (under the command
 * running), state changes, the selected frame, the breakpoint set, and its exit.
 *
 * Separate from session.ts because it is the session's one listener on the engine and keeps what
 * the engine last said (where the target stopped, the frame selected since), while the session
 * keeps the queue and the participants. It reads the session's command under way through `deps`.
 */
import type { EngineEvent } from "../engine/engine.ts";
import type { EndCause, SelectedFrame, StopInfo } from "../protocol/messages.ts";
import type { Audience } from "./audience.ts";
import { wireSelected, wireState, wireStopInfo } from "./engine_wire.ts";
import type { SessionInspect } from "./inspect.ts";

export interface EngineEventsDeps {
  audience: Audience;
  /** (inspect) The structured side, told of every new breakpoint set. */
  inspect: SessionInspect;
  /** The engine's kind, for the exit's reason. */
  kind: () => string;
  /** The seq of the command under way, which output belongs to (null: none). */
  current: () => number | null;
  /** (inspect) The issuer of the command under way, for who changed the breakpoints. */
  issuer: () => number | undefined;
  ended: () => boolean;
  end: (reason: string, cause: EndCause) => void;
}

export class EngineEvents {
  readonly #deps: EngineEventsDeps;
  #stateInfo: StopInfo = {};
  /** The frame selected since the last stop; undefined: the stop's own (level 0). */
  #selected: SelectedFrame | undefined;

  constructor(deps: EngineEventsDeps) {
    this.#deps = deps;
  }

  /** What the last state change said (where the target stopped, its stack). */
  get stateInfo(): StopInfo {
    return this.#stateInfo;
  }

  /** The frame a command selected since the last stop, if any. */
  get selected(): SelectedFrame | undefined {
    return this.#selected;
  }

  handle(event: EngineEvent): void {
    const { audience } = this.#deps;
    switch (event.type) {
      case "output":
        audience.broadcast({
          t: "out",
          seq: this.#deps.current(),
          stream: event.stream,
          text: event.text,
        });
        break;
      case "state":
        this.#stateInfo = wireStopInfo(event.info);
        this.#selected = undefined; // a stop selects its own frame; running has none
        audience.broadcast({
          t: "state",
          state: wireState(event.state),
          info: this.#stateInfo,
        });
        break;
      case "frame": {
        const selected = wireSelected(event.frame, event.source);
        this.#selected = selected;
        // Not scrollback: a late joiner's welcome says which frame is selected now.
        audience.live({ t: "selected", ...selected });
        break;
      }
      case "breakpoints": {
        const issuer = this.#deps.issuer();
        this.#deps.inspect.changed(event.breakpoints, issuer);
        // Live only: a late joiner's welcome has the set. `client`: whose command changed it.
        const e = { t: "breakpoints" as const, breakpoints: this.#deps.inspect.breakpoints };
        audience.live(issuer === undefined ? e : { ...e, client: issuer });
        break;
      }
      case "exit":
        if (!this.#deps.ended()) {
          const how = event.signal ? `signal ${event.signal}` : `code ${event.code}`;
          const kind = this.#deps.kind();
          this.#deps.end(
            event.expected
              ? `the debugger (${kind}) exited (${how})`
              : `the debugger (${kind}) exited unexpectedly (${how})`,
            "engine",
          );
        }
        break;
    }
  }
}
