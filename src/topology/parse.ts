/**
 * Parse and validate a lab (topology) file. Every problem is collected, each
 * with file:line:col and a hint, and thrown together as one TopologyError:
 * a person fixing a lab sees everything at once.
 */
import { parse as parseToml, TomlError } from "smol-toml";
import {
  type ConnSpec,
  type HttpSpec,
  isLoopback,
  maskSecrets,
  parseConnStr,
  type TcpSpec,
} from "../connstr.ts";
import type { EngineSpec } from "../engine/engine.ts";
import { findKind, unknownKindHint } from "../engine/kinds.ts";
import { ConnStrError, DbgRemoteError, TopologyError, type TopologyProblem } from "../errors.ts";
import { endpointAccess } from "../endpoint_policy.ts";
import { didYouMean } from "../suggest.ts";
import { hostKey, sameHost } from "./hosts.ts";
import { locate, type Locations } from "./locate.ts";
import type { ClientNode, Endpoint, ServerNode, Topology, TopologyNode } from "./types.ts";

const TOP_KEYS = ["lab", "nodes"];
const LAB_KEYS = ["name", "description"];
const NODE_KEYS = [
  "host",
  "engine",
  "listen",
  "noio",
  "discover",
  "log",
  "connect",
  "user",
  "observer",
  "description",
];
const SERVER_ONLY = ["engine", "listen", "noio", "discover", "log"];
const CLIENT_ONLY = ["connect", "user", "observer"];
/** Keys for running a lab across hosts: `ship`'s login, and clients that wait or talk TLS by name. */
const SHIP_KEYS = ["ssh_user"];
const CLIENT_LAB_KEYS = ["reconnect", "cafile"];
const ENGINE_KEYS = ["kind", "program", "args", "debugger", "cwd"];
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

  /** All problems, in file order. */
  error(): TopologyError {
    return new TopologyError(this.list.toSorted((a, b) => a.line - b.line || a.col - b.col));
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
    if (/^password_env$/i.test(key)) {
      problems.add(
        path ? `${path}.${key}` : key,
        `\`${key}\` goes in the connection strings, not in ${what}`,
        'for example listen = ["tcp:port=5005,password_env=LAB_PW"] and the same in `connect`',
      );
      continue;
    }
    if (/passw(or)?d|secret/i.test(key)) {
      problems.add(
        path ? `${path}.${key}` : key,
        `\`${key}\` in ${what}: never put secrets in a topology: use password_env`,
        'remove it; add password_env=VAR to the connection strings (e.g. "tcp:port=5005,password_env=LAB_PW") and set VAR on each machine',
      );
      continue;
    }
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
  const known = typeof kind === "string" ? findKind(kind) : undefined;
  if (!known) {
    problems.add(
      `${path}.kind`,
      `unknown engine kind ${JSON.stringify(kind)} for node \`${node}\``,
      typeof kind === "string" ? unknownKindHint(kind) : unknownKindHint(""),
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
    kind: known!.kind,
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
        `an inline password in "${
          maskSecrets(text)
        }": never put secrets in a topology: use password_env`,
        "write password_env=VAR instead of password=..., and set VAR on each machine",
      );
      return undefined;
    }
    const overTcp = spec.transport === "tcp" || spec.transport === "ssl" ||
      spec.transport === "http" || spec.transport === "https" || spec.transport === "dap" ||
      spec.transport === "daps";
    if (role === "listen" && overTcp && spec.port === 0) {
      problems.add(
        path,
        `port 0 in "${text}": a lab needs fixed ports, so clients know where to connect`,
        "pick a port from 1024 to 65535",
      );
      return undefined;
    }
    if (role === "listen") {
      // The server's own rule (src/endpoint_policy.ts), so check and server never disagree.
      try {
        endpointAccess(spec, spec.passwordEnv !== undefined);
      } catch (err) {
        if (!(err instanceof DbgRemoteError)) throw err;
        problems.add(path, err.message, err.hint);
        return undefined;
      }
    }
    return spec;
  } catch (err) {
    if (!(err instanceof ConnStrError)) throw err;
    // e.g. "option "password" needs a value", "give password or password_env, not both"
    const secret = /"password"|password or password_env/.test(err.message);
    problems.add(
      path,
      secret ? `${err.message}; never put secrets in a topology: use password_env` : err.message,
      secret ? "write password_env=VAR and set VAR on each machine" : err.hint,
    );
    return undefined;
  }
}

function syntaxHint(reason: string): string {
  if (/redefine/.test(reason)) {
    return "each table and key may be defined once: merge or rename the two definitions";
  }
  if (/invalid value/.test(reason)) {
    return 'strings need double quotes ("lab1"), arrays brackets (["a", "b"]), booleans true/false';
  }
  if (/end-of-line/.test(reason)) return "one `key = value` per line";
  return 'fix the syntax here; strings need double quotes, arrays ["a", "b"], tables [nodes.NAME]';
}

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

