/**
 * The structured side ({@link Inspector}) of an engine over the Debug Adapter Protocol: the
 * adapter's own `threads`, `stackTrace`, `scopes`, `variables` and `evaluate` (context
 * `watch`), straight through, outside the transcript. The breakpoints come from the profile
 * (the python engine keeps pdb's list; lldb is asked for its own in JSON), told after each
 * command when they changed.
 *
 * References are the adapter's `variablesReference`s, handed out per stop: one from an earlier
 * stop is refused (E_BAD_REF) rather than passed on, since adapters reuse the numbers.
 */
import type { DebugProtocol } from "@vscode/debugprotocol";
import type { StackFrame, TargetState } from "../engine.ts";
import {
  badRef,
  type Breakpoint,
  type Evaluated,
  InspectError,
  type Inspector,
  notStopped,
  type Variable,
} from "../inspect.ts";

/** Frames listed when the asker gives no bound, and most listed whatever it asks. */
const DEFAULT_LEVELS = 256;
const MAX_LEVELS = 1000;
/** Most children of one value listed. */
const MAX_CHILDREN = 1000;

export interface DapInspectDeps {
  request<R extends DebugProtocol.Response>(command: string, args?: unknown): Promise<R>;
  state(): TargetState;
  /** The thread of the last stop. */
  threadId(): number | undefined;
  /** The DAP frame → the session's (level, file, line, func). */
  frame(f: DebugProtocol.StackFrame, level: number): StackFrame;
}

export interface DapInspect {
  inspector: Inspector;
  /** The target resumed or stopped again: every reference handed out so far is dead. */
  forget(): void;
  /** Keep `list` as the breakpoints now; true when it differs from the last one kept. */
  told(list: Breakpoint[]): boolean;
}

/** An adapter's refusal as the inspector's (its message says why). */
function refused(err: unknown): InspectError {
  if (err instanceof InspectError) return err;
  return new InspectError("E_INSPECT", err instanceof Error ? err.message : String(err));
}

export function createDapInspect(deps: DapInspectDeps): DapInspect {
  let refs = new Set<number>();
  let breakpoints: Breakpoint[] = [];
  let lastTold = "[]";

  const stopped = () => {
    const state = deps.state();
    if (state !== "stopped") throw notStopped(state);
  };
  const ask = async <R extends DebugProtocol.Response>(command: string, args: unknown) => {
    try {
      return await deps.request<R>(command, args);
    } catch (err) {
      throw refused(err);
    }
  };
  const threadOf = (thread?: number): number => {
    const t = thread ?? deps.threadId();
    if (t === undefined) throw new InspectError("E_INSPECT", "the adapter names no thread");
    return t;
  };
  const hand = (ref: number) => {
    if (ref > 0) refs.add(ref);
    return ref > 0 ? ref : 0;
  };
  const frameId = async (level: number, thread?: number): Promise<number> => {
    const r = await ask<DebugProtocol.StackTraceResponse>("stackTrace", {
      threadId: threadOf(thread),
      startFrame: level,
      levels: 1,
    });
    const f = r.body.stackFrames[0];
    if (!f) throw new InspectError("E_INSPECT", `there is no frame ${level}`);
    return f.id;
  };

  const inspector: Inspector = {
    breakpoints: () => Promise.resolve(breakpoints),

    async threads() {
      stopped();
      const r = await ask<DebugProtocol.ThreadsResponse>("threads", undefined);
      return r.body.threads.map((t) => ({ id: t.id, name: t.name }));
    },

    async stack(thread, start = 0, levels = DEFAULT_LEVELS) {
      stopped();
      const r = await ask<DebugProtocol.StackTraceResponse>("stackTrace", {
        threadId: threadOf(thread),
        startFrame: start,
        levels: Math.min(Math.max(levels, 1), MAX_LEVELS),
      });
      return r.body.stackFrames.map((f, i) => deps.frame(f, start + i));
    },

    async scopes(level, thread) {
      stopped();
      const r = await ask<DebugProtocol.ScopesResponse>("scopes", {
        frameId: await frameId(level, thread),
      });
      return r.body.scopes.map((s) => ({ name: s.name, ref: hand(s.variablesReference) }));
    },

    async variables(ref) {
      stopped();
      if (!refs.has(ref)) throw badRef(ref);
      const r = await ask<DebugProtocol.VariablesResponse>("variables", {
        variablesReference: ref,
        start: 0,
        count: MAX_CHILDREN,
      });
      return r.body.variables.slice(0, MAX_CHILDREN).map((v) => {
        const variable: Variable = {
          name: v.name,
          value: v.value,
          ref: hand(v.variablesReference),
        };
        if (v.type) variable.type = v.type;
        return variable;
      });
    },

    async evaluate(expression, level = 0, thread) {
      stopped();
      const r = await ask<DebugProtocol.EvaluateResponse>("evaluate", {
        expression,
        frameId: await frameId(level, thread),
        context: "watch",
      });
      const value: Evaluated = { value: r.body.result, ref: hand(r.body.variablesReference) };
      if (r.body.type) value.type = r.body.type;
      return value;
    },
  };

  return {
    inspector,
    forget() {
      refs = new Set();
    },
    told(list) {
      breakpoints = list;
      const json = JSON.stringify(list);
      if (json === lastTold) return false;
      lastTold = json;
      return true;
    },
  };
}
