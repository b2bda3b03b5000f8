/**
 * A real server in this process (real tcp and pipe transports on loopback) around the fake
 * engine, in a private directory (pipes, loopback tokens) removed on dispose.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseConnStr } from "../../src/connstr.ts";
import { type RunningServer, startServer } from "../../src/server/server.ts";
import { createTransports, type Transports } from "../../src/transport/transports.ts";
import { CURRENT } from "../../src/version.ts";
import { createFakeEngine } from "../session/fake_engine.ts";

export interface FakeServer extends AsyncDisposable {
  server: RunningServer;
  /** The private directory: pipes and loopback tokens. */
  dir: string;
  transports: Transports;
  /** What the server logged. */
  logs: string[];
}

export interface FakeServerOptions {
  /** The server's environment (passwords named by `password_env`). */
  env?: Record<string, string>;
  /** Its process id (and thread id), as clients see it. */
  pid?: number;
  /** How long a wrong password waits for its answer. */
  authFailureDelayMs?: number;
  /** The caps on connections still in their handshake. */
  prelogin?: { perAddress: number; total: number };
}

/** Start a server named srv on lab1 listening on `endpoints`. */
export async function serveFake(
  endpoints: string[],
  options: FakeServerOptions = {},
): Promise<FakeServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-server-"));
  const transports = createTransports({ pipeDir: dir });
  const logs: string[] = [];
  const pid = options.pid ?? 4242;
  const server = await startServer({
    name: "srv",
    host: "lab1",
    engine: { kind: "fake" },
    makeEngine: (_spec, listener) => createFakeEngine(listener),
    endpoints: endpoints.map((e) => parseConnStr(e, "listen")),
    transports,
    version: CURRENT,
    pid,
    tid: pid,
    env: options.env ?? {},
    log: (line) => logs.push(line),
    authFailureDelayMs: options.authFailureDelayMs ?? 10,
    tokenDir: dir,
    ...(options.prelogin ? { prelogin: options.prelogin } : {}),
  });
  return {
    server,
    dir,
    transports,
    logs,
    async [Symbol.asyncDispose]() {
      if (!server.session.ended) await server.shutdown("test over");
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
