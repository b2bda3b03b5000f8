/**
 * A running dbgremote server: one session (one engine) exposed on one or
 * more endpoints at once, over any mix of transports. What an endpoint needs before it opens
 * (its password's key, a loopback token) is endpoint_access.ts.
 */
import { type ConnSpec, formatConnStr, isTls, parseConnStr } from "../connstr.ts";
import { type Access, listensEverywhere, reachOf } from "../endpoint_policy.ts";
import { pipeDirectory } from "../transport/npipe.ts";
import { DbgRemoteError } from "../errors.ts";
import { AuthLimiter, peerAddress } from "../session/auth_limiter.ts";
import { PreloginGate, type PreloginGateOptions } from "../session/prelogin_gate.ts";
import { createUidLookup } from "../transport/peer_uid.ts";
import { secretNames, withoutSecrets } from "../secrets.ts";
import type { EngineFactory, EngineSpec } from "../engine/engine.ts";
import { servePeer, turnAway } from "../session/peer.ts";
import type { EndpointInfo, SessionControls } from "../session/controls.ts";
import { Session } from "../session/session.ts";
import type { Transports } from "../transport/transports.ts";
import type { Channel, Listener } from "../transport/transport.ts";
import { dialOut } from "./reverse.ts";
import { announceServer } from "./announce.ts";
import { createEndpointAccess, type Prepared } from "./endpoint_access.ts";
import type { VersionInfo } from "../version.ts";
import { isDap, serveDapEndpoint } from "../dap/endpoint.ts";

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
  /** Where loopback endpoints' session tokens are kept (default: the private pipe directory). */
  tokenDir?: string;
  /** Caps on connections still in their handshake, per address and in all. */
  prelogin?: PreloginGateOptions;
  /** Record the session to this file from the start (`--log FILE`, a lab's `log`). */
  record?: string;
}

/**
 * Who a network peer is, for the password lockout and the handshake caps: its address, and on
 * loopback (shared by every local user) also its uid, so one local user can neither lock out
 * nor crowd out the others.
 */
export function identifyPeers(
  uidOf: (peer: string, serverPort?: number) => number | undefined = createUidLookup(),
): (peer: string, serverPort?: number) => string {
  return (peer, serverPort) => {
    const address = peerAddress(peer);
    const uid = uidOf(peer, serverPort);
    return uid === undefined ? address : `${address} (uid ${uid})`;
  };
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
  /** How peers get in (src/endpoint_policy.ts): "token" is a loopback endpoint private to this user. */
  access: Access;
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

/** The connection string a client uses for an endpoint listening at `address`; secrets masked. */
export function clientAddress(spec: ConnSpec, address: string): string {
  let secret = spec.passwordEnv
    ? `,password_env=${spec.passwordEnv}`
    : spec.password !== undefined
    ? ",password=*"
    : "";
  // A lab's self-signed certificate is its own CA: clients trust it with cafile=.
  if (isTls(spec) && spec.certfile) {
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
  const everywhere = listensEverywhere(s);
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

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const limiter = new AuthLimiter();
  const gate = new PreloginGate(config.prelogin);
  const peerIdentity = identifyPeers();
  const uidOf = createUidLookup();
  const tokenDir = config.tokenDir ?? pipeDirectory(config.env);
  const { prepare, keepToken } = createEndpointAccess({
    ...{ env: config.env, log: config.log, limiter, tokenDir },
    authFailureDelayMs: config.authFailureDelayMs,
  });
  const prepared = config.endpoints.map(prepare);
  // The secrets are read (above); from here on, whatever the server starts goes without them.
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
  const listen = (spec: ConnSpec, ready: Prepared): Promise<Endpoint> => {
    const opened = opening.then(() => listenNow(spec, ready));
    opening = opened.catch(() => {});
    return opened;
  };
  const listenNow = async (spec: ConnSpec, ready: Prepared): Promise<Endpoint> => {
    const id = nextId;
    /** The port this endpoint took: with the peer's, it names the peer's socket exactly. */
    // deno-lint-ignore prefer-const -- set once the listener is open; identify() reads it later
    let port: number | undefined;
    const identify = (peer: string) => peerIdentity(peer, port);
    const auth = ready.auth && { ...ready.auth, identify };
    // Strangers' connections are capped while in their handshake; a pipe's are its user's own.
    const gated = reachOf(spec) !== "user";
    const serve = (channel: Channel) => {
      // Who it is, asked once for the gate and the lockout: on loopback each answer reads the
      // kernel's socket table (O(all sockets)), and a full room's joins each paid three. Before
      // the listener says its port, the answer is less exact, so the lockout asks again later.
      const who = identify(channel.peer);
      const once = port === undefined ? identify : () => who;
      // By identity: on loopback one local user's strangers must not take another user's place.
      const settled = gated ? gate.enter(who) : () => {};
      if (!settled) {
        config.log(`turned away ${channel.peer}: too many connections still logging in`);
        turnAway(channel, {
          t: "error",
          code: "E_TOO_MANY_UNAUTHENTICATED",
          message: "too many connections are logging in at once",
          hint: "try again in a few seconds",
        });
        return;
      }
      if (isDap(spec)) {
        const editor = serveDapEndpoint(session, channel, {
          ...{ spec, access: ready.access, auth, endpoint: id, onSettled: settled },
          ...{ log: config.log, attachTimeoutMs: config.helloTimeoutMs },
          uidOf: (peer) => uidOf(peer, port),
        });
        connected.add(editor);
        void editor.then(() => connected.delete(editor));
        return;
      }
      const gone = servePeer(session, channel, {
        version: config.version,
        maxPending: config.maxPending,
        stallMs: config.stallMs,
        maxFrame: config.maxFrame,
        helloTimeoutMs: config.helloTimeoutMs,
        log: config.log,
        auth: auth && { ...auth, identify: once },
        observe: spec.observe === true,
        endpoint: id,
        onSettled: settled,
      });
      connected.add(gone);
      void gone.then(() => connected.delete(gone));
    };
    const opened = spec.transport === "tcp" && spec.clicon !== undefined
      ? dialOut(config.transports.tcp, spec, serve, {
        log: config.log,
        retryMs: config.reverseRetryMs,
      })
      : await config.transports[spec.transport].listen(spec, serve, {
        pid: config.pid,
        tid: config.tid,
        log: config.log,
        version: config.version,
        loginToken: ready.token,
      });
    port = (parseConnStr(opened.address) as { port?: number }).port;
    const listener = ready.token === undefined ? opened : keepToken(opened, ready.token);
    nextId++;
    const endpoint: Endpoint = {
      id,
      spec,
      address: listener.address,
      client: clientAddress(spec, listener.address),
      listener,
      access: ready.access,
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
      const endpoint = await listen(spec, prepare(spec));
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
      // The log is the server's own terminal: the one place a private endpoint's page URL (with
      // its token) may show; the session is told the address without it.
      const page = endpoint.listener.url ? `; open ${endpoint.listener.url}` : "";
      config.log(
        `endpoint ${endpoint.id} opened by ${by}: ${
          formatConnStr(spec)
        } (${endpoint.client})${page}`,
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
    for (const [i, spec] of config.endpoints.entries()) await listen(spec, prepared[i]);
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
