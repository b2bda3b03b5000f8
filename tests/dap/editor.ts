/** The editor's end of an in-memory channel to the DAP peer: send requests, read what comes back. */
import { createDapWireDecoder, encodeDapMessage } from "../../src/dap/wire.ts";
import type { MemoryChannel } from "../../src/transport/memory.ts";

export interface Msg {
  type: string;
  command?: string;
  event?: string;
  request_seq?: number;
  success?: boolean;
  message?: string;
  body?: Record<string, unknown>;
}

export function editorEnd(channel: MemoryChannel) {
  const got: Msg[] = [];
  let closed = false;
  let wake: (() => void) | undefined;
  const decoder = createDapWireDecoder(1 << 26);
  channel.start({
    data(chunk) {
      for (const i of decoder.push(chunk)) if (i.ok) got.push(i.message as unknown as Msg);
      wake?.();
    },
    close() {
      closed = true;
      wake?.();
    },
  });
  let seq = 0;
  const until = async (pred: () => boolean, what: string) => {
    const deadline = Date.now() + 5000;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out: ${what}; got ${JSON.stringify(got)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 100);
        wake = () => {
          clearTimeout(t);
          r();
        };
      });
    }
  };
  return {
    got,
    get closed() {
      return closed;
    },
    raw: (bytes: Uint8Array) => channel.write(bytes),
    async request(command: string, args?: Record<string, unknown>): Promise<Msg> {
      const s = ++seq;
      channel.write(encodeDapMessage({ seq: s, type: "request", command, arguments: args }));
      await until(() => got.some((m) => m.request_seq === s), `response to ${command}`);
      return got.find((m) => m.request_seq === s)!;
    },
    async event(name: string, pred: (m: Msg) => boolean = () => true): Promise<Msg> {
      await until(() => got.some((m) => m.event === name && pred(m)), `event ${name}`);
      return got.find((m) => m.event === name && pred(m))!;
    },
    until,
  };
}
