/** A validated lab: what `parseTopology` returns. */
import type { ConnSpec } from "../connstr.ts";
import type { EngineSpec } from "../engine/engine.ts";

export interface Endpoint {
  /** As written in the file. */
  text: string;
  spec: ConnSpec;
}

export interface ServerNode {
  role: "server";
  name: string;
  /** Where it runs; undefined: any machine (a local lab). */
  host?: string;
  engine: EngineSpec;
  listen: Endpoint[];
  /** The server's terminal does not take part in the session. */
  noio: boolean;
  /** `dbgremote search` lists it (default true). */
  discover: boolean;
  line: number;
}

export interface ClientNode {
  role: "client";
  name: string;
  host?: string;
  /** Where it connects; `via` is the server node's name when `connect` named one. */
  connect: Endpoint & { via?: string };
  /** Name shown to the others (default: the login name). */
  user?: string;
  /**
   * Joins as an observer (sees everything, runs nothing): asks for it in its hello, and a
   * `connect` by node name resolves to one of the server's `observe` endpoints.
   */
  observer: boolean;
  line: number;
}

export type TopologyNode = ServerNode | ClientNode;

export interface Topology {
  file: string;
  lab: { name: string };
  nodes: TopologyNode[];
}
