/**
 * One debug adapter process spoken to over stdio: requests matched to their
 * responses by `seq`, events handed on in order, reverse requests answered by
 * the engine's handler (`runInTerminal`, on the server's pty) or refused
 * (`startDebugging`: we debug one process).
 */
import type { DebugProtocol } from "@vscode/debugprotocol";
import { EngineError } from "../../errors.ts";
import { createDapDecoder, encodeDapMessage } from "./framing.ts";
import { spawned } from "../spawned.ts";
import { type ChildPipes, spawnPiped, streamPipes } from "../child_pipes.ts";

/** A request the adapter answered with `success: false`. */
export class DapRequestError extends Error {
  readonly command: string;
  constructor(command: string, message: string) {
    super(message);
    this.name = "DapRequestError";
    this.command = command;
  }
}

export interface DapClientOptions {
  command: string;
  args: string[];
  cwd: string;
  env?: Record<string, string | undefined>;
  onEvent(event: DebugProtocol.Event): void;
  /**
   * A reverse request: resolves with the response's body, rejects to refuse it (its message is
   * the adapter's answer). Without a handler, every reverse request is refused.
   */
  onReverseRequest?(request: DebugProtocol.Request): Promise<unknown>;
  /** The adapter's stderr, as it comes. */
  onStderr?(text: string): void;
  /** The adapter went away (after every pending request was rejected). */
  onExit(code: number | null, signal: string | null): void;
  /** The adapter's stdin and stdout (child_pipes.ts); default its own streams. */
  pipes?: ChildPipes;
}

export interface DapClient {
  /** Resolves once the adapter process runs; rejects E_ENGINE_MISSING/E_ENGINE_START. */
  readonly spawned: Promise<void>;
  readonly exited: Promise<void>;
  readonly alive: boolean;
  readonly pid: number | undefined;
  request<R extends DebugProtocol.Response = DebugProtocol.Response>(
    command: string,
    args?: unknown,
  ): Promise<R>;
  /** Kill the adapter (SIGKILL after `graceMs` if it lingers). */
  kill(graceMs?: number): Promise<void>;
}

interface Pending {
  command: string;
  resolve(r: DebugProtocol.Response): void;
  reject(err: Error): void;
}

export function createDapClient(opts: DapClientOptions): DapClient {
  let seq = 1;
  const pending = new Map<number, Pending>();
  const decoder = createDapDecoder();
  let alive = true;
  const { child, stdin, closed } = spawnPiped(
    opts.command,
    opts.args,
    { cwd: opts.cwd, env: opts.env ?? process.env },
    opts.pipes ?? streamPipes(),
    (chunk) => {
      let messages: unknown[];
      try {
        messages = decoder.push(chunk);
      } catch (err) {
        opts.onStderr?.(`${(err as Error).message}\n`);
        child.kill("SIGKILL");
        return;
      }
      for (const m of messages) onMessage(m as DebugProtocol.ProtocolMessage);
    },
  );
  const started = spawned(child, opts.command, () => (alive = false));

  const send = (message: unknown) => {
    if (alive) stdin.write(encodeDapMessage(message));
  };

  const onMessage = (m: DebugProtocol.ProtocolMessage) => {
    if (m.type === "response") {
      const r = m as DebugProtocol.Response;
      const p = pending.get(r.request_seq);
      if (!p) return;
      pending.delete(r.request_seq);
      if (r.success) p.resolve(r);
      else p.reject(new DapRequestError(p.command, r.message ?? "failed"));
    } else if (m.type === "event") {
      opts.onEvent(m as DebugProtocol.Event);
    } else if (m.type === "request") {
      const req = m as DebugProtocol.Request;
      const answer = (success: boolean, extra: Record<string, unknown>) =>
        send({
          seq: seq++,
          type: "response",
          request_seq: req.seq,
          command: req.command,
          success,
          ...extra,
        });
      const handled = opts.onReverseRequest?.(req) ??
        Promise.reject(
          new Error(`dbgremote does not support the reverse request "${req.command}"`),
        );
      handled.then(
        (body) => answer(true, body === undefined ? {} : { body }),
        (err: Error) => answer(false, { message: err.message }),
      );
    }
  };

  // Told after every message the adapter wrote was handled.
  const exited = closed.then(({ code, signal }) => {
    alive = false;
    for (const [, p] of pending) {
      p.reject(
        new EngineError(
          "E_ENGINE_DIED",
          `${opts.command} exited (${signal ? `signal ${signal}` : `code ${code}`})`,
        ),
      );
    }
    pending.clear();
    opts.onExit(code, signal);
  });
  child.stderr!.setEncoding("utf8").on("data", (t: string) => opts.onStderr?.(t));

  return {
    spawned: started,
    exited,
    get alive() {
      return alive;
    },
    get pid() {
      return child.pid;
    },
    request<R extends DebugProtocol.Response>(command: string, args?: unknown): Promise<R> {
      if (!alive) {
        return Promise.reject(
          new EngineError("E_ENGINE_DIED", `${opts.command} is not running`),
        );
      }
      const s = seq++;
      return new Promise<R>((resolve, reject) => {
        pending.set(s, {
          command,
          resolve: resolve as (r: DebugProtocol.Response) => void,
          reject,
        });
        send(
          args === undefined
            ? { seq: s, type: "request", command }
            : { seq: s, type: "request", command, arguments: args },
        );
      });
    },
    async kill(graceMs = 2000) {
      if (!alive) return await exited;
      stdin.close();
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      child.kill("SIGTERM");
      await exited;
      clearTimeout(timer);
    },
  };
}
