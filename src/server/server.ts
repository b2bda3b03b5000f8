/**
 * A running dbgremote server: one session (one engine) exposed on one or
 * more endpoints at once, over any mix of transports.
 */
import { type ConnSpec, formatConnStr } from "../connstr.ts";
import type { EngineFactory, EngineSpec } from "../engine/engine.ts";
import { servePeer } from "../session/peer.ts";
import { Session } from "../session/session.ts";
import type { Transports } from "../transport/transports.ts";
import type { Listener } from "../transport/transport.ts";
import type { VersionInfo } from "../version.ts";

export interface ServerConfig {
  name: string;
  host: string;
  engine: EngineSpec;
  makeEngine: EngineFactory;
  endpoints: ConnSpec[];
  transports: Transports;
  version: VersionInfo;
  pid: number;
  /** Lines for the server's log (stderr). */
  log: (line: string) => void;
  maxPending?: number;
  maxFrame?: number;
  helloTimeoutMs?: number;
  scrollbackEvents?: number;
}

export interface Endpoint {
  spec: ConnSpec;
  /** What a client passes to connect, e.g. "tcp:server=127.0.0.1,port=5005". */
  address: string;
  listener: Listener;
}

export interface RunningServer {
  readonly session: Session;
  readonly endpoints: Endpoint[];
  /** Resolves with the reason once the session has ended and every endpoint is closed. */
  readonly finished: Promise<string>;
  /** End the session for everyone and close every endpoint. */
  shutdown(reason: string): Promise<void>;
}

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  let resolveFinished!: (reason: string) => void;
  const finished = new Promise<string>((r) => (resolveFinished = r));
  const endpoints: Endpoint[] = [];
  const closeEndpoints = async () => {
    await Promise.all(endpoints.map((e) => e.listener.close()));
  };

  const session = new Session({
    name: config.name,
    host: config.host,
    makeEngine: (listener) => config.makeEngine(config.engine, listener),
    scrollbackEvents: config.scrollbackEvents,
    onEnd: (reason) => {
      config.log(`session ended: ${reason}`);
      void closeEndpoints().then(() => resolveFinished(reason));
    },
  });

  await session.engine.start();
  try {
    for (const spec of config.endpoints) {
      const listener = await config.transports[spec.transport].listen(
        spec,
        (channel) =>
          servePeer(session, channel, {
            version: config.version,
            maxPending: config.maxPending,
            maxFrame: config.maxFrame,
            helloTimeoutMs: config.helloTimeoutMs,
            log: config.log,
          }),
        { pid: config.pid },
      );
      endpoints.push({ spec, address: listener.address, listener });
    }
  } catch (err) {
    await closeEndpoints();
    await session.engine.stop();
    throw err;
  }

  return {
    session,
    endpoints,
    finished,
    async shutdown(reason) {
      await session.end(reason);
      await finished;
    },
  };
}

/** The lines a server prints when it is up: where clients can connect. */
export function describeEndpoints(server: RunningServer): string {
  return server.endpoints
    .map((e) => `  ${formatConnStr(e.spec).padEnd(32)} connect with: dbgremote client ${e.address}`)
    .join("\n");
}
