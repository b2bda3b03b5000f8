/**
 * Parse and validate a lab (topology) file. Every problem is collected, each
 * with file:line:col and a hint, and thrown together as one TopologyError:
 * a person fixing a lab sees everything at once.
 */
import { parse as parseToml, TomlError } from "smol-toml";
import { type ConnSpec, isLoopback, maskSecrets, parseConnStr } from "../connstr.ts";
import type { EngineSpec } from "../engine/engine.ts";
import { ConnStrError, TopologyError, type TopologyProblem } from "../errors.ts";
import { didYouMean } from "../suggest.ts";
import { locate, type Locations } from "./locate.ts";
import type { ClientNode, Endpoint, ServerNode, Topology, TopologyNode } from "./types.ts";

const TOP_KEYS = ["lab", "nodes"];
const LAB_KEYS = ["name", "description"];
const NODE_KEYS = ["host", "engine", "listen", "noio", "connect", "user", "description"];
const SERVER_ONLY = ["engine", "listen", "noio"];
const CLIENT_ONLY = ["connect", "user"];
const ENGINE_KEYS = ["kind", "program", "args", "debugger", "cwd"];
const ENGINE_KINDS = ["gdb"];
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

type Table = Record<string, unknown>;

function isTable(v: unknown): v is Table {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function typeName(v: unknown): string {
  if (Array.isArray(v)) return "an array";
  if (isTable(v)) return "a table";
  return `a ${typeof v}`;
}

class Problems {
  readonly list: TopologyProblem[] = [];
  constructor(readonly file: string, readonly where: Locations) {}

  /** Add a problem at `path` (or the nearest enclosing path that was found). */
  add(path: string, message: string, hint?: string): void {
    let p: string | undefined = path;
    let pos = this.where.at(p);
    while (!pos && p) {
      p = p.includes("[")
        ? p.replace(/\[\d+\]$/, "")
        : p.includes(".")
        ? p.replace(/\.[^.]*$/, "")
        : undefined;
      pos = p ? this.where.at(p) : undefined;
    }
    this.list.push({ file: this.file, line: pos?.line ?? 1, col: pos?.col ?? 1, message, hint });
  }
}

function checkKeys(
  problems: Problems,
  table: Table,
  allowed: string[],
  path: string,
  what: string,
): void {
  for (const key of Object.keys(table)) {
    if (allowed.includes(key)) continue;
    const guess = didYouMean(key, allowed);
    problems.add(
      path ? `${path}.${key}` : key,
      `unknown key \`${key}\` in ${what}`,
      guess ? `did you mean \`${guess}\`?` : `${what} keys are: ${allowed.join(", ")}`,
    );
  }
}

function parseEngine(
  problems: Problems,
  value: unknown,
  path: string,
  node: string,
): EngineSpec | undefined {
  if (!isTable(value)) {
    problems.add(
      path,
      `\`engine\` of node \`${node}\` must be a table, not ${typeName(value)}`,
      'for example: engine = { kind = "gdb", program = "./app" }',
    );
    return undefined;
  }
  checkKeys(problems, value, ENGINE_KEYS, path, "an engine");
  let ok = true;
  const kind = value.kind ?? "gdb";
  if (typeof kind !== "string" || !ENGINE_KINDS.includes(kind)) {
    const guess = typeof kind === "string" ? didYouMean(kind, ENGINE_KINDS) : undefined;
    problems.add(
      `${path}.kind`,
      `unknown engine kind ${JSON.stringify(kind)} for node \`${node}\``,
      guess ? `did you mean "${guess}"?` : `engines in this release: ${ENGINE_KINDS.join(", ")}`,
    );
    ok = false;
  }
  if (typeof value.program !== "string" || value.program === "") {
    problems.add(
      value.program === undefined ? path : `${path}.program`,
      `the engine of node \`${node}\` needs \`program\`, the program to debug`,
      'for example: program = "./app" (or "{sample}" for the demo program)',
    );
    ok = false;
  }
  const args = value.args ?? [];
  if (!Array.isArray(args) || args.some((a) => typeof a !== "string")) {
    problems.add(
      `${path}.args`,
      `\`args\` of node \`${node}\` must be an array of strings`,
      'args = ["--port", "8080"]',
    );
    ok = false;
  }
  for (const key of ["debugger", "cwd"] as const) {
    if (value[key] !== undefined && typeof value[key] !== "string") {
      problems.add(`${path}.${key}`, `\`${key}\` of node \`${node}\` must be a string`);
      ok = false;
    }
  }
  if (!ok) return undefined;
  const spec: EngineSpec = {
    kind: kind as string,
    program: value.program as string,
    args: args as string[],
  };
  if (typeof value.debugger === "string") spec.debugger = value.debugger;
  if (typeof value.cwd === "string") spec.cwd = value.cwd;
  return spec;
}

function connStr(
  problems: Problems,
  text: string,
  role: "listen" | "connect",
  path: string,
): ConnSpec | undefined {
  try {
    const spec = parseConnStr(text, role);
    if (
      role === "connect" && spec.transport === "tcp" && spec.server === undefined &&
      spec.clicon === undefined
    ) {
      problems.add(
        path,
        `bad connection string "${text}": tcp needs server=HOST to connect`,
        "for example tcp:server=lab1,port=5005",
      );
      return undefined;
    }
    if (spec.password !== undefined) {
      problems.add(
        path,
        `an inline password in "${maskSecrets(text)}": never put secrets in a lab file`,
        "use password_env=VAR and set VAR on each machine",
      );
      return undefined;
    }
    if (
      role === "listen" && (spec.transport === "tcp" || spec.transport === "ssl") &&
      spec.passwordEnv === undefined && !spec.insecure && !isLoopback(spec.server) &&
      !(spec.transport === "ssl" && spec.clientca)
    ) {
      problems.add(
        path,
        `"${text}" lets anyone who reaches ${
          spec.server ?? "this host"
        } control the debugger: it has no password`,
        "add password_env=VAR (set VAR on the server's machine), or server=127.0.0.1, or `insecure` to accept the risk",
      );
      return undefined;
    }
    if (role === "listen" && spec.transport === "tcp" && spec.port === 0) {
      problems.add(
        path,
        `port 0 in "${text}": a lab needs fixed ports, so clients know where to connect`,
        "pick a port from 1024 to 65535",
      );
      return undefined;
    }
    return spec;
  } catch (err) {
    if (!(err instanceof ConnStrError)) throw err;
    const secret = /"(password|password_env)"/.test(err.message);
    problems.add(
      path,
      err.message,
      secret
        ? "never put secrets in a lab file; passwords come in a later release (password_env)"
        : err.hint,
    );
    return undefined;
  }
}

/** Where an endpoint sits on its host, for duplicate checks. */
function endpointKey(spec: ConnSpec): string {
  if (spec.transport === "com") return `serial port ${spec.device}`;
  return spec.transport === "tcp" || spec.transport === "ssl"
    ? `tcp port ${spec.port}`
    : `pipe "${spec.pipe}"`;
}

function sameHost(a?: string, b?: string): boolean {
  return (a ?? "").toLowerCase() === (b ?? "").toLowerCase();
}

export function parseTopology(text: string, file: string): Topology {
  const where = locate(text);
  const problems = new Problems(file, where);
  for (const d of where.duplicates) {
    const name = d.path.startsWith("nodes.") ? d.path.slice(6) : d.path;
    problems.list.push({
      file,
      line: d.at.line,
      col: d.at.col,
      message: d.path.startsWith("nodes.")
        ? `duplicate node name \`${name}\` (first defined on line ${d.firstLine})`
        : `table [${d.path}] is defined twice (first on line ${d.firstLine})`,
      hint: "node names are unique in a lab: rename one of them",
    });
  }
  let doc: Table;
  try {
    doc = parseToml(text) as Table;
  } catch (err) {
    if (!(err instanceof TomlError)) throw err;
    const isDuplicate = where.duplicates.some((d) => d.at.line === err.line);
    if (!isDuplicate) {
      const reason = err.message.replace(/^Invalid TOML document: /, "").split("\n")[0];
      problems.list.push({
        file,
        line: err.line,
        col: err.column,
        message: `TOML syntax error: ${reason}`,
        hint:
          'fix the syntax here; strings need double quotes, arrays ["a", "b"], tables [nodes.NAME]',
      });
    }
    throw new TopologyError(problems.list);
  }
  if (problems.list.length) throw new TopologyError(problems.list);

  checkKeys(problems, doc, TOP_KEYS, "", "a lab file (top level)");
  let labName = file.replace(/^.*\//, "").replace(/\.toml$/, "");
  if (doc.lab !== undefined) {
    if (!isTable(doc.lab)) problems.add("lab", "[lab] must be a table", '[lab]\nname = "my-lab"');
    else {
      checkKeys(problems, doc.lab, LAB_KEYS, "lab", "[lab]");
      if (doc.lab.name !== undefined) {
        if (typeof doc.lab.name !== "string") problems.add("lab.name", "lab name must be a string");
        else labName = doc.lab.name;
      }
    }
  }
  const rawNodes = doc.nodes ?? {};
  if (!isTable(rawNodes)) {
    problems.add("nodes", "`nodes` must be a table of nodes", "[nodes.NAME] for each node");
    throw new TopologyError(problems.list);
  }
  if (Object.keys(rawNodes).length === 0) {
    problems.add(
      "nodes",
      "the lab has no nodes",
      "add [nodes.NAME] tables: servers with `listen`, clients with `connect`",
    );
  }

  // First pass: each node on its own.
  const servers = new Map<string, ServerNode>();
  const clientDrafts: { name: string; raw: Table; path: string }[] = [];
  const clientNames = new Set<string>();
  for (const [name, raw] of Object.entries(rawNodes)) {
    const path = `nodes.${name}`;
    const line = where.at(path)?.line ?? 1;
    if (!NAME.test(name)) {
      problems.add(
        path,
        `node name \`${name}\` is not usable`,
        "use letters, digits, '-', '_' and '.'",
      );
    }
    if (!isTable(raw)) {
      problems.add(
        path,
        `node \`${name}\` must be a table, not ${typeName(raw)}`,
        `[nodes.${name}]`,
      );
      continue;
    }
    checkKeys(problems, raw, NODE_KEYS, path, `node \`${name}\``);
    if (raw.host !== undefined && typeof raw.host !== "string") {
      problems.add(
        `${path}.host`,
        `\`host\` of node \`${name}\` must be a string`,
        'host = "lab1"',
      );
    }
    const host = typeof raw.host === "string" ? raw.host : undefined;
    const isServer = "listen" in raw;
    const isClient = "connect" in raw;
    if (isServer && isClient) {
      problems.add(
        path,
        `node \`${name}\` has both \`listen\` and \`connect\`: a debugger is a client or a server, never both`,
        `split \`${name}\` into two nodes, e.g. \`${name}\` (server) and \`${name}-client\``,
      );
      continue;
    }
    if (!isServer && !isClient) {
      problems.add(
        path,
        `node \`${name}\` has neither \`listen\` (a server) nor \`connect\` (a client)`,
        'a server: listen = ["tcp:port=5005,password_env=LAB_PW"] and an engine; a client: connect = "SERVER-NODE"',
      );
      continue;
    }
    const misplaced = Object.keys(raw).filter((k) =>
      (isServer ? CLIENT_ONLY : SERVER_ONLY).includes(k)
    );
    for (const k of misplaced) {
      problems.add(
        `${path}.${k}`,
        `\`${k}\` is for ${isServer ? "clients" : "servers"}, but \`${name}\` is a ${
          isServer ? "server" : "client"
        }`,
        `remove \`${k}\` from \`${name}\``,
      );
    }
    if (isClient) {
      clientNames.add(name);
      clientDrafts.push({ name, raw, path });
      continue;
    }
    // A server.
    let engine: EngineSpec | undefined;
    if (raw.engine === undefined) {
      problems.add(
        path,
        `server \`${name}\` has no \`engine\``,
        'add: engine = { kind = "gdb", program = "./app" }',
      );
    } else {
      engine = parseEngine(problems, raw.engine, `${path}.engine`, name);
    }
    const listen: Endpoint[] = [];
    if (!Array.isArray(raw.listen) || raw.listen.length === 0) {
      problems.add(
        `${path}.listen`,
        `\`listen\` of server \`${name}\` must be a non-empty array of connection strings`,
        'listen = ["tcp:port=5005", "npipe:pipe=NAME"]',
      );
    } else {
      raw.listen.forEach((t, i) => {
        const at = `${path}.listen[${i}]`;
        if (typeof t !== "string") {
          problems.add(at, `endpoint ${i + 1} of \`${name}\` must be a string`, '"tcp:port=5005"');
          return;
        }
        const spec = connStr(problems, t, "listen", at);
        if (spec) listen.push({ text: t, spec });
      });
    }
    if (raw.noio !== undefined && typeof raw.noio !== "boolean") {
      problems.add(`${path}.noio`, "`noio` must be true or false");
    }
    if (engine && listen.length === (raw.listen as unknown[]).length) {
      servers.set(name, {
        role: "server",
        name,
        host,
        engine,
        listen,
        noio: raw.noio === true,
        line,
      });
    }
  }

  // Two endpoints with the same address on one host.
  const taken = new Map<string, { node: string; line: number }>();
  for (const [name, s] of Object.entries(rawNodes)) {
    if (!isTable(s) || !Array.isArray(s.listen) || "connect" in s) continue;
    const host = typeof s.host === "string" ? s.host.toLowerCase() : "";
    s.listen.forEach((t, i) => {
      if (typeof t !== "string") return;
      let spec: ConnSpec;
      try {
        spec = parseConnStr(t, "listen");
      } catch {
        return;
      }
      const key = `${host}\0${endpointKey(spec)}`;
      const at = `nodes.${name}.listen[${i}]`;
      const first = taken.get(key);
      if (first) {
        problems.add(
          at,
          `${endpointKey(spec)} is already used on ${
            host ? `host ${host}` : "this host"
          } by node \`${first.node}\` (line ${first.line})`,
          "give each endpoint on a host its own port or pipe name",
        );
      } else {
        taken.set(key, { node: name, line: where.at(at)?.line ?? 1 });
      }
    });
  }

  // Second pass: clients and what they connect to.
  const nodes: TopologyNode[] = [...servers.values()];
  for (const { name, raw, path } of clientDrafts) {
    const line = where.at(path)?.line ?? 1;
    const host = typeof raw.host === "string" ? raw.host : undefined;
    if (raw.user !== undefined && typeof raw.user !== "string") {
      problems.add(`${path}.user`, "`user` must be a string", 'user = "alice"');
    }
    const target = raw.connect;
    if (typeof target !== "string" || target === "") {
      problems.add(
        `${path}.connect`,
        `\`connect\` of client \`${name}\` must be a node name or a connection string`,
        'connect = "target"',
      );
      continue;
    }
    let connect: ClientNode["connect"] | undefined;
    if (target.includes(":")) {
      const spec = connStr(problems, target, "connect", `${path}.connect`);
      if (spec) connect = { text: target, spec };
    } else {
      connect = resolveNode(
        problems,
        name,
        host,
        target,
        `${path}.connect`,
        rawNodes,
        servers,
        clientNames,
      );
    }
    if (connect) {
      const node: ClientNode = { role: "client", name, host, connect, line };
      if (typeof raw.user === "string") node.user = raw.user;
      nodes.push(node);
    }
  }

  if (problems.list.length) {
    problems.list.sort((a, b) => a.line - b.line || a.col - b.col);
    throw new TopologyError(problems.list);
  }
  nodes.sort((a, b) => a.line - b.line);
  return { file, lab: { name: labName }, nodes };
}

function resolveNode(
  problems: Problems,
  client: string,
  host: string | undefined,
  target: string,
  path: string,
  rawNodes: Table,
  servers: Map<string, ServerNode>,
  clients: Set<string>,
): ClientNode["connect"] | undefined {
  if (clients.has(target)) {
    problems.add(
      path,
      `client \`${client}\` connects to \`${target}\`, which is a client`,
      "connect to a server node (one with `listen`)",
    );
    return undefined;
  }
  if (!(target in rawNodes)) {
    const guess = didYouMean(target, Object.keys(rawNodes));
    problems.add(
      path,
      `client \`${client}\` connects to unknown node \`${target}\``,
      guess
        ? `did you mean \`${guess}\`?`
        : `servers in this lab: ${[...servers.keys()].join(", ") || "none"}`,
    );
    return undefined;
  }
  const server = servers.get(target);
  if (!server) return undefined; // the server itself has problems, reported above
  const local = sameHost(host, server.host);
  // A pipe name with %d holds the server's pid, which another process cannot know:
  // prefer tcp then. (`run` connects a client to a server in the same process directly.)
  const pipes = server.listen.filter((e) => e.spec.transport === "npipe");
  const pipe = pipes.find((e) => !e.text.includes("%d")) ?? pipes[0];
  const tcp = server.listen.find((e) => e.spec.transport === "tcp");
  if (local && pipe && (!pipe.text.includes("%d") || !tcp)) {
    const spec: ConnSpec = { ...pipe.spec };
    delete spec.hidden;
    delete spec.insecure;
    return { text: pipe.text, spec, via: target };
  }
  if (tcp && tcp.spec.transport === "tcp") {
    const bind = tcp.spec.server;
    const loopback = bind !== undefined && /^(127\.|::1$|localhost$)/.test(bind);
    if (!local && loopback) {
      problems.add(
        path,
        `client \`${client}\` on ${
          host ?? "any host"
        } connects to \`${target}\`, which listens on tcp only on ${bind}`,
        `let \`${target}\` listen on an address ${
          host ?? "the client"
        } can reach, e.g. "tcp:port=${tcp.spec.port}"`,
      );
      return undefined;
    }
    const server_ = local
      ? (bind && bind !== "0.0.0.0" && bind !== "::" ? bind : "127.0.0.1")
      : (server.host ?? "127.0.0.1");
    const spec: ConnSpec = { transport: "tcp", server: server_, port: tcp.spec.port };
    if (tcp.spec.passwordEnv) spec.passwordEnv = tcp.spec.passwordEnv;
    if (tcp.spec.ipversion) spec.ipversion = tcp.spec.ipversion;
    return { text: tcp.text, spec, via: target };
  }
  problems.add(
    path,
    `client \`${client}\` on ${
      host ?? "any host"
    } cannot reach \`${target}\`: it listens only on local pipes on ${server.host ?? "its host"}`,
    `add a tcp endpoint to \`${target}\`, e.g. "tcp:port=5005"`,
  );
  return undefined;
}
