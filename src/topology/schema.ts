/**
 * The shape of a lab file: TOML syntax and duplicate definitions, the tables and
 * their keys, and each node on its own (its name, keys, role, a server's fields).
 * What the nodes claim together is claims.ts; what clients connect to, resolve.ts.
 */
import { parse as parseToml, TomlError } from "smol-toml";
import type { EngineSpec } from "../engine/engine.ts";
import type { Locations } from "./locate.ts";
import { isTable, type Problems, type Table, typeName } from "./problems.ts";
import {
  checkKeys,
  CLIENT_LAB_KEYS,
  CLIENT_ONLY,
  LAB_KEYS,
  NAME,
  NODE_KEYS,
  SERVER_ONLY,
  SHIP_KEYS,
  TOP_KEYS,
} from "./schema_keys.ts";
import {
  checkClient,
  checkSshUser,
  type ClientDraft,
  connStr,
  parseEngine,
} from "./schema_values.ts";
import type { Endpoint, ServerNode, Topology } from "./types.ts";

/**
 * The lab's TOML document. A syntax error ends the check (throws): nothing after
 * it can be trusted.
 */
export function readDocument(text: string, where: Locations, problems: Problems): Table {
  const file = problems.file;
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
  try {
    return parseToml(where.duplicates.length ? where.withoutDuplicates : text) as Table;
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

/** The top level's keys and the [lab] table; the lab is named after its file unless it says. */
export function readLab(doc: Table, problems: Problems): Topology["lab"] {
  checkKeys(problems, doc, TOP_KEYS, "", "a lab file (top level)");
  const lab: Topology["lab"] = {
    name: problems.file.replace(/^.*\//, "").replace(/\.toml$/, ""),
  };
  if (doc.lab === undefined) return lab;
  if (!isTable(doc.lab)) {
    problems.add("lab", "[lab] must be a table", '[lab]\nname = "my-lab"');
    return lab;
  }
  checkKeys(problems, doc.lab, [...LAB_KEYS, ...SHIP_KEYS], "lab", "[lab]");
  if (doc.lab.name !== undefined) {
    if (typeof doc.lab.name !== "string") problems.add("lab.name", "lab name must be a string");
    else lab.name = doc.lab.name;
  }
  checkSshUser(problems, doc.lab.ssh_user, "lab.ssh_user");
  if (typeof doc.lab.ssh_user === "string") lab.sshUser = doc.lab.ssh_user;
  return lab;
}

/** The [nodes] table. One that is not a table ends the check (throws). */
export function readNodes(doc: Table, problems: Problems): Table {
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
  return rawNodes;
}

/**
 * The first pass: each node on its own. A server without problems comes out
 * complete; clients wait until every server is known.
 */
export function checkNodes(
  rawNodes: Table,
  problems: Problems,
): { servers: Map<string, ServerNode>; clients: ClientDraft[] } {
  const servers = new Map<string, ServerNode>();
  const clients: ClientDraft[] = [];
  for (const [name, raw] of Object.entries(rawNodes)) {
    const path = `nodes.${name}`;
    const role = checkNode(problems, name, raw, path);
    if (role === "client") clients.push(checkClient(problems, name, raw as Table, path));
    if (role !== "server") continue;
    const node = checkServer(problems, name, raw as Table, path);
    if (node) servers.set(name, node);
  }
  return { servers, clients };
}

/** What every node is checked for: its name, keys, host and ssh_user, and its one role. */
function checkNode(
  problems: Problems,
  name: string,
  raw: unknown,
  path: string,
): "server" | "client" | undefined {
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
    return undefined;
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
  checkSshUser(problems, raw.ssh_user, `${path}.ssh_user`);
  const isServer = "listen" in raw;
  const isClient = "connect" in raw;
  if (isServer && isClient) {
    problems.add(
      path,
      `node \`${name}\` has both \`listen\` and \`connect\`: a debugger is a client or a server, never both`,
      `split \`${name}\` into two nodes, e.g. \`${name}\` (server) and \`${name}-client\``,
    );
    return undefined;
  }
  if (!isServer && !isClient) {
    problems.add(
      path,
      `node \`${name}\` has neither \`listen\` (a server) nor \`connect\` (a client)`,
      'a server: listen = ["tcp:port=5005,password_env=LAB_PW"] and an engine; a client: connect = "SERVER-NODE"',
    );
    return undefined;
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
  return isServer ? "server" : "client";
}

/** A server's own fields (engine, listen, noio, discover, log): the node, or undefined. */
function checkServer(
  problems: Problems,
  name: string,
  raw: Table,
  path: string,
): ServerNode | undefined {
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
  if (!engine || listen.length !== (raw.listen as unknown[]).length) return undefined;
  const node: ServerNode = {
    role: "server",
    name,
    host: typeof raw.host === "string" ? raw.host : undefined,
    engine,
    listen,
    noio: raw.noio === true,
    discover: raw.discover !== false,
    line: problems.where.at(path)?.line ?? 1,
  };
  if (typeof raw.ssh_user === "string") node.sshUser = raw.ssh_user;
  if (typeof raw.log === "string" && raw.log.trim() !== "") node.log = raw.log;
  return node;
}
