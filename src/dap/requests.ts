/**
 * An attached editor's requests, and the session's events to it. Doing is a session command
 * issued by the editor (breakpoints, stepping, the debug console: everyone sees them in the
 * transcript, the response comes when the command is done); reading (threads, stack, scopes,
 * variables, watches, sources) is answered outside the transcript. An observer's requests that
 * would change anything are refused with the reason. The breakpoint requests, and telling the
 * editor of others' breakpoint changes, are breakpoint_requests.ts.
 */
import type { Action, InspectAnswer, InspectQuery } from "../engine/inspect.ts";
import { describeError } from "../errors.ts";
import type { Done, Role, SessionEvent } from "../protocol/messages.ts";
import { createBreakpointRequests } from "./breakpoint_requests.ts";
import type { PathMapper } from "./paths.ts";
import { createViews } from "./views.ts";
import type { DapSession, DapSessionEvent } from "./session_port.ts";
import { type DapEvent, eventTranslator, type Translated } from "./translate.ts";

/** A request as the handlers see it: enough to answer it. */
export interface Request {
  seq: number;
  command: string;
}

/** How answers leave (the connection numbers and frames them). */
export interface Reply {
  ok(req: Request, body?: Record<string, unknown>): void;
  /** `code`: a stable code (DAP's short `message`); `text`: what the editor shows. */
  fail(req: Request, code: string, text: string): void;
  event(event: string, body?: Record<string, unknown>): void;
}

export interface RequestContext {
  session: DapSession;
  me: number;
  role: Role;
  paths: PathMapper;
  reply: Reply;
  /** Leave the session and close the connection. */
  leave(reason: string): void;
}

/** The session command that ran the target, or its done. */
export type Outcome = Pick<Done, "ok" | "error" | "refused">;

const OBSERVER =
  "you attached as an observer (observe): you see everything, but cannot change breakpoints, " +
  "run, step, interrupt or end the session";

