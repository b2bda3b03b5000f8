/**
 * Parse and validate a lab (topology) file. Every problem is collected, each
 * with file:line:col and a hint, and thrown together as one TopologyError:
 * a person fixing a lab sees everything at once.
 *
 * The check runs in three parts: the schema (schema.ts: syntax, tables, keys,
 * each node on its own), the claims (claims.ts: ports, pipes and devices per
 * host) and the resolution (resolve.ts: where each client connects).
 */
import { checkClaims } from "./claims.ts";
import { locate } from "./locate.ts";
import { Problems } from "./problems.ts";
import { resolveClients } from "./resolve.ts";
import { checkNodes, readDocument, readLab, readNodes } from "./schema.ts";
import type { Topology, TopologyNode } from "./types.ts";

export function parseTopology(text: string, file: string): Topology {
  const where = locate(text);
  const problems = new Problems(file, where);
  const doc = readDocument(text, where, problems);
  const lab = readLab(doc, problems);
  const rawNodes = readNodes(doc, problems);
  const { servers, clients } = checkNodes(rawNodes, problems);
  checkClaims(rawNodes, problems);
  const nodes: TopologyNode[] = [
    ...servers.values(),
    ...resolveClients(clients, rawNodes, servers, problems),
  ];
  if (problems.list.length) throw problems.error();
  nodes.sort((a, b) => a.line - b.line);
  return { file, lab, nodes };
}
