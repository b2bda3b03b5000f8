/**
 * A running dbgremote server: one session (one engine) exposed on one or
 * more endpoints at once, over any mix of transports.
 */
import { type ConnSpec, formatConnStr, isLoopback, parseConnStr } from "../connstr.ts";
import { DbgRemoteError } from "../errors.ts";
import { deriveKey, KDF_ITERATIONS, newSalt } from "../protocol/auth.ts";
import { AuthLimiter } from "../session/auth_limiter.ts";
import type { EndpointAuth } from "../session/peer.ts";
import { resolvePassword } from "../secrets.ts";
import type { EngineFactory, EngineSpec } from "../engine/engine.ts";
import { servePeer } from "../session/peer.ts";
import type { EndpointInfo, SessionControls } from "../session/controls.ts";
import { Session } from "../session/session.ts";
import type { Transports } from "../transport/transports.ts";
import type { Channel, Listener } from "../transport/transport.ts";
import { dialOut } from "./reverse.ts";
import { announceServer } from "./announce.ts";
import type { VersionInfo } from "../version.ts";

/** Longest wait at the end for peers to take what is queued for them (one that never reads). */
const END_FLUSH_MS = 5_000;

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
  /** How long a peer over maxPending must take nothing to be dropped (see session/backlog.ts). */
  stallMs?: number;
  maxFrame?: number;
  helloTimeoutMs?: number;
  scrollbackEvents?: number;
  /** Answer `dbgremote search` and announce the server on multicast DNS (default: off). */
  discover?: boolean;
  /** Record the session to this file from the start (`--log FILE`, a lab's `log`). */
  record?: string;
}

export interface Endpoint {
  /** Stable for the server's lifetime, from 0, never reused (as `.servers` shows it). */
  id: number;
  spec: ConnSpec;
  /** What a client passes to connect, e.g. "tcp:server=127.0.0.1,port=5005". */
  address: string;
  /**
   * The connection string to give `dbgremote client` to come in here: the address plus how to
   * give the password (password_env=NAME, or password=* for an inline one: never its value) and,
   * for TLS, the certificate to trust.
   */
  client: string;
  listener: Listener;
  /** "closed": `.endsrv` stopped it accepting; its clients stayed. */
  state: "accepting" | "closed";
  closedBy?: string;
}

export interface RunningServer {
  readonly session: Session;
  /** Every endpoint, in id order, including those opened live (`.server`) and closed (`.endsrv`). */
  readonly endpoints: Endpoint[];
  /** What `.servers`, `.server` and `.endsrv` do, for callers other than the session. */
  readonly controls: SessionControls;
  /** Resolves with the reason once the session has ended and every endpoint is closed. */
  readonly finished: Promise<string>;
  /** End the session for everyone and close every endpoint. */
  shutdown(reason: string): Promise<void>;
  /** Tell searchers what changed (call after adding or closing an endpoint); a no-op without discovery. */
  readonly announce: { update(): void };
}

/** The environment variables endpoints take their passwords from (`password_env`). */
export function secretNames(specs: ConnSpec[]): string[] {
  return [...new Set(specs.flatMap((s) => (s.passwordEnv === undefined ? [] : [s.passwordEnv])))];
}

/**
 * `env` without the secrets: what the debugger, the program and anything else the server
 * starts get. Those read /proc/PID/environ as easily as anyone who can see the process.
 */
export function withoutSecrets(
  env: Record<string, string | undefined>,
  names: Iterable<string>,
): Record<string, string | undefined> {
  const out = { ...env };
  for (const name of names) delete out[name];
  return out;
}

/** The connection string a client uses for an endpoint listening at `address`; secrets masked. */
export function clientAddress(spec: ConnSpec, address: string): string {
  let secret = spec.passwordEnv
    ? `,password_env=${spec.passwordEnv}`
    : spec.password !== undefined
    ? ",password=*"
    : "";
  // A lab's self-signed certificate is its own CA: clients trust it with cafile=.
  if (
    (spec.transport === "ssl" || spec.transport === "spipe" || spec.transport === "https") &&
    spec.certfile
  ) {
    secret = `,cafile=${spec.certfile}${secret}`;
  }
  return spec.transport === "com"
    ? `com:port=DEVICE-AT-THE-OTHER-END,baud=${spec.baud}${secret}`
    : `${address}${secret}`;
}

