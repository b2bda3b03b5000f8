/**
 * A small DAP client for tests, in the spirit of @vscode/debugadapter-testsupport's DebugClient
 * (not installed here): connect to a port, send requests, await responses and events. Every
 * wait is bounded; events are kept so a test can await one that already came.
 */
import fs from "node:fs";
import net from "node:net";
import tls from "node:tls";
import { createDapWireDecoder, encodeDapMessage } from "../../src/dap/wire.ts";

export interface DapMessage {
  seq: number;
  type: "request" | "response" | "event";
  command?: string;
  event?: string;
  request_seq?: number;
  success?: boolean;
  message?: string;
  body?: Record<string, unknown> & { error?: { format: string } };
}

const WAIT_MS = 20_000;

export class DapTestClient {
  readonly events: DapMessage[] = [];
  readonly #socket: net.Socket;
  #seq = 0;
  readonly #responses = new Map<number, (m: DapMessage) => void>();
  #waiters: (() => void)[] = [];
  closed = false;
  readonly gone: Promise<void>;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    const decoder = createDapWireDecoder(64 * 1024 * 1024);
    socket.on("data", (chunk: Uint8Array) => {
      for (const item of decoder.push(chunk)) {
        if (!item.ok) continue;
        const m = item.message as unknown as DapMessage;
        if (m.type === "response") this.#responses.get(m.request_seq!)?.(m);
        else if (m.type === "event") this.events.push(m);
      }
      this.#wake();
    });
    this.gone = new Promise((resolve) =>
      socket.on("close", () => {
        this.closed = true;
        this.#wake();
        resolve();
      })
    );
    socket.on("error", () => {});
  }

  /** `cafile`: speak TLS, trusting that certificate (a `daps:` endpoint). */
  static connect(port: number, cafile?: string): Promise<DapTestClient> {
    return new Promise((resolve, reject) => {
      const ready = () => {
        socket.removeAllListeners("error");
        resolve(new DapTestClient(socket));
      };
      const socket = cafile
        ? tls.connect({ host: "127.0.0.1", port, ca: fs.readFileSync(cafile) }, ready)
        : net.connect({ host: "127.0.0.1", port }, ready);
      socket.once("error", reject);
    });
  }

  #wake() {
    const w = this.#waiters;
    this.#waiters = [];
    w.forEach((f) => f());
  }

  /** Send raw bytes (bad-input tests). */
  raw(bytes: Uint8Array | string): void {
    this.#socket.write(bytes);
  }

  /** Send a request; resolves with its response, successful or not. */
  request(command: string, args?: Record<string, unknown>, waitMs = WAIT_MS): Promise<DapMessage> {
    const seq = ++this.#seq;
    const message = { seq, type: "request", command, ...(args ? { arguments: args } : {}) };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#responses.delete(seq);
        reject(new Error(`no response to ${command} within ${waitMs} ms`));
      }, waitMs);
      this.#responses.set(seq, (m) => {
        clearTimeout(timer);
        this.#responses.delete(seq);
        resolve(m);
      });
      this.#socket.write(encodeDapMessage(message));
    });
  }

  /** A request that must succeed: its body. */
  async ok(command: string, args?: Record<string, unknown>): Promise<Record<string, unknown>> {
    const r = await this.request(command, args);
    if (!r.success) {
      throw new Error(`${command} failed: ${r.message}: ${r.body?.error?.format ?? ""}`);
    }
    return r.body ?? {};
  }

  /** The first event (from index `from`) named `event` that `match` accepts. */
  async waitEvent(
    event: string,
    match: (m: DapMessage) => boolean = () => true,
    from = 0,
    waitMs = WAIT_MS,
  ): Promise<DapMessage> {
    const deadline = Date.now() + waitMs;
    while (true) {
      const found = this.events.slice(from).find((m) => m.event === event && match(m));
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) {
        const seen = this.events.map((e) => `${e.event} ${JSON.stringify(e.body ?? {})}`);
        throw new Error(
          `${this.closed ? "closed" : "timed out"} waiting for event ${event}; saw:\n` +
            seen.join("\n"),
        );
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 500));
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Output events' text so far, joined. */
  output(): string {
    return this.events.filter((e) => e.event === "output").map((e) => String(e.body?.output))
      .join("");
  }

  /** Wait until the output holds `pattern`. */
  async waitOutput(pattern: RegExp, waitMs = WAIT_MS): Promise<RegExpMatchArray> {
    await this.waitEvent("output", () => pattern.test(this.output()), 0, waitMs);
    return this.output().match(pattern)!;
  }

  /** initialize → attach → (initialized) → configurationDone. */
  async attach(args: Record<string, unknown> = {}, clientID = "vscode"): Promise<void> {
    await this.ok("initialize", { clientID, clientName: "Test Editor", adapterID: "dbgremote" });
    await this.ok("attach", args);
    await this.waitEvent("initialized");
    await this.ok("configurationDone");
  }

  close(): void {
    this.#socket.end();
  }

  async [Symbol.asyncDispose]() {
    this.#socket.destroy();
    await Promise.race([this.gone, new Promise((r) => setTimeout(r, 2000))]);
  }
}
