/**
 * An attached editor's breakpoint requests (setBreakpoints, setFunctionBreakpoints), and what it
 * is told when others change the session's breakpoints. Separate from requests.ts because it
 * keeps its own state (the breakpoints this editor knows of, its requests under way) that
 * nothing else there reads; the plans themselves are breakpoints.ts.
 */
import type { DebugProtocol } from "@vscode/debugprotocol";
import type { Action, Breakpoint } from "../engine/inspect.ts";
import { isRecord } from "../protocol/messages.ts";
import {
  changesSince,
  MAX_BREAKPOINTS_PER_REQUEST,
  planFunctions,
  planSource,
  type WantedLine,
} from "./breakpoints.ts";
import { type PathMapper, sameFile } from "./paths.ts";
import type { Outcome, Reply, Request } from "./requests.ts";
import type { createViews } from "./views.ts";
import type { DapSession } from "./session_port.ts";
import type { Translated } from "./translate.ts";

export interface BreakpointRequestsContext {
  session: DapSession;
  paths: PathMapper;
  reply: Reply;
  views: ReturnType<typeof createViews>;
  observer: boolean;
  /** Refuse a request that would change something, for an observer. */
  refuse(req: Request): void;
  /** Run one action as a session command; resolves with its outcome. */
  act(action: Action): Promise<Outcome>;
  /** Send an event to the editor, in order with the others. */
  emit(t: Translated): void;
  /** The editor said configurationDone: before that it is told of no changes. */
  configured(): boolean;
}

export function createBreakpointRequests(ctx: BreakpointRequestsContext) {
  const { session, paths, reply, views, observer, act, emit } = ctx;
  const { dapBreakpoint } = views;
  /** Breakpoints this editor knows of, by id: what it set and what it was told of. */
  const known = new Map<number, Breakpoint>();
  /** Its own breakpoint requests under way: others' changes wait until they are answered. */
  let busy = 0;

  /** Tell the editor what others changed in the session's breakpoints. */
  const syncBreakpoints = (now: Breakpoint[] = session.breakpoints()) => {
    if (busy > 0 || !ctx.configured()) return;
    for (const change of changesSince(known, now)) {
      if (change.reason === "removed") known.delete(change.breakpoint.id);
      else known.set(change.breakpoint.id, change.breakpoint);
      emit({
        event: "breakpoint",
        body: { reason: change.reason, breakpoint: dapBreakpoint(change.breakpoint) },
      });
    }
  };

  /** Run actions as commands, all in the queue at once, and wait for each one's done. */
  /** A plan's actions, counted as under way (`busy`) until all are done. */
  const runAll = async (actions: Action[]): Promise<Outcome[]> => {
    busy++;
    try {
      return await Promise.all(actions.map(act));
    } finally {
      busy--;
    }
  };

  const setBreakpoints = async (req: Request, args: Record<string, unknown>) => {
    const source = isRecord(args.source) ? args.source : {};
    const ref = typeof source.sourceReference === "number" ? source.sourceReference : 0;
    const editorPath = typeof source.path === "string" ? source.path : undefined;
    const file = views.sourceFile(ref) ?? (editorPath && paths.toServer(editorPath));
    if (!file) return reply.fail(req, "E_ARGS", "setBreakpoints needs source.path");
    const raw = Array.isArray(args.breakpoints)
      ? args.breakpoints
      : Array.isArray(args.lines)
      ? args.lines.map((line: unknown) => ({ line }))
      : [];
    if (raw.length > MAX_BREAKPOINTS_PER_REQUEST) {
      return reply.fail(
        req,
        "E_TOO_MANY_BREAKPOINTS",
        `${raw.length} breakpoints in one file: at most ${MAX_BREAKPOINTS_PER_REQUEST} ` +
          "(each is a command everyone sees)",
      );
    }
    const wanted: WantedLine[] = [];
    for (const b of raw) {
      if (!isRecord(b) || !Number.isSafeInteger(b.line) || (b.line as number) < 1) {
        return reply.fail(req, "E_ARGS", "each breakpoint needs a line (a positive integer)");
      }
      const condition = typeof b.condition === "string" ? b.condition : undefined;
      wanted.push(condition ? { line: b.line as number, condition } : { line: b.line as number });
    }
    const before = session.breakpoints();
    const plan = planSource(file, wanted, before);
    if (plan.actions.length && observer) return ctx.refuse(req);
    const dones = await runAll(plan.actions);
    const after = session.breakpoints();
    const old = new Set(before.map((b) => b.id));
    const inFile = after.filter((b) => b.file !== undefined && sameFile(b.file, file));
    const taken = new Set<number>();
    const failed = dones.find((d) => !d.ok);
    const answer = wanted.map((w): DebugProtocol.Breakpoint => {
      // Its own line, else the new one the debugger moved to the next line with code.
      const b = inFile.find((b) => b.line === w.line && !taken.has(b.id)) ??
        inFile.filter((b) => !old.has(b.id) && !taken.has(b.id) && (b.line ?? 0) >= w.line)
          .sort((x, y) => (x.line ?? 0) - (y.line ?? 0))[0];
      if (!b) {
        return { verified: false, line: w.line, message: failed?.error ?? "not set" };
      }
      taken.add(b.id);
      return dapBreakpoint(b);
    });
    for (const id of [...known.keys()]) {
      const b = known.get(id)!;
      if (b.file !== undefined && sameFile(b.file, file)) known.delete(id);
    }
    for (const b of inFile) known.set(b.id, b);
    reply.ok(req, { breakpoints: answer });
    syncBreakpoints();
  };

  const setFunctionBreakpoints = async (req: Request, args: Record<string, unknown>) => {
    const raw = Array.isArray(args.breakpoints) ? args.breakpoints : [];
    if (raw.length > MAX_BREAKPOINTS_PER_REQUEST) {
      return reply.fail(req, "E_TOO_MANY_BREAKPOINTS", `at most ${MAX_BREAKPOINTS_PER_REQUEST}`);
    }
    const wanted: { name: string; condition?: string }[] = [];
    for (const b of raw) {
      if (!isRecord(b) || typeof b.name !== "string" || b.name.trim() === "") {
        return reply.fail(req, "E_ARGS", "each function breakpoint needs a name");
      }
      wanted.push(
        typeof b.condition === "string" && b.condition
          ? { name: b.name, condition: b.condition }
          : { name: b.name },
      );
    }
    const plan = planFunctions(wanted, session.breakpoints());
    if (plan.actions.length && observer) return ctx.refuse(req);
    const dones = await runAll(plan.actions);
    const after = session.breakpoints();
    const failed = dones.find((d) => !d.ok);
    const answer = wanted.map((w): DebugProtocol.Breakpoint => {
      const b = after.find((b) => b.func === w.name);
      if (!b) return { verified: false, message: failed?.error ?? "not set" };
      known.set(b.id, b);
      return dapBreakpoint(b);
    });
    reply.ok(req, { breakpoints: answer });
    syncBreakpoints();
  };

  return { setBreakpoints, setFunctionBreakpoints, syncBreakpoints };
}
