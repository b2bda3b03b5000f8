/**
 * Breakpoints between an editor and the session's one set. Editors send a whole file's
 * breakpoints (or every function breakpoint) on each change: {@link planSource} turns that into
 * the few adds and removes that make the session's set of that file say the same, so the
 * transcript shows `break loop.c:9`, never a storm of deletes and re-adds.
 * {@link changesSince} tells an editor what others changed, as DAP `breakpoint` events. Pure.
 */
import type { Action, Breakpoint } from "../engine/inspect.ts";
import { sameFile } from "./paths.ts";

/** One line an editor wants a breakpoint on. */
export interface WantedLine {
  line: number;
  condition?: string;
}

export interface Plan {
  /** Actions to run, removes first (a changed condition is a remove and an add). */
  actions: Action[];
}

/** Most breakpoints one request may ask for: each is a command everyone sees in the transcript. */
export const MAX_BREAKPOINTS_PER_REQUEST = 500;

const cond = (c: string | undefined) => (c === undefined || c.trim() === "" ? undefined : c);

/**
 * What makes the session's breakpoints in `file` (as the server names it) be `wanted`:
 * existing ones on a wanted line with the same condition stay, the others go, the missing come.
 */
export function planSource(file: string, wanted: WantedLine[], existing: Breakpoint[]): Plan {
  const inFile = existing.filter((b) =>
    b.file !== undefined && b.line !== undefined && sameFile(b.file, file)
  );
  const want = new Map<number, string | undefined>();
  for (const w of wanted) if (!want.has(w.line)) want.set(w.line, cond(w.condition));
  const removes: Action[] = [];
  const kept = new Set<number>();
  for (const b of inFile) {
    const line = b.line!;
    if (want.has(line) && want.get(line) === cond(b.condition) && !kept.has(line)) {
      kept.add(line);
    } else {
      removes.push({ do: "clear", id: b.id });
    }
  }
  const adds: Action[] = [];
  for (const [line, condition] of want) {
    if (kept.has(line)) continue;
    adds.push(
      condition === undefined ? { do: "break", file, line } : {
        do: "break",
        file,
        line,
        condition,
      },
    );
  }
  return { actions: [...removes, ...adds] };
}

/** The same for function breakpoints: every one the session has (editors send them all). */
export function planFunctions(
  wanted: { name: string; condition?: string }[],
  existing: Breakpoint[],
): Plan {
  const fns = existing.filter((b) => b.func !== undefined && b.file === undefined);
  const want = new Map<string, string | undefined>();
  for (const w of wanted) if (!want.has(w.name)) want.set(w.name, cond(w.condition));
  const removes: Action[] = [];
  const kept = new Set<string>();
  for (const b of fns) {
    const name = b.func!;
    if (want.has(name) && want.get(name) === cond(b.condition) && !kept.has(name)) kept.add(name);
    else removes.push({ do: "clear", id: b.id });
  }
  const adds: Action[] = [];
  for (const [name, condition] of want) {
    if (kept.has(name)) continue;
    adds.push(
      condition === undefined
        ? { do: "breakFunction", name }
        : { do: "breakFunction", name, condition },
    );
  }
  return { actions: [...removes, ...adds] };
}

export type Change = { reason: "new" | "changed" | "removed"; breakpoint: Breakpoint };

function same(a: Breakpoint, b: Breakpoint): boolean {
  return a.file === b.file && a.line === b.line && a.func === b.func &&
    a.condition === b.condition && a.enabled === b.enabled && a.verified === b.verified;
}

/** What changed from what an editor knows (`known`, by id) to the session's set `now`. */
export function changesSince(known: ReadonlyMap<number, Breakpoint>, now: Breakpoint[]): Change[] {
  const changes: Change[] = [];
  const ids = new Set<number>();
  for (const b of now) {
    ids.add(b.id);
    const before = known.get(b.id);
    if (!before) changes.push({ reason: "new", breakpoint: b });
    else if (!same(before, b)) changes.push({ reason: "changed", breakpoint: b });
  }
  for (const [id, b] of known) if (!ids.has(id)) changes.push({ reason: "removed", breakpoint: b });
  return changes;
}
