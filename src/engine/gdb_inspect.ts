/**
 * gdb's structured side ({@link Inspector}), all in MI and outside the transcript: the
 * breakpoints from gdb's own `=breakpoint-created/modified/deleted` notifications (whoever's
 * command made them), threads (`-thread-info`), the stack (`-stack-list-frames`), scopes and
 * variables (`-stack-list-variables`, and variable objects for what expands), watches
 * (`-var-create`). Every question names its thread and frame (`--thread`/`--frame`), so the
 * frame a user selected stays selected. References die when the target resumes: their
 * variable objects are deleted at the next question.
 */
import type { StackFrame, TargetState } from "./engine.ts";
import { stackFrames } from "./gdb_frames.ts";
import {
  badRef,
  type Breakpoint,
  type Evaluated,
  InspectError,
  type Inspector,
  notStopped,
  type Scope,
  type ThreadInfo,
  type Variable,
} from "./inspect.ts";
import type { MiRecord, MiTuple, MiValue } from "./mi_parser.ts";
import { str, tuple } from "./mi_parser.ts";

/** How long a question waits for gdb (a console command under way holds MI input back). */
const ASK_TIMEOUT_MS = 5000;
/** Frames listed when the asker gives no bound, and most listed whatever it asks. */
const DEFAULT_LEVELS = 256;
const MAX_LEVELS = 1000;
/** Most children of one value listed (an array of a million ints is read in pages by nobody). */
const MAX_CHILDREN = 1000;
/** Most locals given a variable object each (those that expand). */
const MAX_EXPANDABLE = 200;
/**
 * Most variable objects kept for one stop (a page re-reading its watches makes new ones): past
 * it the oldest goes, and its references with it.
 */
const MAX_ROOTS = 2000;

export interface GdbInspectDeps {
  /** One MI command outside the transcript, answered by its result record. */
  ask(command: string): Promise<{ class: string; results: MiTuple }>;
  state(): TargetState;
  /** The set of breakpoints changed (told in gdb's order). */
  changed(breakpoints: Breakpoint[]): void;
}

export interface GdbInspect {
  inspector: Inspector;
  /** Every MI record gdb says, before the engine handles it. */
  see(record: MiRecord): void;
}

type Ref =
  | { kind: "scope"; thread: number; frame: number; args: boolean }
  | { kind: "var"; varobj: string };

/** Quote a string as an MI c-string. */
function quote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

function tuples(v: MiValue | undefined): MiTuple[] {
  return Array.isArray(v)
    ? v.filter((t): t is MiTuple => typeof t === "object" && t !== null && !Array.isArray(t))
    : [];
}

/** One `bkpt` tuple as the session's {@link Breakpoint}; undefined for watch- and catchpoints. */
export function miBreakpoint(b: MiTuple): Breakpoint | undefined {
  const id = Number(str(b, "number"));
  const type = str(b, "type") ?? "";
  if (!Number.isSafeInteger(id) || !/breakpoint$/.test(type)) return undefined;
  // A breakpoint with several places (an inline function) names them in `locations`.
  const at = str(b, "line") ? b : tuples(b.locations)[0] ?? b;
  const bp: Breakpoint = { id, enabled: str(b, "enabled") === "y", verified: false };
  const file = str(at, "fullname") ?? str(at, "file");
  if (file) bp.file = file;
  const line = Number(str(at, "line"));
  if (line > 0) bp.line = line;
  const func = str(at, "func");
  if (func) bp.func = func;
  const cond = str(b, "cond");
  if (cond) bp.condition = cond;
  const times = Number(str(b, "times"));
  if (Number.isSafeInteger(times)) bp.hits = times;
  const location = str(b, "original-location");
  if (location) bp.location = location;
  const addr = str(at, "addr") ?? str(b, "addr");
  bp.verified = addr !== undefined && addr !== "<PENDING>" || tuples(b.locations).length > 0;
  return bp;
}

