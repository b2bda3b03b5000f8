/**
 * What the endpoints of a lab claim on their hosts (a tcp port or range, a pipe
 * name, a serial device), and the problem when two claim the same.
 */
import { type ConnSpec, parseConnStr } from "../connstr.ts";
import { hostKey } from "./hosts.ts";
import { isTable, type Problems, type Table } from "./problems.ts";

/** What an endpoint takes on its host: a tcp port (range), a pipe name, a serial device. */
interface Claim {
  kind: "tcp" | "pipe" | "serial";
  name: string;
  lo: number;
  hi: number;
  label: string;
  host: string;
  hostText: string;
  node: string;
  line: number;
}

function claimOf(
  spec: ConnSpec,
): Omit<Claim, "host" | "hostText" | "node" | "line"> | undefined {
  if (spec.transport === "com") {
    return { kind: "serial", name: spec.device, lo: 0, hi: 0, label: `serial port ${spec.device}` };
  }
  if (spec.transport === "npipe" || spec.transport === "spipe") {
    return { kind: "pipe", name: spec.pipe, lo: 0, hi: 0, label: `pipe "${spec.pipe}"` };
  }
  if (("clicon" in spec && spec.clicon !== undefined) || spec.port === undefined) return undefined;
  const hi = spec.portEnd ?? spec.port;
  return {
    kind: "tcp",
    name: "",
    lo: spec.port,
    hi,
    label: hi === spec.port ? `tcp port ${spec.port}` : `tcp ports ${spec.port}:${hi}`,
  };
}

/**
 * Two endpoints with the same address on one host (across nodes or within one).
 * A tcp port range claims all its ports; a reverse (clicon) endpoint dials out
 * and claims none.
 */
export function checkClaims(rawNodes: Table, problems: Problems): void {
  const claims: Claim[] = [];
  for (const [name, s] of Object.entries(rawNodes)) {
    if (!isTable(s) || !Array.isArray(s.listen) || "connect" in s) continue;
    const host = typeof s.host === "string" ? s.host : undefined;
    s.listen.forEach((t, i) => {
      if (typeof t !== "string") return;
      let spec: ConnSpec;
      try {
        spec = parseConnStr(t, "listen");
      } catch {
        return; // reported above
      }
      const claim = claimOf(spec);
      if (!claim) return;
      const at = `nodes.${name}.listen[${i}]`;
      const line = problems.where.at(at)?.line ?? 1;
      const first = claims.find((c) =>
        c.host === hostKey(host) && c.kind === claim.kind && c.name === claim.name &&
        c.lo <= claim.hi && claim.lo <= c.hi
      );
      if (first) {
        const on = hostKey(host) ? `host ${first.hostText}` : "this host";
        problems.add(
          at,
          first.label === claim.label
            ? `${claim.label} is already used on ${on} by node \`${first.node}\` (line ${first.line})`
            : `${claim.label} ${
              claim.lo === claim.hi ? "overlaps" : "overlap"
            } ${first.label} of node \`${first.node}\` (line ${first.line}) on ${on}`,
          claim.kind === "tcp"
            ? "give each endpoint on a host its own port"
            : "give each endpoint on a host its own pipe name or device",
        );
      } else {
        claims.push({ ...claim, host: hostKey(host), hostText: host ?? "", node: name, line });
      }
    });
  }
}
