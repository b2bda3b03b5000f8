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
  /** The account `ship` logs in as on `host` (else [lab] ssh_user, else ssh's default). */
  sshUser?: string;
  /** `dbgremote search` lists it (default true). */
  discover: boolean;
  /** The session record's file, as `dbgremote server --log FILE`. */
  log?: string;
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
  /** When the server goes away (not after q), wait for it to come back and rejoin. */
  reconnect?: boolean;
  /** Trust this certificate (or CA) and connect to the named server over TLS. */
  cafile?: string;
  /** The account `ship` logs in as on `host`. */
  sshUser?: string;
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
  lab: {
    name: string;
    /** `ship` logs in as this user unless a node says otherwise. */
    sshUser?: string;
  };
  nodes: TopologyNode[];
}