function describePath(path: string): string {
  const parts = path.split(".");
  if (parts[0] === "nodes" && parts.length >= 3) {
    const node = parts[1];
    const rest = parts.slice(2);
    return rest[0] === "engine" && rest.length > 1
      ? `the engine of node \`${node}\``
      : `node \`${node}\``;
  }
  return parts.length > 1 ? `[${parts.slice(0, -1).join(".")}]` : "the top level";
}

export function parseTopology(text: string, file: string): Topology {
  const where = locate(text);
  const problems = new Problems(file, where);
  // TOML forbids a table or key defined twice; smol-toml would stop there with a
  // vague message. Name it, point at the second definition, then parse the file
  // without it to find every other problem too.
  for (const d of where.duplicates) {
    const parts = d.path.split(".");
    const node = parts[0] === "nodes" && parts.length === 2;
    const key = parts.at(-1)!;
    problems.list.push({
      file,
      line: d.at.line,
      col: d.at.col,
      message: node
        ? `duplicate node name \`${parts[1]}\` (first defined on line ${d.firstLine})`
        : d.kind === "table"
        ? `table [${d.path}] is defined twice (first on line ${d.firstLine})`
        : `\`${key}\` is given twice in ${describePath(d.path)} (first on line ${d.firstLine})`,
      hint: node
        ? "node names are unique in a lab: rename one of them"
        : "keep one of the two definitions",
    });
  }
  let doc: Table;
  try {
    doc = parseToml(where.duplicates.length ? where.withoutDuplicates : text) as Table;
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
        hint: syntaxHint(reason),
      });
    }
    throw problems.error();
  }

  checkKeys(problems, doc, TOP_KEYS, "", "a lab file (top level)");
  let labName = file.replace(/^.*\//, "").replace(/\.toml$/, "");
  if (doc.lab !== undefined) {
    if (!isTable(doc.lab)) problems.add("lab", "[lab] must be a table", '[lab]\nname = "my-lab"');
    else {
      checkKeys(problems, doc.lab, [...LAB_KEYS, ...SHIP_KEYS], "lab", "[lab]");
      if (doc.lab.name !== undefined) {
        if (typeof doc.lab.name !== "string") problems.add("lab.name", "lab name must be a string");
        else labName = doc.lab.name;
      }
      checkSshUser(problems, doc.lab.ssh_user, "lab.ssh_user");
    }
  }
  const rawNodes = doc.nodes ?? {};
  if (!isTable(rawNodes)) {
    problems.add("nodes", "`nodes` must be a table of nodes", "[nodes.NAME] for each node");
    throw problems.error();
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
    checkKeys(
      problems,
      raw,
      [...NODE_KEYS, ...SHIP_KEYS, ...CLIENT_LAB_KEYS],
      path,
      `node \`${name}\``,
    );
    if (raw.host !== undefined && (typeof raw.host !== "string" || raw.host.trim() === "")) {
      problems.add(
        `${path}.host`,
        `\`host\` of node \`${name}\` must be a host name`,
        'host = "lab1"',
      );
    }
    const host = typeof raw.host === "string" ? raw.host : undefined;
    checkSshUser(problems, raw.ssh_user, `${path}.ssh_user`);
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
      (isServer ? [...CLIENT_ONLY, ...CLIENT_LAB_KEYS] : SERVER_ONLY).includes(k)
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
    if (raw.discover !== undefined && typeof raw.discover !== "boolean") {
      problems.add(`${path}.discover`, "`discover` must be true or false");
    }
    // The session record, as `dbgremote server --log FILE` (a path on the server's host).
    if (raw.log !== undefined && (typeof raw.log !== "string" || raw.log.trim() === "")) {
      problems.add(
        `${path}.log`,
        `\`log\` of server \`${name}\` must be a file name`,
        'log = "session.jsonl": the session record, relative to where the server runs',
      );
    }
    if (engine && listen.length === (raw.listen as unknown[]).length) {
      const node: ServerNode = {
        role: "server",
        name,
        host,
        engine,
        listen,
        noio: raw.noio === true,
        discover: raw.discover !== false,
        line,
      };
      if (typeof raw.ssh_user === "string") node.sshUser = raw.ssh_user;
      if (typeof raw.log === "string" && raw.log.trim() !== "") node.log = raw.log;
      servers.set(name, node);
    }
  }

  // Two endpoints with the same address on one host (across nodes or within one).
  // A tcp port range claims all its ports; a reverse (clicon) endpoint dials out
  // and claims none.
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
      const line = where.at(at)?.line ?? 1;
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

  // Second pass: clients and what they connect to.
  const nodes: TopologyNode[] = [...servers.values()];
  for (const { name, raw, path } of clientDrafts) {
    const line = where.at(path)?.line ?? 1;
    const host = typeof raw.host === "string" ? raw.host : undefined;
    if (raw.user !== undefined && typeof raw.user !== "string") {
      problems.add(`${path}.user`, "`user` must be a string", 'user = "alice"');
    }
    const lab = clientLabKeys(problems, raw, path, name);
    if (raw.observer !== undefined && typeof raw.observer !== "boolean") {
      problems.add(
        `${path}.observer`,
        "`observer` must be true or false",
        "observer = true (watch only)",
      );
    }
    const observer = raw.observer === true;
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
        { name, host, observer, path },
        target,
        rawNodes,
        servers,
        clientNames,
        lab.cafile,
      );
    }
    if (connect && lab.cafile !== undefined && target.includes(":")) {
      problems.add(
        `${path}.cafile`,
        `\`cafile\` of client \`${name}\` is for connecting by node name; its \`connect\` is a connection string`,
        `put it in the connection string instead: ${target},cafile=${lab.cafile}`,
      );
    }
    if (connect) {
      const node: ClientNode = { role: "client", name, host, connect, observer, line };
      if (typeof raw.user === "string") node.user = raw.user;
      if (lab.reconnect) node.reconnect = true;
      if (lab.cafile !== undefined) node.cafile = lab.cafile;
      if (typeof raw.ssh_user === "string") node.sshUser = raw.ssh_user;
      nodes.push(node);
    }
  }

  if (problems.list.length) {
    throw problems.error();
  }
  nodes.sort((a, b) => a.line - b.line);
  const lab: Topology["lab"] = { name: labName };
  if (isTable(doc.lab) && typeof doc.lab.ssh_user === "string") lab.sshUser = doc.lab.ssh_user;
  return { file, lab, nodes };
}

