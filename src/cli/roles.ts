/**
 * Starting a node's role in this process: a server (engine + endpoints +
 * optionally the server's own console) or a console client. `server`,
 * `client` and `run` all go through here.
 */
import dns from "node:dns/promises";
import { type ConnSpec, formatConnStr, type TcpSpec } from "../connstr.ts";
import type { Channel, Listener } from "../transport/transport.ts";
import { type ClientConnection, openClient } from "../client/connection.ts";
import { goneWhy, reconnectedText, serverLabel, worthReconnecting } from "../client/reconnect.ts";
import { retryUntil } from "../client/retry.ts";
import { attachServerConsole, eventPrinter, runConsoleClient } from "../client/console.ts";
import { renderWelcome } from "../client/render.ts";
import type { EngineSpec } from "../engine/engine.ts";
import { DbgRemoteError, describeError, ProtocolError, UsageError } from "../errors.ts";
import { who } from "../platform.ts";
import { resolvePassword, secretNames, withoutSecrets } from "../secrets.ts";
import { tokenFor } from "../transport/loopback_token.ts";
import { pipeDirectory } from "../transport/npipe.ts";
import { editorHow, isDap } from "../dap/names.ts";
// The server's modules (session, discovery, the embedded sample) load when a server starts:
// a client or a lab check does not pay for them.
import type { RunningServer } from "../server/server.ts";
import { type CliContext, EXIT } from "./context.ts";

/** The program name that stands for the demo program shipped inside dbgremote. */
export const SAMPLE_PROGRAM = "{sample}";

export interface ServerRole {
  name: string;
  engine: EngineSpec;
  endpoints: ConnSpec[];
  /** No server console: the server's terminal does not take part. */
  noio: boolean;
  /** Answer `dbgremote search` (default true; DBGREMOTE_DISCOVERY=off turns it off everywhere). */
  discover?: boolean;
  /** More password variables to keep from what the server starts (a lab's other nodes here). */
  secrets?: string[];
  /** Record the session to this file (`--log FILE`, a lab server's `log`). */
  record?: string;
  /**
   * The name other machines reach this one by, for "from other machines" addresses: a lab
   * node's `host` as written (what `ship` and the lab's clients use); default: the host name,
   * which may not resolve elsewhere.
   */
  reachAs?: string;
}

async function resolveEngine(
  ctx: CliContext,
  spec: EngineSpec,
  env: Record<string, string | undefined>,
): Promise<EngineSpec> {
  if (!(spec.kind in ctx.engines)) {
    throw new UsageError(
      `unknown engine "${spec.kind}"`,
      `engines in this build: ${Object.keys(ctx.engines).join(", ")}`,
    );
  }
  if (spec.program === SAMPLE_PROGRAM) {
    const { buildSample, writePythonSample } = await import("../engine/sample.ts");
    const program = spec.kind === "python"
      ? writePythonSample(ctx.sampleDir)
      : await buildSample(ctx.sampleDir, "cc", env);
    return { ...spec, program };
  }
  return spec;
}

/** Start a server; returns once it listens on every endpoint. */
export async function startServerRole(ctx: CliContext, role: ServerRole): Promise<RunningServer> {
  const p = ctx.platform;
  const [{ endpointInfo, startServer }, { discoveryScope }] = await Promise.all([
    import("../server/server.ts"),
    import("../server/announce.ts"),
  ]);
  // Nothing the server starts (the compiler, the debugger, the program) sees its secrets.
  const secrets = [...secretNames(role.endpoints), ...(role.secrets ?? [])];
  const env = withoutSecrets(p.env, secrets);
  const engine = await resolveEngine(ctx, role.engine, env);
  const discover = role.discover !== false &&
    !/^(off|0|no|false)$/i.test(p.env.DBGREMOTE_DISCOVERY ?? "");
  const server = await startServer({
    name: role.name,
    host: p.hostname,
    engine: { ...engine, env },
    makeEngine: ctx.engines[engine.kind],
    endpoints: role.endpoints,
    transports: ctx.transports,
    version: ctx.version,
    pid: p.pid,
    tid: p.tid,
    env: p.env,
    log: (line) => p.stderr(`[dbgremote ${role.name}] ${line}\n`),
    discover,
    record: role.record,
  });
  p.stdout(`*** server ${role.name}: ${server.session.engine.description}\n`);
  for (const e of server.endpoints) {
    const took = "portEnd" in e.spec && e.spec.portEnd !== undefined
      ? ` (took port ${/port=(\d+)/.exec(e.address)?.[1]})`
      : "";
    const watch = e.spec.observe ? " (everyone who joins here is an observer)" : "";
    const mine = e.access === "token" ? " (your user only: it takes a session token)" : "";
    // An endpoint on every interface is also reachable by this machine's name from elsewhere.
    const reach = role.reachAs ?? p.hostname;
    const remote = endpointInfo(e, reach).address;
    const urlHost = reach.includes(":") ? `[${reach}]` : reach; // an IPv6 address
    const elsewhere = remote === e.client
      ? ""
      : e.listener.url
      ? ` (from other machines: ${e.listener.url.replace(/\/\/[^/]+:/, `//${urlHost}:`)})`
      : ` (from other machines: dbgremote client ${remote})`;
    const how = e.listener.url
      ? `open ${e.listener.url} in a browser`
      : isDap(e.spec)
      ? editorHow(e.address)
      : `dbgremote client ${e.client}`;
    p.stdout(
      `*** listening on ${formatConnStr(e.spec)}${took}: ${how}${elsewhere}${watch}${mine}\n`,
    );
  }
  const scope = discover ? discoveryScope(server.endpoints, p.hostname) : undefined;
  if (scope) {
    const where = scope === "network" ? "on the network" : "on this machine only";
    p.stdout(`*** dbgremote search lists this server ${where} (--nodiscover: it won't)\n`);
  }
  if (!role.noio) {
    p.stdout("*** this terminal takes part: type debugger commands; q ends the session\n");
    attachServerConsole(server.session, p.terminal(`${role.name}> `), who(p, "dbgremote-server"));
  }
  return server;
}

