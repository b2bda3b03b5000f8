/**
 * A running dbgremote server: one session (one engine) exposed on one or
 * more endpoints at once, over any mix of transports.
 */
import { type ConnSpec, formatConnStr, isLoopback } from "../connstr.ts";
import { DbgRemoteError } from "../errors.ts";
import { deriveKey, KDF_ITERATIONS, newSalt } from "../protocol/auth.ts";
import { AuthLimiter } from "../session/auth_limiter.ts";
import type { EndpointAuth } from "../session/peer.ts";
import { resolvePassword } from "../secrets.ts";
import type { EngineFactory, EngineSpec } from "../engine/engine.ts";
import { servePeer } from "../session/peer.ts";
import { Session } from "../session/session.ts";
import type { Transports } from "../transport/transports.ts";
import type { Channel, Listener } from "../transport/transport.ts";
import { dialOut } from "./reverse.ts";
import { announceServer } from "./announce.ts";
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
  /** The server's thread id, for `%x` in pipe names. */
  tid: number;
  /** Wait between reverse-connection (clicon) attempts. */
  reverseRetryMs?: number;
  /** The environment, for password_env. */
  env: Record<string, string | undefined>;
  /** Wait before answering a wrong password (default 1 s). */
  authFailureDelayMs?: number;
  /** Lines for the server's log (stderr). */
  log: (line: string) => void;
  maxPending?: number;
  maxFrame?: number;
  helloTimeoutMs?: number;
  scrollbackEvents?: number;
  /** Answer `dbgremote search` and announce the server on multicast DNS (default: off). */
  discover?: boolean;
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
  /** Tell searchers what changed (call after adding or closing an endpoint); a no-op without discovery. */
  readonly announce: { update(): void };
}

/**
 * Secure by default: a plain tcp endpoint that anyone on the network could
 * reach must have a password, unless the user says `insecure`.
 */
export function checkEndpointSecurity(spec: ConnSpec, hasPassword: boolean): void {
  if (spec.transport !== "tcp" && spec.transport !== "ssl") return;
  if (hasPassword || spec.insecure) return;
  if (spec.transport === "tcp" && spec.clicon !== undefined) {
    if (isLoopback(spec.clicon)) return;
    throw new DbgRemoteError(
      "E_INSECURE",
      `${
        formatConnStr(spec)
      } would hand control of the debugger to whoever answers at ${spec.clicon}: it has no password`,
      {
        hint:
          "add password_env=VAR (the client gives the same), or add `insecure` to accept the risk",
      },
    );
  }
  if (isLoopback(spec.server)) return;
  if (spec.transport === "ssl" && spec.clientca) return; // only certificate holders get in
  const where = spec.server ?? "every interface";
  throw new DbgRemoteError(
    "E_INSECURE",
    `${
      formatConnStr(spec)
    } would let anyone who reaches ${where} control the debugger: it has no password`,
    {
      hint: "add password_env=VAR (the variable holds the password), or listen on loopback only " +
        "(server=127.0.0.1), or add `insecure` to accept the risk" +
        (spec.transport === "ssl" ? ", or require client certificates with clientca=FILE" : ""),
    },
  );
}

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  // Passwords and security first: nothing starts if an endpoint is not fit to open.
  const limiter = new AuthLimiter();
  const auths = config.endpoints.map((spec): EndpointAuth | undefined => {
    const password = resolvePassword(spec, config.env);
    checkEndpointSecurity(spec, password !== undefined);
    if (password === undefined) return undefined;
    const salt = newSalt();
    return {
      key: deriveKey(password, salt, KDF_ITERATIONS),
      salt,
      iterations: KDF_ITERATIONS,
      limiter,
      failureDelayMs: config.authFailureDelayMs,
    };
  });
  let resolveFinished!: (reason: string) => void;
  const finished = new Promise<string>((r) => (resolveFinished = r));
  const endpoints: Endpoint[] = [];
  let announcer: { update(): void; close(): Promise<void> } | undefined;
  const closeEndpoints = async () => {
    await announcer?.close(); // goodbye first: searchers drop the server before its doors shut
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
    for (const [i, spec] of config.endpoints.entries()) {
      const serve = (channel: Channel) =>
        servePeer(session, channel, {
          version: config.version,
          maxPending: config.maxPending,
          maxFrame: config.maxFrame,
          helloTimeoutMs: config.helloTimeoutMs,
          log: config.log,
          auth: auths[i],
        });
      const listener = spec.transport === "tcp" && spec.clicon !== undefined
        ? dialOut(config.transports.tcp, spec, serve, {
          log: config.log,
          retryMs: config.reverseRetryMs,
        })
        : await config.transports[spec.transport].listen(spec, serve, {
          pid: config.pid,
          tid: config.tid,
          log: config.log,
        });
      endpoints.push({ spec, address: listener.address, listener });
    }
  } catch (err) {
    await closeEndpoints();
    await session.engine.stop();
    throw err;
  }

  if (config.discover) {
    const a = await announceServer({ ...config, session, endpoints: () => endpoints }, config.log);
    if (session.ended) await a.close();
    else announcer = a;
  }

  return {
    session,
    endpoints,
    finished,
    announce: { update: () => announcer?.update() },
    async shutdown(reason) {
      await session.end(reason);
      await finished;
    },
  };
}