/**
 * What the session shows of an endpoint. Participants may be anywhere: an endpoint that listens
 * on every interface is shown with the server's host name, not the loopback address the
 * startup banner gives for this machine.
 */
export function endpointInfo(e: Endpoint, host: string): EndpointInfo {
  const s = e.spec;
  const everywhere = (s.transport === "tcp" || s.transport === "ssl" || s.transport === "http" ||
    s.transport === "https") &&
    !("clicon" in s && s.clicon !== undefined) &&
    (s.server === undefined || s.server === "0.0.0.0" || s.server === "::");
  const info: EndpointInfo = {
    id: e.id,
    spec: formatConnStr(e.spec),
    address: everywhere ? e.client.replace(/server=[^,]*/, `server=${host}`) : e.client,
    state: e.state,
    observe: e.spec.observe === true,
  };
  if (e.closedBy !== undefined) info.closedBy = e.closedBy;
  return info;
}

/**
 * Secure by default: a plain tcp endpoint that anyone on the network could
 * reach must have a password, unless the user says `insecure`.
 */
export function checkEndpointSecurity(spec: ConnSpec, hasPassword: boolean): void {
  if (
    spec.transport !== "tcp" && spec.transport !== "ssl" && spec.transport !== "http" &&
    spec.transport !== "https"
  ) return;
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
  const limiter = new AuthLimiter();
  /** Passwords and security: an endpoint not fit to open throws before anything opens. */
  const authFor = (spec: ConnSpec): EndpointAuth | undefined => {
    const password = resolvePassword(spec, config.env);
    checkEndpointSecurity(spec, password !== undefined);
    if (spec.transport === "http" && !isLoopback(spec.server)) {
      config.log(
        `${formatConnStr(spec)}: the session and the browser's login cookie cross the network ` +
          "unencrypted (the password itself never does); use https: beyond a trusted network",
      );
    }
    if (password === undefined) return undefined;
    const salt = newSalt();
    return {
      key: deriveKey(password, salt, KDF_ITERATIONS),
      salt,
      iterations: KDF_ITERATIONS,
      limiter,
      failureDelayMs: config.authFailureDelayMs,
    };
  };
  // The secrets are read (above); from here on, whatever the server starts goes without them.
  const auths = config.endpoints.map(authFor);
  const secrets = new Set(secretNames(config.endpoints));
  const engineSpec = {
    ...config.engine,
    env: withoutSecrets(config.engine.env ?? config.env, secrets),
  };
  let resolveFinished!: (reason: string) => void;
  const finished = new Promise<string>((r) => (resolveFinished = r));
  const endpoints: Endpoint[] = [];
  let nextId = 0;
  let announcer: { update(): void; close(): Promise<void> } | undefined;
  /** Peers still connected: at the end, what is queued for them leaves before the server goes. */
  const connected = new Set<Promise<void>>();
  const peersGone = async () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(connected),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, END_FLUSH_MS))),
    ]);
    clearTimeout(timer);
  };
  const closeEndpoints = async () => {
    await announcer?.close(); // goodbye first: searchers drop the server before its doors shut
    const open = endpoints.filter((e) => e.state === "accepting");
    for (const e of open) e.state = "closed";
    await Promise.all(open.map((e) => e.listener.close()));
  };

  /**
   * Open one endpoint. Opens run one at a time (a client may give `.server` while the server
   * still opens its others); an id is used up only by an endpoint that opened.
   */
  let opening: Promise<unknown> = Promise.resolve();
  const listen = (spec: ConnSpec, auth: EndpointAuth | undefined): Promise<Endpoint> => {
    const opened = opening.then(() => listenNow(spec, auth));
    opening = opened.catch(() => {});
    return opened;
  };
  const listenNow = async (spec: ConnSpec, auth: EndpointAuth | undefined): Promise<Endpoint> => {
    const id = nextId;
    const serve = (channel: Channel) => {
      const gone = servePeer(session, channel, {
        version: config.version,
        maxPending: config.maxPending,
        stallMs: config.stallMs,
        maxFrame: config.maxFrame,
        helloTimeoutMs: config.helloTimeoutMs,
        log: config.log,
        auth,
        observe: spec.observe === true,
        endpoint: id,
      });
      connected.add(gone);
      void gone.then(() => connected.delete(gone));
    };
    const listener = spec.transport === "tcp" && spec.clicon !== undefined
      ? dialOut(config.transports.tcp, spec, serve, {
        log: config.log,
        retryMs: config.reverseRetryMs,
      })
      : await config.transports[spec.transport].listen(spec, serve, {
        pid: config.pid,
        tid: config.tid,
        log: config.log,
        version: config.version,
      });
    nextId++;
    const endpoint: Endpoint = {
      id,
      spec,
      address: listener.address,
      client: clientAddress(spec, listener.address),
      listener,
      state: "accepting",
    };
    endpoints.push(endpoint);
    return endpoint;
  };

  const controls: SessionControls = {
    servers: () => endpoints.map((e) => endpointInfo(e, config.host)),
    async open(text, by) {
      // The same checks as at startup; any failure leaves everything as it was.
      const spec = parseConnStr(text, "listen");
      const endpoint = await listen(spec, authFor(spec));
      // The debugger started before this secret was one: keep it from the programs it starts.
      const fresh = secretNames([spec]).filter((name) => !secrets.has(name));
      if (fresh.length) {
        fresh.forEach((name) => secrets.add(name));
        void session.engine.unsetEnv(fresh);
      }
      if (session.ended) {
        endpoint.state = "closed";
        await endpoint.listener.close();
        throw new DbgRemoteError("E_SESSION_ENDED", "the session ended while the endpoint opened");
      }
      config.log(
        `endpoint ${endpoint.id} opened by ${by}: ${formatConnStr(spec)} (${endpoint.client})`,
      );
      announcer?.update();
      return endpointInfo(endpoint, config.host);
    },
    async close(id, by) {
      const endpoint = endpoints.find((e) => e.id === id);
      if (!endpoint || endpoint.state !== "accepting") {
        const open = endpoints.filter((e) => e.state === "accepting").map((e) => e.id);
        throw new DbgRemoteError(
          "E_USAGE",
          endpoint ? `endpoint ${id} is already closed` : `there is no endpoint ${id}`,
          { hint: open.length ? `endpoints accepting now: ${open.join(", ")}` : undefined },
        );
      }
      endpoint.state = "closed";
      endpoint.closedBy = by;
      await endpoint.listener.close();
      config.log(`endpoint ${id} closed by ${by}: ${formatConnStr(endpoint.spec)}`);
      announcer?.update();
      return endpointInfo(endpoint, config.host);
    },
  };

  const session = new Session({
    name: config.name,
    host: config.host,
    makeEngine: (listener) => config.makeEngine(engineSpec, listener),
    scrollbackEvents: config.scrollbackEvents,
    controls,
    record: { pid: config.pid },
    onEnd: (reason) => {
      config.log(`session ended: ${reason}`);
      void closeEndpoints().then(peersGone).then(() => resolveFinished(reason));
    },
  });

  // Before the engine starts, so the record holds the whole session; a file that cannot be
  // written stops the start, before anything listens.
  if (config.record !== undefined) {
    const file = session.openRecord(config.record, "the server (--log)");
    config.log(`recording the session to ${file}`);
  }
  await session.engine.start();
  try {
    for (const [i, spec] of config.endpoints.entries()) await listen(spec, auths[i]);
  } catch (err) {
    await closeEndpoints();
    await session.engine.stop();
    throw err;
  }

  if (config.discover) {
    const accepting = () => endpoints.filter((e) => e.state === "accepting");
    const a = await announceServer({ ...config, session, endpoints: accepting }, config.log);
    if (session.ended) await a.close();
    else announcer = a;
  }

  return {
    session,
    endpoints,
    controls,
    finished,
    announce: { update: () => announcer?.update() },
    async shutdown(reason) {
      await session.end(reason);
      await finished;
    },
  };
}
