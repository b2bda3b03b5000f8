/**
 * What `dbgremote ship` does, host by host, worked out before anything is
 * copied: where to log in, which files go there (the binary, the lab file, the
 * certificates its nodes name), which servers to start and which clients to
 * hand over to a person. Pure.
 */
import path from "node:path";
import { type ConnSpec, isTls, type TlsOptions } from "../connstr.ts";
import { UsageError } from "../errors.ts";
import { didYouMean } from "../suggest.ts";
import { hostKey } from "../topology/hosts.ts";
import type { Topology, TopologyNode } from "../topology/types.ts";

/** A file a node needs on its host, named in the lab relative to the lab file. */
export interface Asset {
  /** As the lab names it (relative), also its path under the remote directory. */
  name: string;
  /** Where it is here. */
  local: string;
  /** Which node needs it, and for what, e.g. "store's certfile". */
  why: string;
}

export interface HostPlan {
  host: string;
  /** ssh_user of its nodes (or of the lab); undefined: ssh's own default. */
  user?: string;
  /** The ssh destination: `user@host` or `host`. */
  destination: string;
  servers: TopologyNode[];
  clients: TopologyNode[];
  assets: Asset[];
  /** Variables the servers here take their passwords from (password_env). */
  secrets: string[];
  /** Absolute paths nodes here name: not copied, they must exist there already. */
  absolute: string[];
}

export interface ShipPlan {
  hosts: HostPlan[];
  /** Nodes left out because they name no host (they run wherever they are started). */
  anywhere: string[];
}

/**
 * A host ship may hand to ssh and scp: a host name (or ~/.ssh/config alias), an
 * IPv4 address, or an IPv6 address. A lab file is input, not code: a "host" with
 * spaces, quotes, `;`, `$` or a leading `-` would reach ssh's own parsing (and
 * any ProxyCommand's %h), so it is refused.
 */
const SHIP_HOST = /^(?:[A-Za-z0-9_][A-Za-z0-9_.-]*|[0-9A-Fa-f]*:[0-9A-Fa-f:.]*(?:%[\w.-]+)?)$/;

/** The certificate files a TLS endpoint (ssl, spipe, https) names. */
function specFiles(spec: ConnSpec): [string, string][] {
  if (!isTls(spec)) return [];
  const out: [string, string][] = [];
  for (const key of ["certfile", "keyfile", "cafile", "clientca"] as const) {
    const file = (spec as TlsOptions)[key];
    if (file) out.push([key, file]);
  }
  return out;
}

/** The files a node names: its endpoints' (or its connection's) certificates, its cafile. */
function nodeFiles(node: TopologyNode): [string, string][] {
  if (node.role === "server") return node.listen.flatMap((e) => specFiles(e.spec));
  const files = specFiles(node.connect.spec);
  if (node.cafile && !files.some(([, f]) => f === node.cafile)) files.push(["cafile", node.cafile]);
  return files;
}

function secretsOf(node: TopologyNode): string[] {
  if (node.role !== "server") return [];
  return node.listen.flatMap((e) => (e.spec.passwordEnv ? [e.spec.passwordEnv] : []));
}

/**
 * Plan the shipment of `topo` (read from `labFile`). `only` restricts it to
 * some nodes (`--node`); unknown names are a UsageError with a did-you-mean.
 */
export function planShipment(topo: Topology, labFile: string, only: string[] = []): ShipPlan {
  for (const name of only) {
    if (!topo.nodes.some((n) => n.name === name)) {
      const guess = didYouMean(name, topo.nodes.map((n) => n.name));
      throw new UsageError(
        `${topo.file} has no node \`${name}\``,
        guess ? `did you mean \`${guess}\`?` : `nodes: ${topo.nodes.map((n) => n.name).join(", ")}`,
      );
    }
  }
  const chosen = only.length ? topo.nodes.filter((n) => only.includes(n.name)) : topo.nodes;
  const labDir = path.dirname(labFile);
  const hosts = new Map<string, HostPlan>();
  const anywhere: string[] = [];
  for (const node of chosen) {
    if (hostKey(node.host) === "") {
      anywhere.push(node.name);
      continue;
    }
    const key = hostKey(node.host);
    if (!SHIP_HOST.test(node.host!)) {
      throw new UsageError(
        `node ${node.name}'s host ${
          JSON.stringify(node.host)
        } is not a host name ship can log in to`,
        "a host is a name (letters, digits, '-', '_', '.'), an IPv4 or an IPv6 address",
      );
    }
    const user = node.sshUser ?? topo.lab.sshUser;
    const destination = user ? `${user}@${node.host}` : node.host!;
    let plan = hosts.get(key);
    if (!plan) {
      plan = {
        host: node.host!,
        user,
        destination,
        servers: [],
        clients: [],
        assets: [],
        secrets: [],
        absolute: [],
      };
      hosts.set(key, plan);
    } else if (plan.user !== user) {
      throw new UsageError(
        `nodes on ${node.host} log in differently: as ${plan.user ?? "ssh's default user"} ` +
          `and as ${user ?? "ssh's default user"}`,
        "give them the same ssh_user (or set it once in [lab])",
      );
    }
    (node.role === "server" ? plan.servers : plan.clients).push(node);
    for (const [key, file] of nodeFiles(node)) {
      if (path.isAbsolute(file)) {
        if (!plan.absolute.includes(file)) plan.absolute.push(file);
        continue;
      }
      const name = path.normalize(file);
      if (name === ".." || name.startsWith("../")) {
        throw new UsageError(
          `${node.name}'s ${key} "${file}" is outside the lab's directory`,
          "keep a lab's certificates beside its file (or below it), or name them by absolute path",
        );
      }
      if (!plan.assets.some((a) => a.name === name)) {
        plan.assets.push({ name, local: path.join(labDir, name), why: `${node.name}'s ${key}` });
      }
    }
    for (const s of secretsOf(node)) if (!plan.secrets.includes(s)) plan.secrets.push(s);
  }
  return { hosts: [...hosts.values()], anywhere };
}