/** Wait for a server to finish, shutting it down on SIGTERM/SIGHUP (and SIGINT when it has no console). */
export async function awaitServer(
  ctx: CliContext,
  server: RunningServer,
  noio: boolean,
): Promise<number> {
  const stopOn = (signal: "SIGINT" | "SIGTERM" | "SIGHUP") =>
    ctx.platform.onSignal(signal, () => void server.shutdown(`the server was stopped (${signal})`));
  const undo = [stopOn("SIGTERM"), stopOn("SIGHUP")];
  if (noio) undo.push(stopOn("SIGINT"));
  const reason = await server.finished;
  undo.forEach((u) => u());
  return /unexpectedly/.test(reason) ? EXIT.failure : EXIT.ok;
}

export interface ClientRole {
  spec: ConnSpec;
  user?: string;
  /** The server's node name, for messages ("server `target`"); default: what its welcome says. */
  server?: string;
  /**
   * When the server is not there (yet): undefined fails at once (ad hoc clients, so
   * scripts get errors); otherwise wait and retry, at most this many ms (Infinity: until Ctrl+C).
   */
  waitMs?: number;
  /** After the server goes away (not after q), wait for it to come back and rejoin. */
  reconnect?: boolean;
  /** The client's node name in a lab (for hints), when it runs one. */
  node?: string;
  /** Ask to join as an observer. */
  observe?: boolean;
}

/**
 * Reverse connection: wait on the port for the server to dial in (its endpoint
 * says clicon=THIS-HOST). With clicon= here too, only that server is accepted.
 */
async function waitForServer(
  ctx: CliContext,
  spec: TcpSpec,
  signal?: AbortSignal,
): Promise<Channel> {
  const expected = spec.clicon
    ? new Set((await dns.lookup(spec.clicon, { all: true })).map((a) => a.address))
    : undefined;
  return await new Promise<Channel>((resolve, reject) => {
    let listener: Listener | undefined;
    const accept = (channel: Channel) => {
      const from = /^tcp:\[?([^\]]+?)\]?:\d+$/.exec(channel.peer)?.[1] ?? "";
      if (expected && !expected.has(from.replace(/^::ffff:/, ""))) {
        ctx.platform.stderr(`*** refused a connection from ${from}: waiting for ${spec.clicon}\n`);
        channel.destroy();
        return;
      }
      void listener?.close();
      signal?.removeEventListener("abort", abort);
      resolve(channel);
    };
    const abort = () => {
      void listener?.close();
      reject(new DbgRemoteError("E_GAVE_UP", `gave up waiting for ${spec.clicon ?? "a server"}`));
    };
    signal?.addEventListener("abort", abort, { once: true });
    const at = { transport: "tcp" as const, port: spec.port, ipversion: spec.ipversion };
    ctx.transports.tcp.listen(at, accept, { pid: ctx.platform.pid }).then((l) => {
      listener = l;
      if (signal?.aborted) void l.close();
      ctx.platform.stdout(
        `*** waiting for ${spec.clicon ?? "a server"} to connect on tcp port ${spec.port} ` +
          `(its endpoint: tcp:clicon=${ctx.platform.hostname},port=${spec.port})\n`,
      );
    }, reject);
  });
}