export function createGdbInspect(deps: GdbInspectDeps): GdbInspect {
  const breakpoints = new Map<number, Breakpoint>();
  let lastTold = "[]";
  /** The thread gdb's commands apply to: the stop's, or the one a user selected since. */
  let current: number | undefined;
  const refs = new Map<number, Ref>();
  let nextRef = 1;
  /** Variable objects made since the last stop, deleted once the target has resumed. */
  let roots: string[] = [];
  let stale: string[] = [];

  const list = () => [...breakpoints.values()].sort((a, b) => a.id - b.id);
  const tell = () => {
    const now = list();
    const json = JSON.stringify(now);
    if (json === lastTold) return; // a relocation at `run` changes nothing the session shows
    lastTold = json;
    deps.changed(now);
  };

  const ask = async (command: string) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new InspectError(
              "E_INSPECT",
              `gdb did not answer within ${ASK_TIMEOUT_MS} ms`,
              "a command under way holds gdb; ask again when it is over",
            ),
          ),
        ASK_TIMEOUT_MS,
      );
    });
    try {
      const r = await Promise.race([deps.ask(command), timeout]);
      if (r.class === "error") {
        throw new InspectError("E_INSPECT", str(r.results, "msg") ?? `gdb refused ${command}`);
      }
      return r.results;
    } finally {
      clearTimeout(timer);
    }
  };

  /** Refuse unless stopped; drop the variable objects of an earlier stop first. */
  const stopped = async () => {
    const state = deps.state();
    if (state !== "stopped") throw notStopped(state);
    const gone = stale;
    stale = [];
    for (const v of gone) await deps.ask(`-var-delete ${v}`).catch(() => {});
  };

  const threadOf = async (thread?: number): Promise<number> => {
    if (thread !== undefined) return thread;
    if (current !== undefined) return current;
    const id = Number(str(await ask("-thread-info"), "current-thread-id"));
    if (!Number.isSafeInteger(id)) throw new InspectError("E_INSPECT", "gdb names no thread");
    current = id;
    return id;
  };

  const newRef = (ref: Ref) => {
    const n = nextRef++;
    refs.set(n, ref);
    return n;
  };

  /** Keep a variable object until the target resumes, the oldest going past MAX_ROOTS. */
  const keep = (varobj: string) => {
    roots.push(varobj);
    if (roots.length <= MAX_ROOTS) return;
    const old = roots.shift()!;
    for (const [n, r] of refs) {
      if (r.kind === "var" && (r.varobj === old || r.varobj.startsWith(`${old}.`))) refs.delete(n);
    }
    void deps.ask(`-var-delete ${old}`).catch(() => {});
  };

  /** A variable object for `expression` in a frame: its value, type and (if it expands) a ref. */
  const varObject = async (expression: string, thread: number, frame: number) => {
    const r = await ask(`-var-create --thread ${thread} --frame ${frame} - * ${quote(expression)}`);
    const varobj = str(r, "name")!;
    const children = Number(str(r, "numchild") ?? "0");
    if (children > 0) keep(varobj);
    else await deps.ask(`-var-delete ${varobj}`).catch(() => {});
    const value: Evaluated = {
      value: str(r, "value") ?? "",
      ref: children > 0 ? newRef({ kind: "var", varobj }) : 0,
    };
    const type = str(r, "type");
    if (type) value.type = type;
    return value;
  };

  const scopeVariables = async (s: Ref & { kind: "scope" }): Promise<Variable[]> => {
    const r = await ask(
      `-stack-list-variables --thread ${s.thread} --frame ${s.frame} --simple-values`,
    );
    const mine = tuples(r.variables).filter((v) => (str(v, "arg") === "1") === s.args);
    const out: Variable[] = [];
    let expandable = 0;
    for (const v of mine) {
      const name = str(v, "name") ?? "?";
      const type = str(v, "type");
      const value = str(v, "value");
      // An aggregate comes without a value; a pointer has one but expands: both get an object.
      if ((value === undefined || type?.trimEnd().endsWith("*")) && expandable < MAX_EXPANDABLE) {
        expandable++;
        try {
          const made = await varObject(name, s.thread, s.frame);
          out.push({ name, ...made });
          continue;
        } catch {
          // not representable as a variable object: shown as listed
        }
      }
      const variable: Variable = { name, value: value ?? "", ref: 0 };
      if (type) variable.type = type;
      out.push(variable);
    }
    return out;
  };

  const children = async (varobj: string): Promise<Variable[]> => {
    const r = await ask(`-var-list-children --all-values ${varobj} 0 ${MAX_CHILDREN}`);
    return tuples(r.children).map((c) => tuple(c, "child") ?? c).map((c) => {
      const count = Number(str(c, "numchild") ?? "0");
      const name = str(c, "name")!;
      const v: Variable = {
        name: str(c, "exp") ?? name,
        value: str(c, "value") ?? "",
        ref: count > 0 ? newRef({ kind: "var", varobj: name }) : 0,
      };
      const type = str(c, "type");
      if (type) v.type = type;
      return v;
    });
  };

  const inspector: Inspector = {
    breakpoints: () => Promise.resolve(list()),

    async threads(): Promise<ThreadInfo[]> {
      await stopped();
      const r = await ask("-thread-info");
      return tuples(r.threads).map((t) => ({
        id: Number(str(t, "id")),
        name: str(t, "name") ?? str(t, "target-id") ?? `thread ${str(t, "id")}`,
      }));
    },

    async stack(thread, start = 0, levels = DEFAULT_LEVELS): Promise<StackFrame[]> {
      await stopped();
      const t = await threadOf(thread);
      const last = start + Math.min(Math.max(levels, 1), MAX_LEVELS) - 1;
      const [frames, args] = await Promise.all([
        ask(`-stack-list-frames --thread ${t} ${start} ${last}`),
        ask(`-stack-list-arguments --thread ${t} --simple-values ${start} ${last}`),
      ]);
      return stackFrames(frames, args);
    },

    async scopes(frame, thread): Promise<Scope[]> {
      await stopped();
      const t = await threadOf(thread);
      // Refused here, not at the first expansion, when the frame is not there.
      await ask(`-stack-list-frames --thread ${t} ${frame} ${frame}`);
      return [
        { name: "Arguments", ref: newRef({ kind: "scope", thread: t, frame, args: true }) },
        { name: "Locals", ref: newRef({ kind: "scope", thread: t, frame, args: false }) },
      ];
    },

    async variables(ref): Promise<Variable[]> {
      await stopped();
      const r = refs.get(ref);
      if (!r) throw badRef(ref);
      return r.kind === "scope" ? await scopeVariables(r) : await children(r.varobj);
    },

    async evaluate(expression, frame = 0, thread): Promise<Evaluated> {
      await stopped();
      const t = await threadOf(thread);
      try {
        return await varObject(expression, t, frame);
      } catch (err) {
        if (!(err instanceof InspectError)) throw err;
        // -var-create says only that it could not; gdb's evaluator says why (or answers).
        const r = await ask(
          `-data-evaluate-expression --thread ${t} --frame ${frame} ${quote(expression)}`,
        );
        return { value: str(r, "value") ?? "", ref: 0 };
      }
    },
  };

  const see = (r: MiRecord) => {
    if (r.kind === "exec") {
      if (r.class === "running") {
        // Everything handed out about this stop dies with it.
        refs.clear();
        stale.push(...roots);
        roots = [];
      } else if (r.class === "stopped") {
        const t = Number(str(r.results, "thread-id"));
        if (Number.isSafeInteger(t)) current = t;
      }
      return;
    }
    if (r.kind !== "notify") return;
    switch (r.class) {
      case "thread-selected": {
        const t = Number(str(r.results, "id"));
        if (Number.isSafeInteger(t)) current = t;
        return;
      }
      case "breakpoint-created":
      case "breakpoint-modified": {
        const b = tuple(r.results, "bkpt");
        const bp = b && miBreakpoint(b);
        if (!bp) return;
        breakpoints.set(bp.id, bp);
        tell();
        return;
      }
      case "breakpoint-deleted":
        if (breakpoints.delete(Number(str(r.results, "id")))) tell();
        return;
    }
  };

  return { inspector, see };
}
