/** A CliContext with no terminal, no sockets and no gdb: captured output, the fake engine. */
import type { CliContext } from "../../src/cli/context.ts";
import type { Platform } from "../../src/platform.ts";
import type { Transport } from "../../src/transport/transport.ts";
import type { Transports } from "../../src/transport/transports.ts";
import { CURRENT } from "../../src/version.ts";
import { createFakeEngine } from "../session/fake_engine.ts";

export interface FakeCli {
  ctx: CliContext;
  out: () => string;
  err: () => string;
  /** Deliver a signal to the handlers the command registered. */
  signal(name: "SIGINT" | "SIGTERM" | "SIGHUP"): void;
  /** Resolves once stdout matches `pattern` (rejects after 5 s, showing the output). */
  stdoutMatches(pattern: RegExp): Promise<RegExpMatchArray>;
}

export function fakeCli(
  options: { env?: Record<string, string>; hostname?: string; transports?: Partial<Transports> } =
    {},
): FakeCli {
  let out = "";
  let err = "";
  let wake = () => {};
  const handlers = new Map<string, Set<() => void>>();
  const platform: Platform = {
    pid: 4242,
    tid: 4242,
    hostname: options.hostname ?? "testhost",
    user: "tester",
    env: options.env ?? {},
    runtime: "test",
    os: "linux-x64",
    stdout: (t) => {
      out += t;
      wake();
    },
    stderr: (t) => {
      err += t;
      wake();
    },
    terminal: () => {
      throw new Error("this test has no terminal");
    },
    onSignal(signal, handler) {
      const set = handlers.get(signal) ?? new Set();
      set.add(handler);
      handlers.set(signal, set);
      return () => void set.delete(handler);
    },
    stdinIsTty: false,
  };
  const ctx: CliContext = {
    platform,
    version: CURRENT,
    transports: (options.transports ?? {}) as Transports,
    engines: { gdb: (_spec, listener) => createFakeEngine(listener) },
    sampleDir: "/nonexistent",
  };
  return {
    ctx,
    out: () => out,
    err: () => err,
    signal: (name) => handlers.get(name)?.forEach((h) => h()),
    async stdoutMatches(pattern) {
      const deadline = Date.now() + 5000;
      while (true) {
        const m = out.match(pattern);
        if (m) return m;
        if (Date.now() > deadline) {
          throw new Error(`no ${pattern} in stdout:\n${out}\n--- stderr ---\n${err}`);
        }
        await new Promise<void>((r) => {
          const t = setTimeout(r, 100);
          wake = () => {
            clearTimeout(t);
            r();
          };
        });
      }
    },
  };
}

/** A tcp transport that listens nowhere: the address a real one gives for every interface. */
export const tcpNowhere: Transport = {
  name: "tcp",
  listen: (spec) =>
    Promise.resolve({
      address: `tcp:server=127.0.0.1,port=${"port" in spec ? spec.port : 0}`,
      close: () => Promise.resolve(),
    }),
  connect: () => Promise.reject(new Error("no connections in this test")),
};