export function createRequests(ctx: RequestContext) {
  const { session, me, reply, paths } = ctx;
  const translator = eventTranslator(me);
  let nextAct = 1;
  /**
   * Its commands under way, by id: answered once one has set the target running (editors take a
   * step's or continue's response to mean "running now": VS Code marks the thread running when it
   * arrives, so it must come before the stop), else when it is done.
   */
  const pendingActs = new Map<number, { resolve: (done: Outcome) => void; started: boolean }>();
  /** Events leave in order; a stop waits for the engine to say which thread stopped. */
  let tail: Promise<void> = Promise.resolve();
  let configured = false;
  let disposed = false;
  let thread = 1;
  let threads: { id: number; name: string }[] = [];
  const views = createViews(session, paths);
  const { dapFrame } = views;

  const act = (action: Action): Promise<Outcome> =>
    new Promise((resolve) => {
      const id = nextAct++;
      pendingActs.set(id, { resolve, started: false });
      session.act(me, id, action);
    });
  const submit = (text: string): Promise<Outcome> =>
    new Promise((resolve) => {
      const id = nextAct++;
      pendingActs.set(id, { resolve, started: false });
      session.submit(me, id, text);
    });
  /** A command's echo (it is its turn), its running target, its done. */
  const follow = (event: DapSessionEvent) => {
    if (event.t === "echo" && event.client === me) {
      const pending = pendingActs.get(event.id);
      if (pending) pending.started = true;
    } else if (event.t === "state" && event.state === "running") {
      for (const [id, pending] of pendingActs) {
        if (!pending.started) continue;
        pendingActs.delete(id);
        pending.resolve({ ok: true });
      }
    } else if (event.t === "done" && event.client === me) {
      const pending = pendingActs.get(event.id);
      pendingActs.delete(event.id);
      pending?.resolve(event);
    }
  };
  const inspect = (query: InspectQuery): Promise<InspectAnswer> => session.inspect(me, query);
  const observer = ctx.role === "observer";

  const send = (t: Translated): Promise<void> | void => {
    if ("stop" in t) {
      views.resumed();
      return inspect({ what: "threads" }).then(
        (a) => {
          if (a.what === "threads" && a.threads.length) thread = a.threads[0].id;
        },
        () => {},
      ).then(() =>
        reply.event("stopped", {
          reason: t.stop.reason,
          description: t.stop.description,
          threadId: thread,
          allThreadsStopped: true,
        })
      );
    }
    if (t.event === "continued") {
      views.resumed();
      return reply.event("continued", { threadId: thread, allThreadsContinued: true });
    }
    reply.event(t.event, t.body);
  };
  const emit = (t: Translated) => {
    // One event that fails to go out must not hold back the ones after it.
    tail = tail.then(() => (disposed ? undefined : send(t))).catch(() => {});
  };

  const breakpoints = createBreakpointRequests({
    ...{ session, paths, reply, views, observer, act, emit },
    refuse: (req) => reply.fail(req, "E_OBSERVER", OBSERVER),
    configured: () => configured,
  });
  const { setBreakpoints, setFunctionBreakpoints, syncBreakpoints } = breakpoints;

  /** A request that is a command: answered when the command is done. */
  const command = async (req: Request, run: Promise<Outcome>, body?: Record<string, unknown>) => {
    const done = await run;
    if (done.ok) reply.ok(req, body);
    else reply.fail(req, done.refused ? "E_REFUSED" : "E_COMMAND", done.error ?? "failed");
  };

  const frameOf = (args: Record<string, unknown>) =>
    typeof args.frameId === "number" ? views.frame(args.frameId) : undefined;

  const read = async (req: Request, args: Record<string, unknown>) => {
    switch (req.command) {
      case "threads": {
        // Editors ask while the target runs too (VS Code right after configurationDone), when
        // the debugger cannot say: the threads it last named, as adapters do.
        const a = await inspect({ what: "threads" }).catch(() => undefined);
        if (a?.what === "threads") {
          threads = a.threads.map((t) => ({ id: t.id, name: t.name }));
          if (threads.length) thread = threads[0].id;
        }
        return reply.ok(req, { threads });
      }
      case "stackTrace": {
        const threadId = typeof args.threadId === "number" ? args.threadId : thread;
        const q: InspectQuery = { what: "stack", thread: threadId };
        if (typeof args.startFrame === "number") q.start = args.startFrame;
        if (typeof args.levels === "number" && args.levels > 0) q.levels = args.levels;
        const a = await inspect(q);
        const list = a.what === "stack" ? a.frames : [];
        return reply.ok(req, {
          stackFrames: list.map((f) => dapFrame(f, threadId)),
          totalFrames: list.length,
        });
      }
      case "scopes": {
        const f = frameOf(args);
        if (!f) return reply.fail(req, "E_ARGS", "no such frame (the target moved on)");
        const a = await inspect({ what: "scopes", frame: f.level, thread: f.thread });
        const scopes = a.what === "scopes" ? a.scopes : [];
        return reply.ok(req, {
          scopes: scopes.map((s) => ({
            name: s.name,
            variablesReference: s.ref,
            expensive: false,
          })),
        });
      }
      case "variables": {
        const ref = typeof args.variablesReference === "number" ? args.variablesReference : 0;
        const a = await inspect({ what: "variables", ref });
        const vars = a.what === "variables" ? a.variables : [];
        return reply.ok(req, {
          variables: vars.map((v) => ({
            name: v.name,
            value: v.value,
            ...(v.type ? { type: v.type } : {}),
            variablesReference: v.ref,
          })),
        });
      }
      case "evaluate": {
        const expression = typeof args.expression === "string" ? args.expression : "";
        const f = frameOf(args);
        const q: InspectQuery = { what: "evaluate", expression };
        if (f) Object.assign(q, { frame: f.level, thread: f.thread });
        const a = await inspect(q);
        if (a.what !== "evaluate") return reply.fail(req, "E_ENGINE", "no answer");
        return reply.ok(req, {
          result: a.result.value,
          ...(a.result.type ? { type: a.result.type } : {}),
          variablesReference: a.result.ref,
        });
      }
    }
  };

  const source = (req: Request, args: Record<string, unknown>) => {
    const read = views.source(args);
    if ("error" in read) reply.fail(req, "E_SOURCE", read.error);
    else reply.ok(req, { content: read.content });
  };

  const handle = async (req: Request, args: Record<string, unknown>) => {
    const changes = ["continue", "next", "stepIn", "stepOut", "pause", "terminate"];
    if (observer && changes.includes(req.command)) {
      return reply.fail(req, "E_OBSERVER", OBSERVER);
    }
    switch (req.command) {
      case "configurationDone":
        configured = true;
        reply.ok(req);
        if (session.state === "stopped") {
          const info = session.stateInfo;
          for (const t of translator.live({ t: "state", state: "stopped", info })) emit(t);
        }
        return syncBreakpoints();
      case "setBreakpoints":
        return await setBreakpoints(req, args);
      case "setFunctionBreakpoints":
        return await setFunctionBreakpoints(req, args);
      case "setExceptionBreakpoints":
        return reply.ok(req, { breakpoints: [] });
      case "continue":
        return await command(req, act({ do: "continue" }), { allThreadsContinued: true });
      case "next":
        return await command(req, act({ do: "next" }));
      case "stepIn":
        return await command(req, act({ do: "stepIn" }));
      case "stepOut":
        return await command(req, act({ do: "stepOut" }));
      case "pause":
        await session.interrupt(me);
        return reply.ok(req);
      case "evaluate":
        if (args.context === "repl") {
          const text = typeof args.expression === "string" ? args.expression : "";
          return await command(req, submit(text), { result: "", variablesReference: 0 });
        }
        return await read(req, args);
      case "threads":
      case "stackTrace":
      case "scopes":
      case "variables":
        return await read(req, args);
      case "source":
        return source(req, args);
      case "terminate":
        // `q` ends the session: no done follows it, the `terminated` event does.
        reply.ok(req);
        return void submit("q");
      case "disconnect":
        if (args.terminateDebuggee === true) {
          if (observer) return reply.fail(req, "E_OBSERVER", OBSERVER);
          reply.ok(req);
          return void submit("q");
        }
        reply.ok(req);
        return ctx.leave("left (disconnect)");
      default:
        return reply.fail(req, "E_UNKNOWN_REQUEST", `dbgremote does not answer "${req.command}"`);
    }
  };

  return {
    handle(req: Request, args: Record<string, unknown>) {
      handle(req, args).catch((err) => {
        const code = typeof err?.code === "string" ? err.code : "E_ENGINE";
        reply.fail(req, code, describeError(err));
      });
    },
    /** One session event for this editor. */
    deliver(event: DapSessionEvent) {
      if (event.t === "breakpoints") return syncBreakpoints(event.breakpoints);
      follow(event);
      for (const t of translator.live(event)) {
        if (!configured && ("stop" in t || t.event === "continued")) continue;
        emit(t);
      }
    },
    /** The scrollback on joining, as the transcript only. */
    replay(events: SessionEvent[]) {
      for (const e of events) for (const t of translator.replay(e)) emit(t as DapEvent);
    },
    /** Resolves once every event handed over so far has been sent. */
    flushed: () => tail,
    dispose() {
      disposed = true;
      for (const pending of pendingActs.values()) {
        pending.resolve({ ok: false, error: "disconnected" });
      }
      pendingActs.clear();
    },
  };
}
