/** `check`, `plan` and `run`: the topology subcommands. */
import fs from "node:fs";
import { type ConnSpec, formatConnStr, parseConnStr } from "../connstr.ts";
import type { RunningServer } from "../server/server.ts";
import { secretNames } from "../secrets.ts";
import { DbgRemoteError, TopologyError, UsageError } from "../errors.ts";
import { findKind } from "../engine/kinds.ts";
import { parseTopology } from "../topology/parse.ts";
import { hostKey } from "../topology/hosts.ts";
import { formatPlan, sameProcessEndpoint, selectNodes } from "../topology/plan.ts";
import type { ClientNode, ServerNode, Topology } from "../topology/types.ts";
import localLab from "../../topologies/local.toml" with { type: "text" };
import { type CliContext, EXIT } from "./context.ts";
import { parseCommandArgs } from "./args.ts";

/** The embedded default lab's file name, as shown in messages. */
export const EMBEDDED_LAB = "<built-in>/topologies/local.toml";

export function readLab(file: string | undefined): Topology {
  if (file === undefined) return parseTopology(localLab, EMBEDDED_LAB);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new DbgRemoteError("E_TOPOLOGY", `cannot read ${file}: ${(err as Error).message}`, {
      hint: "check the path; `dbgremote run` without a file starts the built-in demo lab",
    });
  }
  return parseTopology(text, file);
}

function oneFile(positionals: string[], command: string, optional = false): string | undefined {
  if (positionals.length > 1) {
    throw new UsageError(`${command} takes one lab file, got ${positionals.length}`);
  }
  if (!optional && positionals.length === 0) {
    throw new UsageError(
      `${command} needs a lab file`,
      `for example: dbgremote ${command} lab.toml`,
    );
  }
  return positionals[0];
}

export function checkCommand(ctx: CliContext, argv: string[]): number {
  const { positionals } = parseCommandArgs("check", argv, {});
  const file = oneFile(positionals, "check")!;
  try {
    const topo = readLab(file);
    const servers = topo.nodes.filter((n) => n.role === "server").length;
    ctx.platform.stdout(
      `${file}: ok: lab "${topo.lab.name}", ${servers} server(s), ${
        topo.nodes.length - servers
      } client(s)\n`,
    );
    // Which debugger each server's machine needs: the lab is checked here, not there.
    const kinds = new Set(topo.nodes.flatMap((n) => n.role === "server" ? [n.engine.kind] : []));
    for (const kind of kinds) {
      const k = findKind(kind);
      if (k) {
        ctx.platform.stdout(`  ${kind} servers need ${k.needs} (Debian/Ubuntu: ${k.install})\n`);
      }
    }
    return EXIT.ok;
  } catch (err) {
    if (err instanceof TopologyError) {
      ctx.platform.stderr(err.message + "\n");
      ctx.platform.stderr(`${err.problems.length} problem(s) in ${file}\n`);
      return EXIT.usage;
    }
    throw err;
  }
}

export function planCommand(ctx: CliContext, argv: string[]): number {
  const { positionals } = parseCommandArgs("plan", argv, {});
  const topo = readLab(oneFile(positionals, "plan", true));
  ctx.platform.stdout(formatPlan(topo));
  return EXIT.ok;
}

/**
 * A client whose server runs in this same process connects to its actual endpoint, a pipe if
 * it has one; an observer through an `observe` endpoint, an operator through another.
 */
function localEndpoint(
  running: RunningServer[],
  via: string | undefined,
  observer: boolean,
): ConnSpec | undefined {
  const server = running.find((r) => r.session.name === via);
  if (!server) return undefined;
  const best = sameProcessEndpoint(server.endpoints, observer);
  if (!best) return undefined;
  const spec = parseConnStr(best.address, "connect");
  if (best.spec.password !== undefined) spec.password = best.spec.password;
  if (best.spec.passwordEnv !== undefined) spec.passwordEnv = best.spec.passwordEnv;
  return spec;
}

export async function runCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("run", argv, { node: { type: "string" } });
  const topo = readLab(oneFile(positionals, "run", true));
  const nodes = selectNodes(topo, { node: values.node, hostname: ctx.platform.hostname });
  const servers = nodes.filter((n): n is ServerNode => n.role === "server");
  const clients = nodes.filter((n): n is ClientNode => n.role === "client");
  if (clients.length > 1) {
    throw new UsageError(
      `this host has ${clients.length} client nodes (${
        clients.map((c) => c.name).join(", ")
      }) and one terminal`,
      "pick one with --node NAME",
    );
  }
  // The terminal belongs to the client node when there is one; otherwise to the (single) server.
  const serverConsole = clients.length === 0 && servers.length === 1;
  // Starting nodes needs the server and client modules; check and plan do not load them.
  const { awaitServer, runClientRole, startServerRole } = await import("./roles.ts");
  const running: RunningServer[] = [];
  // Every password this process knows stays out of what its servers start.
  const secrets = secretNames([
    ...servers.flatMap((s) => s.listen.map((l) => l.spec)),
    ...clients.map((c) => c.connect.spec),
  ]);
  try {
    for (const s of servers) {
      running.push(
        await startServerRole(ctx, {
          name: s.name,
          engine: s.engine,
          endpoints: s.listen.map((l) => l.spec),
          noio: s.noio || !serverConsole,
          discover: s.discover,
          secrets,
          record: s.log,
          // The lab's name for this host is what reaches it from the lab's other machines.
          reachAs: hostKey(s.host) === "" ? undefined : s.host,
        }),
      );
    }
  } catch (err) {
    await Promise.all(running.map((r) => r.shutdown("the lab failed to start")));
    throw err;
  }
  if (clients.length === 1) {
    const c = clients[0];
    const local = localEndpoint(running, c.connect.via, c.observer);
    const spec = local ?? c.connect.spec;
    const via = c.connect.via ? `node ${c.connect.via} at ` : "";
    ctx.platform.stdout(`*** client ${c.name}: connecting to ${via}${formatConnStr(spec)}\n`);
    // A lab's hosts start in any order: a client waits for its server (not for one in this
    // same process, which is up already and ends with it).
    const code = await runClientRole(ctx, {
      spec,
      user: c.user,
      server: c.connect.via,
      node: c.name,
      waitMs: local ? undefined : Infinity,
      reconnect: !local && c.reconnect === true,
      observe: c.observer,
    });
    // Local servers started for this client end with it when it ends the session (q) or leaves.
    await Promise.all(running.map((r) => r.shutdown(`node ${c.name} finished`)));
    return code;
  }
  const codes = await Promise.all(
    running.map((r, i) => awaitServer(ctx, r, !serverConsole || servers[i].noio)),
  );
  return Math.max(EXIT.ok, ...codes);
}
