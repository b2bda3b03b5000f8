/**
 * Resolution: the second pass, once every server is known. A client that names a
 * server node gets the endpoint it can reach from its host (a pipe on the same
 * host, else tcp or http by address, TLS when it has `cafile`); a client with a
 * connection string keeps it.
 */
import {
  type ConnSpec,
  type HttpSpec,
  isLoopback,
  isTls,
  type SslSpec,
  type TcpSpec,
} from "../connstr.ts";
import { listensEverywhere } from "../endpoint_policy.ts";
import { didYouMean } from "../suggest.ts";
import { hostKey, sameHost } from "./hosts.ts";
import { isTable, type Problems, type Table } from "./problems.ts";
import { type ClientDraft, connStr } from "./schema_values.ts";
import type { ClientNode, ServerNode } from "./types.ts";

/** The clients without problems, each with where it connects. */
export function resolveClients(
  drafts: ClientDraft[],
  rawNodes: Table,
  servers: Map<string, ServerNode>,
  problems: Problems,
): ClientNode[] {
  const clientNames = new Set(drafts.map((d) => d.name));
  const nodes: ClientNode[] = [];
  for (const draft of drafts) {
    const { name, path, target, cafile } = draft;
    if (target === undefined) continue;
    let connect: ClientNode["connect"] | undefined;
    if (target.includes(":")) {
      const spec = connStr(problems, target, "connect", `${path}.connect`);
      if (spec) connect = { text: target, spec };
    } else {
      connect = resolveNode(problems, draft, target, rawNodes, servers, clientNames, cafile);
    }
    if (connect && cafile !== undefined && target.includes(":")) {
      problems.add(
        `${path}.cafile`,
        `\`cafile\` of client \`${name}\` is for connecting by node name; its \`connect\` is a connection string`,
        `put it in the connection string instead: ${target},cafile=${cafile}`,
      );
    }
    if (!connect) continue;
    const node: ClientNode = {
      role: "client",
      name,
      host: draft.host,
      connect,
      observer: draft.observer,
      line: draft.line,
    };
    if (draft.user !== undefined) node.user = draft.user;
    if (draft.reconnect) node.reconnect = true;
    if (cafile !== undefined) node.cafile = cafile;
    if (draft.sshUser !== undefined) node.sshUser = draft.sshUser;
    nodes.push(node);
  }
  return nodes;
}

/**
 * "servers in this lab: ...": every node that is a server (has `listen`, no `connect`),
 * including those with problems of their own (reported on their own lines), which are marked.
 */
function serversHint(rawNodes: Table, valid: Map<string, ServerNode>): string {
  const names = Object.keys(rawNodes).filter((name) => {
    const raw = rawNodes[name];
    return isTable(raw) && "listen" in raw && !("connect" in raw);
  });
  if (names.length === 0) return "this lab has no server yet: a server is a node with `listen`";
  const shown = names.map((n) => (valid.has(n) ? n : `${n} (has problems of its own)`));
  return `servers in this lab: ${shown.join(", ")}`;
}

