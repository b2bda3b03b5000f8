/**
 * The shared debugging session: one engine, any number of participants.
 *
 * Commands run one at a time in arrival order. Every participant sees every
 * command with its issuer (`echo`), all output, every state change, joins and
 * leaves. A late joiner gets the recent events (scrollback) first. A
 * participant that cannot keep up is dropped without stalling the others.
 *
 * The session knows nothing about sockets: participants are anything with a
 * `deliver` method (a network peer, the server's own terminal, a test), and
 * the server's endpoints are reached through {@link SessionControls}.
 *
 * Observers see everything but may only read, speak and leave (see meta.ts);
 * anything else they send is refused to them alone: not echoed, not queued.
 */
import { maskSecrets } from "../connstr.ts";
import type { Engine, EngineListener } from "../engine/engine.ts";
import { DbgRemoteError, describeError } from "../errors.ts";
import type {
  ClientInfo,
  Done,
  EndCause,
  SelectedFrame,
  SessionEvent,
  StopInfo,
  TargetState,
} from "../protocol/messages.ts";
import { wireState } from "./engine_wire.ts";
import { EngineEvents } from "./engine_events.ts";
import type { SessionControls } from "./controls.ts";
import {
  holdsSecrets,
  INTERRUPT_REFUSAL,
  isTargetInput,
  observerMay,
  refusalText,
} from "./meta.ts";
import { typeToProgram } from "./target_input.ts";
import { forgottenText, printable, whoText } from "./meta_text.ts";
import { Scrollback } from "./scrollback.ts";
import { Presence } from "./presence.ts";
import { Audience, clientInfo, type Member, type Participant } from "./audience.ts";
import { commandTooLong } from "../protocol/fit.ts";
import { CommandQueue, type Pending } from "./command_queue.ts";
import { SessionRecord } from "../record/session_record.ts";
import type { OpenRecordFile } from "../record/writer.ts";
import type { Action, Breakpoint, InspectAnswer, InspectQuery } from "../engine/inspect.ts";
import { actionText, SessionInspect } from "./inspect.ts";
import { type MetaSession, runMeta } from "./meta_context.ts";

export interface SessionOptions {
  /** Name of this server, shown to clients. */
  name: string;
  host: string;
  /** Create the engine with the session's event listener. */
  makeEngine: (listener: EngineListener) => Engine;
  /** Most events kept for late joiners. */
  scrollbackEvents?: number;
  /** Called once when the session ends (q, engine death, shutdown). */
  onEnd?: (reason: string) => void;
  /** The server's endpoints, for .servers, .server and .endsrv. */
  controls?: SessionControls;
  /** The clock, ms since the epoch (tests pass their own). */
  now?: () => number;
  /** Observers' joins and leaves are announced at most this often (presence.ts; default 1 s). */
  presenceIntervalMs?: number;
  /** The session record (.logopen): the server's pid for `/t`, and its files (tests inject). */
  record?: { pid: number; openFile?: OpenRecordFile };
}

export { whoText };
export type { Participant };

export class Session {
  readonly id = crypto.randomUUID();
  readonly name: string;
  readonly host: string;
  readonly engine: Engine;
  readonly #audience: Audience;
  readonly #presence: Presence;
  readonly #queue = new CommandQueue((cmd) => this.#run(cmd), () => this.#ended);
  readonly #onEnd?: (reason: string) => void;
  /** What the session's meta-commands reach of it (meta_context.ts). */
  readonly #metaSession: MetaSession;
  readonly #now: () => number;
  #nextId = 1;
  #seq = 0;
  #current: number | null = null;
  #ended = false;
  #endReason = "";
  /** What the engine last said, and its events told to everyone (engine_events.ts). */
  readonly #engineEvents: EngineEvents;
  /** Resolves once the command under way has reached the engine (or finished). */
  #handedOver: Promise<void> | undefined;
  readonly #record: SessionRecord;
  /** (inspect) The structured side: breakpoints, questions (session/inspect.ts). */
  readonly #inspect = new SessionInspect();
  /** (inspect) The issuer of the command under way, for who changed the breakpoints. */
  #issuer: number | undefined;

