/** Which nodes run where: selecting this machine's nodes, and the plan table. Pure. */
import { type ConnSpec, formatConnStr } from "../connstr.ts";
import { UsageError } from "../errors.ts";
import { didYouMean } from "../suggest.ts";
import { hostKey } from "./hosts.ts";
import type { ServerNode, Topology, TopologyNode } from "./types.ts";

/**
 * The endpoint a client joins through when `run` starts its server in the same process: a
 * pipe if the server has one; an observer through an `observe` endpoint, an operator through
 * another. `run` and `plan` both ask this, so the plan shows what `run` does.
 */
export function sameProcessEndpoint<T extends { spec: ConnSpec }>(
  endpoints: T[],
  observer: boolean,
): T | undefined {
  const fit = endpoints.filter((e) => (e.spec.observe === true) === observer);
  return fit.find((e) => e.spec.transport === "npipe") ?? fit[0];
}

/**
 * The nodes this process runs. The rule, in order:
 *
 * 1. `node` given (`--node NAME`): exactly that node, wherever it says it runs;
 *    an unknown name is a UsageError with a did-you-mean.
 * 2. Otherwise the nodes whose `host` equals this machine's host name,
 *    case-insensitively.
 * 3. If none does: the nodes with no `host` (or `host = "localhost"`): they run on
 *    any machine, so a one-machine lab like topologies/local.toml runs anywhere, while
 *    in a multi-host lab a named host's nodes never also start the "anywhere" ones.
 * 4. Nothing matches: a UsageError listing the lab's hosts.
 */
export function selectNodes(
  topo: Topology,
  options: { node?: string; hostname: string },
): TopologyNode[] {
  if (options.node !== undefined) {
    const found = topo.nodes.find((n) => n.name === options.node);
    if (!found) {
      const guess = didYouMean(options.node, topo.nodes.map((n) => n.name));
      throw new UsageError(
        `${topo.file} has no node \`${options.node}\``,
        guess ? `did you mean \`${guess}\`?` : `nodes: ${topo.nodes.map((n) => n.name).join(", ")}`,
      );
    }
    return [found];
  }
  const host = options.hostname.toLowerCase();
  const mine = topo.nodes.filter((n) => n.host !== undefined && n.host.toLowerCase() === host);
  if (mine.length) return mine;
  const anywhere = topo.nodes.filter((n) => hostKey(n.host) === "");
  if (anywhere.length) return anywhere;
  throw new UsageError(
    `no node of ${topo.file} runs on this host (${options.hostname}); its hosts are: ${
      hostsOf(topo).join(", ")
    }`,
    "run it on one of those hosts, or pick a node with --node NAME",
  );
}

/** The lab's host names, each once (first spelling), in file order. */
function hostsOf(topo: Topology): string[] {
  const seen = new Map<string, string>();
  for (const n of topo.nodes) {
    if (n.host !== undefined && !seen.has(n.host.toLowerCase())) {
      seen.set(n.host.toLowerCase(), n.host);
    }
  }
  return [...seen.values()];
}

/**
 * A readable plan: for each host (grouped case-insensitively, in file order),
 * the roles that start there: servers with their engine and endpoints, clients
 * with where they connect (and through which node).
 */
export function formatPlan(topo: Topology): string {
  const byHost = new Map<string, { label: string; nodes: TopologyNode[] }>();
  for (const n of topo.nodes) {
    const key = hostKey(n.host);
    const group = byHost.get(key) ?? { label: key === "" ? "(any host)" : n.host!, nodes: [] };
    group.nodes.push(n);
    byHost.set(key, group);
  }
  let out = `lab ${topo.lab.name} (${topo.file})\n`;
  for (const { label, nodes } of byHost.values()) {
    out += `\n${label}\n`;
    for (const n of nodes) {
      if (n.role === "server") {
        const args = n.engine.args?.length ? ` ${n.engine.args.join(" ")}` : "";
        const program = n.engine.program === "{sample}"
          ? "{sample} (the built-in demo program)"
          : n.engine.program;
        const noio = n.noio ? " (noio)" : "";
        out += `  server ${n.name}: ${n.engine.kind} ${program}${args}${noio}\n`;
        for (const e of n.listen) out += `    listen ${formatConnStr(e.spec)}\n`;
      } else {
        // A server on the same host starts in the same process (`run` without --node).
        const server = nodes.find((s): s is ServerNode =>
          s.role === "server" && s.name === n.connect.via
        );
        const local = server && sameProcessEndpoint(server.listen, n.observer);
        const via = n.connect.via ? ` (node ${n.connect.via})` : "";
        const user = n.user ? ` as ${n.user}` : "";
        const observer = n.observer ? " (observer)" : "";
        const again = n.reconnect ? " (reconnects)" : "";
        out += `  client ${n.name}${user}${observer}: connect ${
          formatConnStr((local ?? n.connect).spec)
        }${via}${again}\n`;
      }
    }
  }
  return out;
}
