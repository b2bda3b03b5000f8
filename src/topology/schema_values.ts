/**
 * The values of a lab's keys, checked one by one: a server's engine table, a
 * connection string as a lab allows it (no secrets, fixed ports, the server's
 * endpoint policy), `ssh_user`, a client's own fields.
 */
import { type ConnSpec, isTcpFamily, maskSecrets, parseConnStr } from "../connstr.ts";
import type { EngineSpec } from "../engine/engine.ts";
import { findKind, unknownKindHint } from "../engine/kinds.ts";
import { ConnStrError, DbgRemoteError } from "../errors.ts";
import { endpointAccess } from "../endpoint_policy.ts";
import { isTable, type Problems, type Table, typeName } from "./problems.ts";
import { checkKeys, ENGINE_KEYS } from "./schema_keys.ts";

/** A server's `engine` table, or undefined (with its problems added). */
export function parseEngine(
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

/** A connection string of a lab (`listen` or `connect`), or undefined (with its problem added). */
export function connStr(
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
    if (role === "listen" && isTcpFamily(spec) && spec.port === 0) {
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

/** `ssh_user` ([lab] or a node): the account `dbgremote ship` logs in as. */
export function checkSshUser(problems: Problems, value: unknown, path: string): void {
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

/**
 * A client as the schema leaves it: its own fields checked (each problem reported);
 * where it connects is worked out once every server is known (resolve.ts).
 */
export interface ClientDraft {
  name: string;
  /** Its table's path, e.g. nodes.alice. */
  path: string;
  line: number;
  host?: string;
  /** `connect`: a node name or a connection string; undefined when it is neither (reported). */
  target?: string;
  observer: boolean;
  user?: string;
  reconnect: boolean;
  cafile?: string;
  sshUser?: string;
}

/** A client's own fields: user, reconnect, cafile, observer, and that `connect` is a string. */
export function checkClient(
  problems: Problems,
  name: string,
  raw: Table,
  path: string,
): ClientDraft {
  const draft: ClientDraft = {
    name,
    path,
    line: problems.where.at(path)?.line ?? 1,
    observer: raw.observer === true,
    reconnect: raw.reconnect === true,
  };
  if (typeof raw.host === "string") draft.host = raw.host;
  if (typeof raw.ssh_user === "string") draft.sshUser = raw.ssh_user;
  if (raw.user !== undefined && typeof raw.user !== "string") {
    problems.add(`${path}.user`, "`user` must be a string", 'user = "alice"');
  } else if (typeof raw.user === "string") draft.user = raw.user;
  if (raw.reconnect !== undefined && typeof raw.reconnect !== "boolean") {
    problems.add(
      `${path}.reconnect`,
      `\`reconnect\` of client \`${name}\` must be true or false, not ${
        JSON.stringify(raw.reconnect)
      }`,
      "reconnect = true: when the server goes away, wait for it and rejoin (not after q)",
    );
  }
  if (raw.cafile !== undefined) {
    if (typeof raw.cafile !== "string" || raw.cafile === "") {
      problems.add(
        `${path}.cafile`,
        `\`cafile\` of client \`${name}\` must be a file name`,
        'cafile = "lab.crt": the certificate (or CA) that signed the server\'s ssl certificate',
      );
    } else draft.cafile = raw.cafile;
  }
  if (raw.observer !== undefined && typeof raw.observer !== "boolean") {
    problems.add(
      `${path}.observer`,
      "`observer` must be true or false",
      "observer = true (watch only)",
    );
  }
  if (typeof raw.connect !== "string" || raw.connect === "") {
    problems.add(
      `${path}.connect`,
      `\`connect\` of client \`${name}\` must be a node name or a connection string`,
      'connect = "target"',
    );
  } else draft.target = raw.connect;
  return draft;
}
