/**
 * The shared debugging session: one engine, any number of participants.
 *
 * Commands run one at a time in arrival order. Every participant sees every
 * command with its issuer (`echo`), all output, every state change, joins and
 * leaves. A late joiner gets the recent events (scrollback) first. A
 * participant that cannot keep up is dropped without stalling the others.
 *
 * The session knows nothing about sockets: participants are anything with a
 * `deliver` method (a network peer, the server's own terminal, a test).
 */
import type { Engine, EngineEvent, EngineListener, TargetState } from "../engine/engine.ts";
import type { ClientInfo, Done, EndCause, SessionEvent, Who } from "../protocol/messages.ts";
import { Scrollback } from "./scrollback.ts";

export interface Participant {
  readonly who: Who;
  /** Transport it came in on, e.g. "tcp:127.0.0.1:40312" or "console". */
  readonly via: string;
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
}

interface Pending {
  client: number;
  id: number;
  text: string;
}

const META_HELP = [
  "dbgremote session commands (everything else goes to the debugger):",
  "  .clients        who is connected, and how",
  "  .echo TEXT      say TEXT to everyone",
  "  .remote_exit    leave the session (Ctrl+B does the same); it goes on for the others",
  "  q               end the session for everyone: stops the debugger and the target",
  "  Ctrl+C          interrupt the running target",
];

export function whoText(who: Who): string {
  return `${who.user}@${who.host}`;
}

export class Session {
  readonly id = crypto.randomUUID();
  readonly name: string;
  readonly host: string;
  readonly engine: Engine;
  readonly #participants = new Map<number, Participant>();
  readonly #scrollback: Scrollback;
  readonly #queue: Pending[] = [];
  readonly #onEnd?: (reason: string) => void;
  #nextId = 1;
  #seq = 0;
  #current: number | null = null;
  #draining = false;
  #ended = false;
  #endReason = "";

  constructor(options: SessionOptions) {
    this.name = options.name;
    this.host = options.host;
    this.#scrollback = new Scrollback(options.scrollbackEvents ?? 1000);
    this.#onEnd = options.onEnd;
    this.engine = options.makeEngine((event) => this.#onEngine(event));
  }

  get ended(): boolean {
    return this.#ended;
  }

  get state(): TargetState {
    return this.engine.state;
  }

  /** Add a participant. Returns its id and the scrollback it should replay first. */
  join(p: Participant, id?: number): { id: number; scrollback: SessionEvent[] } {
    if (this.#ended) throw new Error(`session ended: ${this.#endReason}`);
    const pid = id ?? this.#nextId++;
    const scrollback = this.#scrollback.events();
    this.#broadcast({
      t: "notice",
      kind: "join",
      text: `${whoText(p.who)} joined (${p.via})`,
    });
    this.#participants.set(pid, p);
    return { id: pid, scrollback };
  }

  /** Remove a participant and tell everyone else why. */
  leave(id: number, reason = "left"): void {
    const p = this.#participants.get(id);
    if (!p) return;
    this.#participants.delete(id);
    this.#broadcast({ t: "notice", kind: "leave", text: `${whoText(p.who)} ${reason}` });
  }

  /** Drop a participant that misbehaves or cannot keep up. */
  drop(id: number, reason: string): void {
    const p = this.#participants.get(id);
    if (!p) return;
    this.#participants.delete(id);
    p.close(reason);
    this.#broadcast({
      t: "notice",
      kind: "drop",
      text: `${whoText(p.who)} was disconnected: ${reason}`,
    });
  }

  clients(): ClientInfo[] {
    return [...this.#participants].map(([id, p]) => ({ id, who: p.who, via: p.via }));
  }

  /** Queue a command from a participant. It runs after every command queued before it. */
  submit(client: number, id: number, text: string): void {
    if (this.#ended || !this.#participants.has(client)) return;
    this.#queue.push({ client, id, text });
    if (!this.#draining) void this.#drain();
  }

  /** Ctrl+C from a participant: interrupt the target now, ahead of the queue. */
  async interrupt(client: number): Promise<void> {
    const p = this.#participants.get(client);
    if (!p || this.#ended) return;
    if (this.engine.state !== "running") {
      this.#deliverTo(client, { t: "notice", kind: "info", text: "the target is not running" });
      return;
    }
    this.#broadcast({
      t: "notice",
      kind: "info",
      text: `${whoText(p.who)} interrupted the target`,
    });
    await this.engine.interrupt();
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
    for (const [, p] of this.#participants) p.close(reason);
    this.#participants.clear();
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
    const issuer = this.#participants.get(cmd.client);
    const from = issuer ? whoText(issuer.who) : `client ${cmd.client}`;
    const seq = ++this.#seq;
    this.#broadcast({ t: "echo", from, client: cmd.client, id: cmd.id, seq, text: cmd.text });
    this.#current = seq;
    const done: Done = { t: "done", client: cmd.client, id: cmd.id, seq, ok: true };
    try {
      const meta = await this.#meta(cmd, from, seq);
      if (meta === undefined) {
        const result = await this.engine.execute(cmd.text);
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
    }
    if (!this.#ended) this.#broadcast(done);
  }

  /** Session meta-commands. Returns ok, or undefined if the text is for the engine. */
  async #meta(cmd: Pending, from: string, seq: number): Promise<boolean | undefined> {
    const text = cmd.text.trim();
    const word = text.split(/\s+/, 1)[0];
    const say = (line: string) =>
      this.#broadcast({ t: "out", seq, stream: "console", text: line + "\n" });
    switch (word) {
      case "q":
      case "quit":
        if (text !== word) return undefined;
        await this.end(`${from} ended the session (q)`, "quit");
        return true;
      case ".clients":
        for (const c of this.clients()) {
          say(
            `  ${c.id === cmd.client ? "*" : " "} ${c.id}  ${
              whoText(c.who)
            }  ${c.via}  (${c.who.tool})`,
          );
        }
        return true;
      case ".help":
        for (const line of META_HELP) say(line);
        return true;
      case ".echo":
        say(text.slice(word.length).trim());
        return true;
      case ".remote_exit": {
        const p = this.#participants.get(cmd.client);
        this.leave(cmd.client, "left (.remote_exit)");
        p?.close(""); // leaving is no drop: no "disconnected by the server" notice
        return true;
      }
      default:
        if (word?.startsWith(".") && /^\.[a-z_]+$/.test(word) && word !== ".") {
          this.#broadcast({
            t: "out",
            seq,
            stream: "error",
            text:
              `unknown meta-command ${word}: dbgremote knows .clients, .echo, .help, .remote_exit\n`,
          });
          return false;
        }
        return undefined;
    }
  }

  #onEngine(event: EngineEvent): void {
    switch (event.type) {
      case "output":
        this.#broadcast({ t: "out", seq: this.#current, stream: event.stream, text: event.text });
        break;
      case "state":
        this.#broadcast({ t: "state", state: event.state, info: event.info });
        break;
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

  #deliverTo(id: number, event: SessionEvent): void {
    this.#participants.get(id)?.deliver(event);
  }

  #broadcast(event: SessionEvent): void {
    this.#scrollback.add(event);
    for (const [, p] of this.#participants) p.deliver(event);
  }
}
