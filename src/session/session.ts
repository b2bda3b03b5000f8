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
import type {
  Engine,
  EngineEvent,
  EngineListener,
  StopInfo,
  TargetState,
} from "../engine/engine.ts";
import { DbgRemoteError, describeError } from "../errors.ts";
import type {
  ClientInfo,
  Done,
  EndCause,
  Role,
  SelectedFrame,
  SessionEvent,
  Who,
} from "../protocol/messages.ts";
import type { EndpointInfo, SessionControls } from "./controls.ts";
import {
  clientsLines,
  commandWord,
  helpLines,
  INTERRUPT_REFUSAL,
  isTargetInput,
  knownMetaCommands,
  observerMay,
  printable,
  refusalText,
  serversLines,
  targetInput,
  whoText,
} from "./meta.ts";
import { Scrollback } from "./scrollback.ts";
import { commandTooLong, fitEvent } from "../protocol/fit.ts";
import { SessionRecord } from "../record/session_record.ts";
import type { OpenRecordFile } from "../record/writer.ts";
import type { Action, Breakpoint, InspectAnswer, InspectQuery } from "../engine/inspect.ts";
import { actionText, SessionInspect } from "./inspect.ts";

export interface Participant {
  readonly who: Who;
  /** Transport it came in on, e.g. "tcp:127.0.0.1:40312" or "console". */
  readonly via: string;
  /** Default "operator". Decided by the server (the endpoint, or the client's own request). */
  readonly role?: Role;
  /** Id of the endpoint it came in through; undefined for the server's own terminal. */
  readonly endpoint?: number;
  /** Hand over one event. Must not throw; must not block. */
  deliver(event: SessionEvent): void;
  /** The session drops or ends this participant: close its connection. */
  close(reason: string): void;
}

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
  /** The session record (.logopen): the server's pid for `/t`, and its files (tests inject). */
  record?: { pid: number; openFile?: OpenRecordFile };
}

interface Member {
  p: Participant;
  since: number;
  lastActive?: number;
}

interface Pending {
  client: number;
  id: number;
  text: string;
}

export { whoText };