/** Connect to a server and run the console until the user leaves or the session ends. */
export async function runClientRole(ctx: CliContext, role: ClientRole): Promise<number> {
  const p = ctx.platform;
  let term: { write(t: string): void } = { write: (t) => p.stdout(t) };
  const print = eventPrinter((t) => term.write(t));
  const reverse = role.spec.transport === "tcp" && role.spec.server === undefined;
  let name = role.server;
  let password: string | undefined;

  const connectOnce = async (signal?: AbortSignal) => {
    const channel = reverse
      ? await waitForServer(ctx, role.spec as TcpSpec, signal)
      : await ctx.transports[role.spec.transport].connect(role.spec, { timeoutMs: 10_000 });
    return await openClient(channel, {
      password,
      token: password === undefined ? tokenFor(role.spec, pipeDirectory(p.env)) : undefined,
      who: who(p, "dbgremote-console", role.user),
      version: ctx.version,
      onEvent: (e) => print(e),
      observe: role.observe,
    });
  };
  /** Connect, waiting for the server while it is not there when the role says so. */
  const connect = async (signal: AbortSignal, limitMs: number | undefined, again = false) => {
    if (limitMs === undefined || reverse) return await connectOnce(signal);
    return await retryUntil({
      attempt: () => connectOnce(),
      discard: (late) => late.destroy(),
      what: `${serverLabel(name)} at ${formatConnStr(role.spec)}`, // secrets masked
      say: (line) => term.write(`*** ${line}\n`),
      limitMs: Number.isFinite(limitMs) ? limitMs : undefined,
      signal,
      delayFirst: again,
    });
  };
  const failed = (err: unknown) => {
    p.stderr(describeError(err) + "\n");
    return err instanceof ProtocolError ? EXIT.refused : EXIT.failure;
  };

  let conn: ClientConnection;
  const gaveUp = new AbortController();
  // Ctrl+C while waiting gives up (the console takes Ctrl+C over once connected).
  const undoSigint = role.waitMs !== undefined
    ? p.onSignal("SIGINT", () => gaveUp.abort())
    : () => {};
  try {
    password = resolvePassword(role.spec, p.env);
    conn = await connect(gaveUp.signal, role.waitMs);
  } catch (err) {
    return failed(err);
  } finally {
    undoSigint();
  }
  name ??= conn.welcome.server.name;
  if (conn.welcome.warning) p.stderr(`warning: ${conn.welcome.warning}\n`);
  if (role.observe && conn.welcome.role !== "observer") {
    p.stderr(
      `warning: you asked to observe, but the server (protocol ${conn.welcome.protocol}) ` +
        "does not know observers: you joined as an operator\n",
    );
  }
  p.stdout(renderWelcome(conn.welcome));
  const terminal = p.terminal("dbg> ");
  term = terminal;
  let last = conn;
  let failure: unknown;
  const end = await runConsoleClient(conn, terminal, {
    next: async (ended, giveUp) => {
      const label = serverLabel(name);
      if (!role.reconnect || !worthReconnecting(ended)) {
        if (ended.kind === "lost") {
          terminal.write(`*** ${label} went away (${goneWhy(ended)})\n`);
          if (!role.reconnect) {
            terminal.write(
              `*** to wait for it to come back next time: ${
                role.node
                  ? `add reconnect = true to node \`${role.node}\` in the lab`
                  : "dbgremote client --reconnect"
              }\n`,
            );
          }
        }
        return undefined;
      }
      terminal.write(
        `*** ${label} went away (${goneWhy(ended)}); waiting for it to come back ` +
          "(Ctrl+C to give up)\n",
      );
      try {
        const next = await connect(giveUp, role.waitMs ?? Infinity, true);
        terminal.write(reconnectedText(label, last.welcome, next.welcome));
        if (next.welcome.warning) terminal.write(`*** warning: ${next.welcome.warning}\n`);
        terminal.write(renderWelcome(next.welcome));
        last = next;
        return next;
      } catch (err) {
        if (!giveUp.aborted) failure = err;
        return undefined;
      }
    },
  });
  if (failure !== undefined) return failed(failure);
  if (end === "gave-up") return EXIT.failure;
  // The debugger died: a runtime failure (exit 1), whoever else was told.
  if (end === "ended") {
    const ended = last.ending();
    if (ended.kind === "ended" && ended.cause === "engine") return EXIT.failure;
  }
  if (end === "lost") {
    const ended = last.ending();
    if ((ended.kind === "lost" || ended.kind === "dropped") && ended.error) {
      p.stderr(describeError(ended.error) + "\n");
    }
    return EXIT.failure;
  }
  return EXIT.ok;
}