function resolveNode(
  problems: Problems,
  from: ClientDraft,
  target: string,
  rawNodes: Table,
  servers: Map<string, ServerNode>,
  clients: Set<string>,
  cafile?: string,
): ClientNode["connect"] | undefined {
  const { name: client, host } = from;
  const path = `${from.path}.connect`;
  if (clients.has(target)) {
    problems.add(
      path,
      `client \`${client}\` connects to \`${target}\`, which is a client: connect to a server`,
      serversHint(rawNodes, servers),
    );
    return undefined;
  }
  if (!(target in rawNodes)) {
    const guess = didYouMean(target, Object.keys(rawNodes));
    problems.add(
      path,
      `client \`${client}\` connects to unknown node \`${target}\``,
      guess ? `did you mean \`${guess}\`?` : serversHint(rawNodes, servers),
    );
    return undefined;
  }
  const found = servers.get(target);
  if (!found) return undefined; // the server itself has problems, reported above
  // An observer comes in through an `observe` endpoint, everyone else through the others.
  const watching = found.listen.filter((e) => e.spec.observe);
  const operating = found.listen.filter((e) => !e.spec.observe);
  if (from.observer && watching.length === 0) {
    problems.add(
      from.path,
      `client \`${client}\` is an observer, but \`${target}\` has no \`observe\` endpoint to take it`,
      `add an endpoint with \`observe\` to \`${target}\`'s listen, e.g. "tcp:port=5007,observe,password_env=WATCH_PW"`,
    );
    return undefined;
  }
  if (!from.observer && operating.length === 0) {
    problems.add(
      from.path,
      `client \`${client}\` connects to \`${target}\`, whose endpoints all say \`observe\`: ` +
        `\`${client}\` could only watch`,
      `say so with observer = true in \`${client}\`, or give \`${target}\` an endpoint without \`observe\``,
    );
    return undefined;
  }
  const server: ServerNode = { ...found, listen: from.observer ? watching : operating };
  const local = sameHost(host, server.host);
  const where = host ?? "any host";
  if (!local && hostKey(server.host) === "") {
    problems.add(
      path,
      `client \`${client}\` on ${where} connects to \`${target}\`, which names no host: ` +
        `\`${client}\` cannot know where to dial`,
      `give \`${target}\` a host (host = "HOSTNAME"), or connect with a connection string`,
    );
    return undefined;
  }
  if (cafile !== undefined) {
    return resolveTls(problems, client, local, target, server, path, cafile);
  }
  // On the same host: a pipe. A pipe name with %d (or %x) holds the server's pid,
  // which another process cannot know: prefer tcp then. (`run` connects a client
  // to a server in the same process through its actual endpoint, pipe first.)
  const pipes = server.listen.filter((e) => e.spec.transport === "npipe");
  const pipe = pipes.find((e) => !/%[dx]/.test(e.text)) ?? pipes[0];
  // Elsewhere: the first tcp endpoint that listens (a clicon endpoint dials out instead).
  // (A browser endpoint, http:, carries native clients too: the fallback when there is no tcp.)
  const tcp =
    server.listen.find((e) => e.spec.transport === "tcp" && e.spec.clicon === undefined) ??
      server.listen.find((e) => e.spec.transport === "http");
  if (local && pipe && (!/%[dx]/.test(pipe.text) || !tcp)) {
    const spec: ConnSpec = { ...pipe.spec };
    delete spec.hidden;
    delete spec.insecure;
    delete spec.observe;
    return { text: pipe.text, spec, via: target };
  }
  if (tcp && (tcp.spec.transport === "tcp" || tcp.spec.transport === "http")) {
    const address = dialAddress(
      tcp.spec,
      local,
      tcp.spec.ipversion === 6 ? "::1" : "127.0.0.1",
      server.host,
    );
    if (address === undefined) {
      problems.add(
        path,
        `client \`${client}\` on ${where} connects to \`${target}\`, which listens on ${tcp.spec.transport} only on ${tcp.spec.server}`,
        `let \`${target}\` listen on an address ${
          host ?? "the client"
        } can reach, e.g. "tcp:port=${tcp.spec.port},password_env=LAB_PW"`,
      );
      return undefined;
    }
    const spec: TcpSpec | HttpSpec = {
      transport: tcp.spec.transport,
      server: address,
      port: tcp.spec.port,
    };
    if (tcp.spec.passwordEnv) spec.passwordEnv = tcp.spec.passwordEnv;
    if (tcp.spec.ipversion) spec.ipversion = tcp.spec.ipversion;
    return { text: tcp.text, spec, via: target };
  }
  const kinds = [
    ...new Set(
      server.listen.filter((e) => e.spec.transport !== "tcp" || !e.spec.clicon).map((e) =>
        e.spec.transport
      ),
    ),
  ];
  const tls = server.listen.some((e) => isTls(e.spec));
  const reverse = server.listen.some((e) => e.spec.transport === "tcp" && e.spec.clicon);
  let message: string;
  let hint: string;
  if (tls) {
    message = `client \`${client}\` connects to \`${target}\` by name, but \`${target}\` ` +
      `listens on ${kinds.join(", ")}: a TLS client needs its own cafile`;
    hint =
      `add cafile = "lab.crt" (the certificate that signed \`${target}\`'s) to \`${client}\`, ` +
      `or give the connection string, e.g. connect = "ssl:server=${
        server.host ?? "HOST"
      },port=PORT,cafile=lab.crt"`;
  } else if (reverse) {
    message = `client \`${client}\` connects to \`${target}\` by name, but \`${target}\` ` +
      "dials its clients (clicon) instead of listening";
    hint = 'give the connection string the client waits on, e.g. connect = "tcp:port=5005"';
  } else {
    message = `client \`${client}\` on ${where} cannot reach \`${target}\`: ` +
      `it listens only on local pipes on ${server.host ?? "its host"}`;
    hint = `add a tcp endpoint to \`${target}\`, e.g. "tcp:port=5005,password_env=LAB_PW"`;
  }
  problems.add(path, message, hint);
  return undefined;
}