  constructor(options: SessionOptions) {
    this.name = options.name;
    this.host = options.host;
    this.#onEnd = options.onEnd;
    this.#now = options.now ?? Date.now;
    this.#audience = new Audience({
      scrollback: new Scrollback(options.scrollbackEvents ?? 1000),
      record: (e) => this.#record.write(e),
    });
    this.#presence = new Presence({
      announce: (notice) => this.#audience.broadcast(notice),
      count: () => this.#audience.size,
      intervalMs: options.presenceIntervalMs,
    });
    this.#engineEvents = new EngineEvents({
      audience: this.#audience,
      inspect: this.#inspect,
      kind: () => this.engine.kind,
      current: () => this.#current,
      issuer: () => this.#issuer,
      ended: () => this.#ended,
      end: (reason, cause) => void this.end(reason, cause),
    });
    this.engine = options.makeEngine((event) => this.#engineEvents.handle(event));
    this.#record = new SessionRecord({
      session: () => ({
        server: this.name,
        host: this.host,
        session: this.id,
        engine: this.engine.description,
      }),
      now: this.#now,
      pid: options.record?.pid ?? 0,
      notice: (kind, text) => this.#audience.broadcast({ t: "notice", kind, text }),
      openFile: options.record?.openFile,
    });
    this.#metaSession = {
      audience: this.#audience,
      controls: options.controls,
      now: this.#now,
      record: this.#record,
      clients: () => this.clients(),
      end: (reason, cause) => this.end(reason, cause),
      leave: (client, reason) => this.leave(client, reason),
    };
  }

  /** Record the session to `file` from now on (`--log`); throws E_RECORD if it cannot. */
  openRecord(file: string, by: string): string {
    return this.#record.open(file, false, by);
  }

  get ended(): boolean {
    return this.#ended;
  }

  get state(): TargetState {
    return wireState(this.engine.state);
  }

  /** What the last state change said (where the target stopped, its stack). */
  get stateInfo(): StopInfo {
    return this.#engineEvents.stateInfo;
  }

  /** While stopped: the frame a command selected since the stop, if any (else level 0 is). */
  get selected(): SelectedFrame | undefined {
    return this.engine.state === "stopped" ? this.#engineEvents.selected : undefined;
  }

  /** Call `watcher` after every join and leave (or drop). Returns a function that stops it. */
  onClientsChange(watcher: () => void): () => void {
    return this.#audience.onChange(watcher);
  }

  /** Add a participant. Returns its id and the scrollback it should replay first. */
  join(p: Participant): { id: number; scrollback: SessionEvent[] } {
    if (this.#ended) throw new Error(`session ended: ${this.#endReason}`);
    const pid = this.#nextId++;
    const scrollback = this.#audience.scrollback();
    const member: Member = { p, since: this.#now() };
    this.#presence.joined(p, clientInfo(pid, member));
    this.#audience.add(pid, member);
    return { id: pid, scrollback };
  }

  /** Remove a participant and tell everyone else why. */
  leave(id: number, reason = "left"): void {
    this.#remove(id, "leave", reason);
  }

  /** Drop a participant that misbehaves or cannot keep up: close it, and tell everyone else. */
  drop(id: number, reason: string): void {
    this.#remove(id, "drop", `was disconnected: ${reason}`, reason);
  }

  /** `closeReason`: close the participant's connection too (a drop), saying this. */
  #remove(id: number, kind: "leave" | "drop", text: string, closeReason?: string): void {
    const m = this.#audience.remove(id);
    if (!m) return;
    if (closeReason !== undefined) m.p.close(closeReason);
    this.#presence.left(m.p, clientInfo(id, m), kind, text);
    this.#forgetQueued(id, m);
  }

  /** Commands a participant queued and never saw run do not run after it has gone: say so. */
  #forgetQueued(id: number, m: Member): void {
    const dropped = this.#queue.forget(id);
    if (dropped.length === 0) return;
    const text = forgottenText(m.p.who, dropped.map((c) => c.text));
    this.#audience.broadcast({ t: "notice", kind: "info", text });
  }

  clients(): ClientInfo[] {
    return this.#audience.clients();
  }

  /** {@link clients} as UTF-8 JSON, each entry encoded once (a welcome carries the whole list). */
  clientsJson(): Uint8Array {
    return this.#audience.clientsJson();
  }

  /**
   * Queue a command from a participant. It runs after every command queued before it.
   * An observer's command that only an operator may give is refused to it alone.
   */
  submit(client: number, id: number, text: string): void {
    const m = this.#audience.get(client);
    if (this.#ended || !m) return;
    m.lastActive = this.#now();
    const tooLong = commandTooLong(text);
    if (tooLong) return this.#refuse(client, id, describeError(tooLong), tooLong.code);
    if (m.p.role === "observer" && !observerMay(text)) {
      return this.#refuse(client, id, refusalText(text));
    }
    if (isTargetInput(text)) return this.#typeToTarget(client, id, text);
    this.#queue.push({ client, id, text });
  }

  // (inspect) The structured side: see session/inspect.ts.

  /** An action (a toolbar's, an editor's) as `client`'s command `id`, in the engine's words. */
  act(client: number, id: number, action: Action): void {
    if (this.#ended || !this.#audience.get(client)) return;
    const words = actionText(this.engine.kind, action);
    if ("error" in words) {
      return this.#refuse(client, id, describeError(words.error), words.error.code);
    }
    this.submit(client, id, words.text);
  }

  /** A read-only question, outside the queue and the transcript; rejects with a coded error. */
  inspect(client: number, query: InspectQuery): Promise<InspectAnswer> {
    if (this.#ended || !this.#audience.get(client)) {
      return Promise.reject(new DbgRemoteError("E_SESSION_ENDED", "not in the session"));
    }
    return this.#inspect.ask(client, this.engine.inspector, query);
  }

  /** The session's breakpoints as the engine last told them (the `breakpoints` event's). */
  breakpoints(): Breakpoint[] {
    return this.#inspect.breakpoints;
  }

  /** Ctrl+C from a participant: interrupt the target now, ahead of the queue. */
  async interrupt(client: number): Promise<void> {
    const m = this.#audience.get(client);
    if (!m || this.#ended) return;
    m.lastActive = this.#now();
    if (m.p.role === "observer") {
      this.#audience.deliverTo(client, { t: "notice", kind: "warning", text: INTERRUPT_REFUSAL });
      return;
    }
    // Ctrl+C right behind `continue` is for it: let that command reach the engine first.
    await this.#handedOver;
    if (!(await this.engine.interrupt())) {
      this.#audience.deliverTo(client, {
        t: "notice",
        kind: "info",
        text: "the target is not running",
      });
      return;
    }
    this.#audience.broadcast({
      t: "notice",
      kind: "info",
      text: `${whoText(m.p.who)} interrupted the target`,
    });
  }

  /**
   * `.input TEXT` / `.eof`: straight to the program's terminal, ahead of the queue (a
   * `continue` waiting there is what the program's input is for). Everyone sees it with its
   * issuer; with no program to read it, the issuer alone is told.
   */
  #typeToTarget(client: number, id: number, text: string): void {
    const result = typeToProgram(this.engine, text);
    if (!result.ok) return this.#refuse(client, id, result.error!);
    const seq = ++this.#seq;
    this.#audience.broadcast({
      t: "echo",
      from: this.#name(client),
      client,
      id,
      seq,
      text: printable(text),
    });
    this.#audience.broadcast({ t: "done", client, id, seq, ok: true });
  }

  /**
   * End the session for everyone: stop the engine, tell every participant, close them.
   * `cause` tells clients whether waiting for the server to come back makes sense.
   */
  async end(reason: string, cause: EndCause = "shutdown"): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    this.#endReason = reason;
    this.#queue.clear();
    await this.engine.stop();
    this.#presence.flush(); // what is held is said before the end
    this.#audience.broadcast({ t: "end", reason, cause });
    this.#record.close();
    this.#audience.closeAll(reason);
    this.#onEnd?.(reason);
  }

  async #run(cmd: Pending): Promise<void> {
    const from = this.#name(cmd.client);
    const seq = ++this.#seq;
    // A connection string may hold a password: everyone sees the command, nobody the secret.
    // Nor anyone's terminal controls: what was typed is shown, never acted on.
    const shown = printable(holdsSecrets(cmd.text) ? maskSecrets(cmd.text) : cmd.text);
    this.#audience.waiting = cmd.client;
    this.#audience.broadcast({ t: "echo", from, client: cmd.client, id: cmd.id, seq, text: shown });
    this.#current = seq;
    this.#issuer = cmd.client;
    const done: Done = { t: "done", client: cmd.client, id: cmd.id, seq, ok: true };
    let handedOver!: () => void;
    this.#handedOver = new Promise<void>((r) => (handedOver = r));
    try {
      const meta = await runMeta(this.#metaSession, cmd.text, cmd.client, from, seq);
      if (meta === undefined) {
        const running = this.engine.execute(cmd.text);
        handedOver();
        const result = await running;
        done.ok = result.ok;
        if (result.error) done.error = result.error;
      } else {
        done.ok = meta;
      }
    } catch (err) {
      done.ok = false;
      done.error = (err as Error).message;
    } finally {
      this.#current = null;
      this.#issuer = undefined;
      handedOver();
      this.#handedOver = undefined;
    }
    if (!this.#ended) this.#audience.broadcast(done);
    this.#audience.waiting = undefined;
  }

  /** A participant as everyone sees it named: "alice@laptop" (one gone: "client 3"). */
  #name(client: number): string {
    const m = this.#audience.get(client);
    return m ? whoText(m.p.who) : `client ${client}`;
  }

  /** A command that never ran: told to its issuer alone (`seq` 0: it is not in the transcript). */
  #refuse(client: number, id: number, error: string, code?: string): void {
    this.#audience.deliverTo(client, {
      t: "done",
      client,
      id,
      seq: 0,
      ok: false,
      refused: true,
      error,
      ...(code === undefined ? {} : { code }),
    });
  }
}