/** `ssh_user` ([lab] or a node): the account `dbgremote ship` logs in as. */
function checkSshUser(problems: Problems, value: unknown, path: string): void {
  if (value === undefined) return;
  if (typeof value !== "string" || !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(value)) {
    problems.add(
      path,
      `\`ssh_user\` must be a login name, not ${
        typeof value === "string" ? JSON.stringify(value) : typeName(value)
      }`,
      'for example ssh_user = "debug"; without it, ssh uses your ssh config or your own login name',
    );
  }
}

/** A client's `reconnect` and `cafile`, checked. */
function clientLabKeys(
  problems: Problems,
  raw: Table,
  path: string,
  name: string,
): { reconnect: boolean; cafile?: string } {
  if (raw.reconnect !== undefined && typeof raw.reconnect !== "boolean") {
    problems.add(
      `${path}.reconnect`,
      `\`reconnect\` of client \`${name}\` must be true or false, not ${
        JSON.stringify(raw.reconnect)
      }`,
      "reconnect = true: when the server goes away, wait for it and rejoin (not after q)",
    );
  }
  let cafile: string | undefined;
  if (raw.cafile !== undefined) {
    if (typeof raw.cafile !== "string" || raw.cafile === "") {
      problems.add(
        `${path}.cafile`,
        `\`cafile\` of client \`${name}\` must be a file name`,
        'cafile = "lab.crt": the certificate (or CA) that signed the server\'s ssl certificate',
      );
    } else cafile = raw.cafile;
  }
  return { reconnect: raw.reconnect === true, cafile };
}

/** The client node being resolved; `path` is its table's. */
interface Resolving {
  name: string;
  host: string | undefined;
  observer: boolean;
  path: string;
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
  from: Resolving,
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
    const bind = tcp.spec.server;
    const wildcard = bind === undefined || bind === "0.0.0.0" || bind === "::";
    if (!local && isLoopback(bind)) {
      problems.add(
        path,
        `client \`${client}\` on ${where} connects to \`${target}\`, which listens on ${tcp.spec.transport} only on ${bind}`,
        `let \`${target}\` listen on an address ${
          host ?? "the client"
        } can reach, e.g. "tcp:port=${tcp.spec.port},password_env=LAB_PW"`,
      );
      return undefined;
    }
    const loopback = tcp.spec.ipversion === 6 ? "::1" : "127.0.0.1";
    const address = !wildcard ? bind : local ? loopback : server.host!;
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
  const tls = kinds.includes("ssl") || kinds.includes("spipe") || kinds.includes("https");
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
  const bind = chosen.spec.server;
  const wildcard = bind === undefined || bind === "0.0.0.0" || bind === "::";
  if (!local && isLoopback(bind)) {
    problems.add(
      path,
      `client \`${client}\` connects to \`${target}\`, which listens on ssl only on ${bind}`,
      `let \`${target}\` listen on an address the client can reach`,
    );
    return undefined;
  }
  // The certificate names the host, so dial by name (localhost on the same machine).
  const address = !wildcard ? bind : local ? "localhost" : server.host!;
  const spec: ConnSpec = { transport: "ssl", server: address, port: chosen.spec.port, ...base };
  if (chosen.spec.ipversion) spec.ipversion = chosen.spec.ipversion;
  return { text: chosen.text, spec, via: target };
}
