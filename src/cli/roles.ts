/**
 * Starting a node's role in this process: a server (engine + endpoints +
 * optionally the server's own console) or a console client. `server`,
 * `client` and `run` all go through here.
 */
import dns from "node:dns/promises";
import { type ConnSpec, formatConnStr, type TcpSpec } from "../connstr.ts";
import type { Channel, Listener } from "../transport/transport.ts";
import { openClient } from "../client/connection.ts";
import { attachServerConsole, eventPrinter, runConsoleClient } from "../client/console.ts";
import { renderWelcome } from "../client/render.ts";
import type { EngineSpec } from "../engine/engine.ts";
import { buildSample } from "../engine/sample.ts";
import { DbgRemoteError, describeError, ProtocolError, UsageError } from "../errors.ts";
import { who } from "../platform.ts";
import { resolvePassword } from "../secrets.ts";
import { type RunningServer, startServer } from "../server/server.ts";
import { discoveryScope } from "../server/announce.ts";
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
}

async function resolveEngine(ctx: CliContext, spec: EngineSpec): Promise<EngineSpec> {
  if (!(spec.kind in ctx.engines)) {
    throw new UsageError(
      `unknown engine "${spec.kind}"`,
      `engines in this build: ${Object.keys(ctx.engines).join(", ")}`,
    );
  }
  if (spec.program === SAMPLE_PROGRAM) {
    return { ...spec, program: await buildSample(ctx.sampleDir) };
  }
  return spec;
}

/** Start a server; returns once it listens on every endpoint. */
export async function startServerRole(ctx: CliContext, role: ServerRole): Promise<RunningServer> {
  const p = ctx.platform;
  const engine = await resolveEngine(ctx, role.engine);
  const discover = role.discover !== false &&
    !/^(off|0|no|false)$/i.test(p.env.DBGREMOTE_DISCOVERY ?? "");
  const server = await startServer({
    name: role.name,
    host: p.hostname,
    engine,
    makeEngine: ctx.engines[engine.kind],
    endpoints: role.endpoints,
    transports: ctx.transports,
    version: ctx.version,
    pid: p.pid,
    tid: p.tid,
    env: p.env,
    log: (line) => p.stderr(`[dbgremote ${role.name}] ${line}\n`),
    discover,
  });
  p.stdout(`*** server ${role.name}: ${server.session.engine.description}\n`);
  for (const e of server.endpoints) {
    const took = "portEnd" in e.spec && e.spec.portEnd !== undefined
      ? ` (took port ${/port=(\d+)/.exec(e.address)?.[1]})`
      : "";
    const watch = e.spec.observe ? " (everyone who joins here is an observer)" : "";
    const how = e.listener.url
      ? `open ${e.listener.url} in a browser`
      : `dbgremote client ${e.client}`;
    p.stdout(`*** listening on ${formatConnStr(e.spec)}${took}: ${how}${watch}\n`);
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
  /** Ask to join as an observer. */
  observe?: boolean;
}

/**
 * Reverse connection: wait on the port for the server to dial in (its endpoint
 * says clicon=THIS-HOST). With clicon= here too, only that server is accepted.
 */
async function waitForServer(ctx: CliContext, spec: TcpSpec): Promise<Channel> {
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
      resolve(channel);
    };
    const at = { transport: "tcp" as const, port: spec.port, ipversion: spec.ipversion };
    ctx.transports.tcp.listen(at, accept, { pid: ctx.platform.pid }).then((l) => {
      listener = l;
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
  let lost: DbgRemoteError | undefined;
  let conn;
  try {
    const password = resolvePassword(role.spec, p.env);
    const channel = role.spec.transport === "tcp" && role.spec.server === undefined
      ? await waitForServer(ctx, role.spec)
      : await ctx.transports[role.spec.transport].connect(role.spec, { timeoutMs: 10_000 });
    conn = await openClient(channel, {
      password,
      who: who(p, "dbgremote-console", role.user),
      version: ctx.version,
      onEvent: (e) => print(e),
      onClose: (err) => (lost = err),
      observe: role.observe,
    });
  } catch (err) {
    p.stderr(describeError(err) + "\n");
    return err instanceof ProtocolError ? EXIT.refused : EXIT.failure;
  }
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
  const end = await runConsoleClient(conn, terminal);
  if (end === "lost" && lost) {
    p.stderr(describeError(lost) + "\n");
    return EXIT.failure;
  }
  return EXIT.ok;
}