/**
 * A client with `cafile` talks TLS to the node it names: on the server's host its
 * spipe endpoint if it has one, else its ssl endpoint (by the server's host name,
 * which its certificate must list).
 */
function resolveTls(
  problems: Problems,
  client: string,
  local: boolean,
  target: string,
  server: ServerNode,
  path: string,
  cafile: string,
): ClientNode["connect"] | undefined {
  const spipe = local ? server.listen.find((e) => e.spec.transport === "spipe") : undefined;
  const ssl = server.listen.find((e) => e.spec.transport === "ssl");
  const chosen = spipe ?? ssl;
  if (!chosen) {
    problems.add(
      path,
      `client \`${client}\` has \`cafile\`, so it connects to \`${target}\` over TLS, but \`${target}\` ` +
        "has no ssl endpoint" + (local ? " nor spipe endpoint" : ""),
      `add one to \`${target}\`, e.g. "ssl:port=5006,certfile=lab.crt,keyfile=lab.key,password_env=LAB_PW", ` +
        `or remove \`cafile\` from \`${client}\` to connect over plain tcp`,
    );
    return undefined;
  }
  if (chosen.spec.transport !== "ssl" && chosen.spec.transport !== "spipe") return undefined;
  if (chosen.spec.clientca) {
    problems.add(
      path,
      `\`${target}\` admits only clients with a certificate (clientca), which \`${client}\` has not`,
      `give \`${client}\` a connection string with certfile=...,keyfile=...,cafile=${cafile}`,
    );
    return undefined;
  }
  const base = { cafile, passwordEnv: chosen.spec.passwordEnv };
  if (!base.passwordEnv) delete base.passwordEnv;
  if (chosen.spec.transport === "spipe") {
    return {
      text: chosen.text,
      spec: { transport: "spipe", pipe: chosen.spec.pipe, ...base },
      via: target,
    };
  }
  // The certificate names the host, so dial by name (localhost on the same machine).
  const address = dialAddress(chosen.spec, local, "localhost", server.host);
  if (address === undefined) {
    problems.add(
      path,
      `client \`${client}\` connects to \`${target}\`, which listens on ssl only on ${chosen.spec.server}`,
      `let \`${target}\` listen on an address the client can reach`,
    );
    return undefined;
  }
  const spec: ConnSpec = { transport: "ssl", server: address, port: chosen.spec.port, ...base };
  if (chosen.spec.ipversion) spec.ipversion = chosen.spec.ipversion;
  return { text: chosen.text, spec, via: target };
}

/**
 * The address a client dials for a tcp-family endpoint: the one it binds, or (it listens
 * on every interface) `here` from the same host, else the server's host name. Undefined:
 * it listens on loopback only, and the client is on another host.
 */
function dialAddress(
  spec: TcpSpec | SslSpec | HttpSpec,
  local: boolean,
  here: string,
  serverHost: string | undefined,
): string | undefined {
  if (!local && isLoopback(spec.server)) return undefined;
  if (!listensEverywhere(spec)) return spec.server;
  return local ? here : serverHost;
}