export class Session {
  readonly id = crypto.randomUUID();
  readonly name: string;
  readonly host: string;
  readonly engine: Engine;
  readonly #members = new Map<number, Member>();
  readonly #scrollback: Scrollback;
  readonly #queue: Pending[] = [];
  readonly #onEnd?: (reason: string) => void;
  readonly #controls?: SessionControls;
  readonly #now: () => number;
  readonly #clientWatchers = new Set<() => void>();
  #nextId = 1;
  #seq = 0;
  #current: number | null = null;
  #draining = false;
  #ended = false;
  #endReason = "";
  #stateInfo: StopInfo = {};
  /** The frame selected since the last stop; undefined: the stop's own (level 0). */
  #selected: SelectedFrame | undefined;
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
    this.#scrollback = new Scrollback(options.scrollbackEvents ?? 1000);
    this.#onEnd = options.onEnd;
    this.#controls = options.controls;
    this.#now = options.now ?? Date.now;
    this.engine = options.makeEngine((event) => this.#onEngine(event));
    this.#record = new SessionRecord({
      session: () => ({
        server: this.name,
        host: this.host,
        session: this.id,
        engine: this.engine.description,
      }),
      now: this.#now,
      pid: options.record?.pid ?? 0,
      notice: (kind, text) => this.#broadcast({ t: "notice", kind, text }),
      openFile: options.record?.openFile,
    });
  }

  /** Record the session to `file` from now on (`--log`); throws E_RECORD if it cannot. */
  openRecord(file: string, by: string): string {
    return this.#record.open(file, false, by);
  }

  get ended(): boolean {
    return this.#ended;
  }

  get state(): TargetState {
    return this.engine.state;
  }

  /** What the last state change said (where the target stopped, its stack). */
  get stateInfo(): StopInfo {
    return this.#stateInfo;
  }

  /** While stopped: the frame a command selected since the stop, if any (else level 0 is). */
  get selected(): SelectedFrame | undefined {
    return this.engine.state === "stopped" ? this.#selected : undefined;
  }

  /** Call `watcher` after every join and leave (or drop). Returns a function that stops it. */
  onClientsChange(watcher: () => void): () => void {
    this.#clientWatchers.add(watcher);
    return () => void this.#clientWatchers.delete(watcher);
  }

  #clientsChanged(): void {
    for (const w of this.#clientWatchers) w();
  }

  /** Add a participant. Returns its id and the scrollback it should replay first. */
  join(p: Participant): { id: number; scrollback: SessionEvent[] } {
    if (this.#ended) throw new Error(`session ended: ${this.#endReason}`);
    const pid = this.#nextId++;
    const scrollback = this.#scrollback.events();
    const as = p.role === "observer" ? " as an observer" : "";
    const member: Member = { p, since: this.#now() };
    this.#broadcast({
      t: "notice",
      kind: "join",
      text: `${whoText(p.who)} joined (${p.via})${as}`,
      client: this.#info(pid, member),
    });
    this.#members.set(pid, member);
    this.#clientsChanged();
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
    const m = this.#members.get(id);
    if (!m) return;
    this.#members.delete(id);
    this.#clientsChanged();
    if (closeReason !== undefined) m.p.close(closeReason);
    this.#broadcast({
      t: "notice",
      kind,
      text: `${whoText(m.p.who)} ${text}`,
      client: this.#info(id, m),
    });
    this.#forgetQueued(id, m);
  }

  /** Commands a participant queued and never saw run do not run after it has gone: say so. */
  #forgetQueued(id: number, m: Member): void {
    const dropped = this.#queue.filter((c) => c.client === id);
    if (dropped.length === 0) return;
    this.#queue.splice(0, this.#queue.length, ...this.#queue.filter((c) => c.client !== id));
    const shown = dropped.slice(0, 3).map((c) => {
      const text = printable(c.text.trim());
      return `\`${text.length > 40 ? `${text.slice(0, 37)}...` : text}\``;
    }).join(", ") + (dropped.length > 3 ? ", ..." : "");
    const n = dropped.length;
    this.#broadcast({
      t: "notice",
      kind: "info",
      text: `${n} command${n === 1 ? "" : "s"} ${whoText(m.p.who)} queued will not run ` +
        `(they are gone): ${shown}`,
    });
  }

  clients(): ClientInfo[] {
    return [...this.#members].map(([id, m]) => this.#info(id, m));
  }

  #info(id: number, { p, since, lastActive }: Member): ClientInfo {
    const info: ClientInfo = { id, who: p.who, via: p.via, role: p.role ?? "operator", since };
    if (lastActive !== undefined) info.lastActive = lastActive;
    if (p.endpoint !== undefined) info.endpoint = p.endpoint;
    return info;
  }

  /**
   * Queue a command from a participant. It runs after every command queued before it.
   * An observer's command that only an operator may give is refused to it alone.
   */
  submit(client: number, id: number, text: string): void {
    const m = this.#members.get(client);
    if (this.#ended || !m) return;
    m.lastActive = this.#now();
    const tooLong = commandTooLong(text);
    if (tooLong) return this.#refuse(client, id, describeError(tooLong), tooLong.code);
    if (m.p.role === "observer" && !observerMay(text)) {
      return this.#refuse(client, id, refusalText(text));
    }
    if (isTargetInput(text)) return this.#typeToTarget(client, id, text);
    this.#queue.push({ client, id, text });
    if (!this.#draining) void this.#drain();
  }

  // (inspect) The structured side: see session/inspect.ts.

  /** An action (a toolbar's, an editor's) as `client`'s command `id`, in the engine's words. */
  act(client: number, id: number, action: Action): void {
    if (this.#ended || !this.#members.has(client)) return;
    const words = actionText(this.engine.kind, action);
    if ("error" in words) {
      return this.#refuse(client, id, describeError(words.error), words.error.code);
    }
    this.submit(client, id, words.text);
  }

  /** A read-only question, outside the queue and the transcript; rejects with a coded error. */
  inspect(client: number, query: InspectQuery): Promise<InspectAnswer> {
    if (this.#ended || !this.#members.has(client)) {
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
    const m = this.#members.get(client);
    if (!m || this.#ended) return;
    m.lastActive = this.#now();
    if (m.p.role === "observer") {
      m.p.deliver({ t: "notice", kind: "warning", text: INTERRUPT_REFUSAL });
      return;
    }
    // Ctrl+C right behind `continue` is for it: let that command reach the engine first.
    await this.#handedOver;
    if (!(await this.engine.interrupt())) {
      this.#deliverTo(client, { t: "notice", kind: "info", text: "the target is not running" });
      return;
    }
    this.#broadcast({
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
    const input = targetInput(text);
    const result = "error" in input
      ? { ok: false, error: input.error }
      : "eof" in input
      ? this.engine.eof()
      : "cols" in input
      ? this.engine.resize(input.cols, input.rows)
      : this.engine.input(input.line);
    if (!result.ok) {
      return this.#refuse(client, id, result.error ?? "the program cannot take input now");
    }
    const issuer = this.#members.get(client);
    const from = issuer ? whoText(issuer.p.who) : `client ${client}`;
    const seq = ++this.#seq;
    this.#broadcast({ t: "echo", from, client, id, seq, text: printable(text) });
    this.#broadcast({ t: "done", client, id, seq, ok: true });
  }

  /**
   * End the session for everyone: stop the engine, tell every participant, close them.
   * `cause` tells clients whether waiting for the server to come back makes sense.
   */
  async end(reason: string, cause: EndCause = "shutdown"): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    this.#endReason = reason;
    this.#queue.length = 0;
    await this.engine.stop();
    this.#broadcast({ t: "end", reason, cause });
    this.#record.close();
    for (const [, m] of this.#members) m.p.close(reason);
    this.#members.clear();
    this.#onEnd?.(reason);
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#queue.length && !this.#ended) {
        const cmd = this.#queue.shift()!;
        await this.#run(cmd);
      }
    } finally {
      this.#draining = false;
    }
  }

  async #run(cmd: Pending): Promise<void> {
    const issuer = this.#members.get(cmd.client);
    const from = issuer ? whoText(issuer.p.who) : `client ${cmd.client}`;
    const seq = ++this.#seq;
    // A connection string may hold a password: everyone sees the command, nobody the secret.
    // Nor anyone's terminal controls: what was typed is shown, never acted on.
    const shown = printable(
      commandWord(cmd.text) === ".server" ? maskSecrets(cmd.text) : cmd.text,
    );
    this.#broadcast({ t: "echo", from, client: cmd.client, id: cmd.id, seq, text: shown });
    this.#current = seq;
    this.#issuer = cmd.client;
    const done: Done = { t: "done", client: cmd.client, id: cmd.id, seq, ok: true };
    let handedOver!: () => void;
    this.#handedOver = new Promise<void>((r) => (handedOver = r));
    try {
      const meta = await this.#meta(cmd, from, seq);
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
    if (!this.#ended) this.#broadcast(done);
  }

  /** Session meta-commands. Returns ok, or undefined if the text is for the engine. */
  async #meta(cmd: Pending, from: string, seq: number): Promise<boolean | undefined> {
    const text = cmd.text.trim();
    const word = commandWord(text);
    const arg = text.slice(word.length).trim();
    const say = (line: string) =>
      this.#broadcast({ t: "out", seq, stream: "console", text: line + "\n" });
    // Mistakes in session controls go to the one who made them; the others see only the command.
    const fail = (err: unknown): false => {
      this.#deliverTo(cmd.client, {
        t: "out",
        seq,
        stream: "error",
        text: describeError(err) + "\n",
      });
      return false;
    };
    switch (word) {
      case "q":
      case "quit":
        if (text !== word) return undefined;
        await this.end(`${from} ended the session (q)`, "quit");
        return true;
      case ".clients":
        for (const line of clientsLines(this.clients(), cmd.client, this.#now())) say(line);
        return true;
      case ".help":
        for (const line of helpLines()) say(line);
        return true;
      case ".echo":
        say(`${from}: ${printable(arg)}`);
        return true;
      case ".servers":
        if (!this.#controls) return fail(noControls(word));
        for (const line of serversLines(this.#controls.servers(), this.clients())) say(line);
        return true;
      case ".server":
        return await this.#openEndpoint(arg, from, fail);
      case ".endsrv":
        return await this.#closeEndpoint(arg, from, fail);
      case ".logopen":
      case ".logappend":
      case ".logclose":
      case ".logfile":
        try {
          for (const line of this.#record.command(word, arg, from)) say(line);
          return true;
        } catch (err) {
          return fail(err);
        }
      case ".remote_exit": {
        const m = this.#members.get(cmd.client);
        this.leave(cmd.client, "left (.remote_exit)");
        m?.p.close(""); // leaving is no drop: no "disconnected by the server" notice
        return true;
      }
      default:
        if (word?.startsWith(".") && /^\.[a-z_]+$/.test(word) && word !== ".") {
          this.#broadcast({
            t: "out",
            seq,
            stream: "error",
            text: `unknown meta-command ${word}: dbgremote knows ${knownMetaCommands()}\n`,
          });
          return false;
        }
        return undefined;
    }
  }

  /** `.server CONNSTR`: one more endpoint, announced to everyone. */
  async #openEndpoint(
    arg: string,
    from: string,
    fail: (err: unknown) => false,
  ): Promise<boolean> {
    if (!this.#controls) return fail(noControls(".server"));
    if (arg === "") {
      return fail(
        new DbgRemoteError("E_USAGE", ".server needs a connection string", {
          hint:
            "for example: .server tcp:port=5007,password_env=LAB_PW (.servers lists the open ones)",
        }),
      );
    }
    let info: EndpointInfo;
    try {
      info = await this.#controls.open(arg, from);
    } catch (err) {
      return fail(err);
    }
    const watch = info.observe ? " (everyone who joins there is an observer)" : "";
    this.#broadcast({
      t: "notice",
      kind: "info",
      text: `${from} opened endpoint ${info.id}: ${info.spec}${watch}; ` +
        `join with: dbgremote client ${info.address}`,
    });
    return true;
  }

  /** `.endsrv ID`: stop accepting there; who came in through it stays. */
  async #closeEndpoint(
    arg: string,
    from: string,
    fail: (err: unknown) => false,
  ): Promise<boolean> {
    if (!this.#controls) return fail(noControls(".endsrv"));
    const all = this.#controls.servers();
    const open = all.filter((e) => e.state === "accepting");
    const valid = open.length
      ? `endpoints accepting now: ${open.map((e) => `${e.id} (${e.spec})`).join(", ")}`
      : "no endpoint accepts clients now";
    const target = /^\d+$/.test(arg) ? all.find((e) => e.id === Number(arg)) : undefined;
    if (!target) {
      return fail(
        new DbgRemoteError(
          "E_USAGE",
          arg === ""
            ? ".endsrv needs the id of an endpoint"
            : `.endsrv ${arg}: there is no endpoint ${arg}`,
          { hint: `${valid} (.servers lists them all)` },
        ),
      );
    }
    if (target.state === "closed") {
      return fail(
        new DbgRemoteError("E_USAGE", `endpoint ${target.id} (${target.spec}) is already closed`, {
          hint: valid,
        }),
      );
    }
    let info: EndpointInfo;
    try {
      info = await this.#controls.close(target.id, from);
    } catch (err) {
      return fail(err);
    }
    const kept = this.clients().filter((c) => c.endpoint === info.id).length;
    const still = this.#controls.servers().some((e) => e.state === "accepting")
      ? ""
      : "; no endpoint accepts new clients now (.server CONNSTR opens one)";
    this.#broadcast({
      t: "notice",
      kind: "info",
      text: `${from} closed endpoint ${info.id} (${info.spec}): nobody new can join there; ` +
        `${kept} client${kept === 1 ? "" : "s"} who came in through it stay${
          kept === 1 ? "s" : ""
        }` +
        still,
    });
    return true;
  }

  #onEngine(event: EngineEvent): void {
    switch (event.type) {
      case "output":
        this.#broadcast({ t: "out", seq: this.#current, stream: event.stream, text: event.text });
        break;
      case "state":
        this.#stateInfo = event.info;
        this.#selected = undefined; // a stop selects its own frame; running has none
        this.#broadcast({ t: "state", state: event.state, info: event.info });
        break;
      case "frame": {
        const selected: SelectedFrame = event.source
          ? { frame: event.frame, source: event.source }
          : { frame: event.frame };
        this.#selected = selected;
        // Not scrollback: a late joiner's welcome says which frame is selected now.
        for (const e of fitEvent({ t: "selected", ...selected })) {
          for (const [, m] of this.#members) m.p.deliver(e);
        }
        break;
      }
      case "breakpoints": {
        this.#inspect.changed(event.breakpoints, this.#issuer);
        // Live only: a late joiner's welcome has the set. `client`: whose command changed it.
        const e = { t: "breakpoints" as const, breakpoints: event.breakpoints };
        const told = this.#issuer === undefined ? e : { ...e, client: this.#issuer };
        for (const [, m] of this.#members) m.p.deliver(told);
        break;
      }
      case "exit":
        if (!this.#ended) {
          const how = event.signal ? `signal ${event.signal}` : `code ${event.code}`;
          void this.end(
            event.expected
              ? `the debugger (${this.engine.kind}) exited (${how})`
              : `the debugger (${this.engine.kind}) exited unexpectedly (${how})`,
            "engine",
          );
        }
        break;
    }
  }

  /** A command that never ran: told to its issuer alone (`seq` 0: it is not in the transcript). */
  #refuse(client: number, id: number, error: string, code?: string): void {
    this.#deliverTo(client, {
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

  #deliverTo(id: number, event: SessionEvent): void {
    const m = this.#members.get(id);
    if (m) { for (const e of fitEvent(event)) m.p.deliver(e); }
  }

  /** Every event fits in a frame (long output split, long text cut): none is ever unsendable. */
  #broadcast(event: SessionEvent): void {
    for (const e of fitEvent(event)) {
      this.#record.write(e); // the record is a participant that never lags
      this.#scrollback.add(e);
      for (const [, m] of this.#members) m.p.deliver(e);
    }
  }
}

function noControls(word: string): DbgRemoteError {
  return new DbgRemoteError("E_USAGE", `${word} is not available: this session has no endpoints`, {
    hint: "it runs inside a test or tool without a server",
  });
}
