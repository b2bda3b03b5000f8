/** Which nodes run where: selecting this machine's nodes, and the plan table. Pure. */
import { formatConnStr } from "../connstr.ts";
import { UsageError } from "../errors.ts";
import { didYouMean } from "../suggest.ts";
import type { Topology, TopologyNode } from "./types.ts";

/**
 * The nodes this process runs. With `node`, exactly that node. Otherwise the
 * nodes whose `host` is this machine's host name (case-insensitive); if none
 * has, the nodes without a `host` (a lab meant for one machine).
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
  const mine = topo.nodes.filter((n) => n.host?.toLowerCase() === host);
  if (mine.length) return mine;
  const anywhere = topo.nodes.filter((n) => n.host === undefined);
  if (anywhere.length) return anywhere;
  const hosts = [...new Set(topo.nodes.map((n) => n.host))].join(", ");
  throw new UsageError(
    `no node of ${topo.file} runs on this host (${options.hostname}); its hosts are: ${hosts}`,
    "run it on one of those hosts, or pick a node with --node NAME",
  );
}

/** A readable plan: for each host, the roles that start there. */
export function formatPlan(topo: Topology): string {
  const byHost = new Map<string, TopologyNode[]>();
  for (const n of topo.nodes) {
    const h = n.host ?? "(any host)";
    byHost.set(h, [...(byHost.get(h) ?? []), n]);
  }
  let out = `lab ${topo.lab.name} (${topo.file})\n`;
  for (const [host, nodes] of byHost) {
    out += `\n${host}\n`;
    for (const n of nodes) {
      if (n.role === "server") {
        const args = n.engine.args?.length ? ` ${n.engine.args.join(" ")}` : "";
        out += `  server ${n.name}: ${n.engine.kind} ${n.engine.program}${args}\n`;
        for (const e of n.listen) out += `    listen ${formatConnStr(e.spec)}\n`;
      } else {
        const via = n.connect.via ? ` (node ${n.connect.via})` : "";
        out += `  client ${n.name}${n.user ? ` as ${n.user}` : ""}: connect ${
          formatConnStr(n.connect.spec)
        }${via}\n`;
      }
    }
  }
  return out;
}
