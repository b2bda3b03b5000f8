/**
 * Connection strings, WinDbg syntax: `transport:key=value,key=value`.
 *
 *   tcp:port=5005                    listen on every interface, port 5005
 *   tcp:port=5005,server=127.0.0.1   (listen) bind to one address
 *   tcp:server=lab1,port=5005        (connect) dial lab1:5005
 *   npipe:pipe=crash-%d              a Unix-domain socket; %d is the server's pid
 *   ...,password_env=LAB_PW          the session password, from the environment
 *   ...,password=secret              the same, inline (shown as password=* everywhere)
 *   ...,insecure                     (listen) allow tcp on a non-loopback address without a password
 *   ...,hidden                       (listen) keep the endpoint out of server searches
 *   ...,observe                      (listen) everyone who comes in here is an observer
 *   tcp:clicon=laptop,port=5005      (server) dial the client instead of listening
 *   tcp:port=5005                    (client, no server=) wait for a server to dial in
 *   http:port=8081                   the browser client: a web page (and WebSocket) on port 8081
 *   https:port=8443,certfile=..,keyfile=..   the same over TLS
 *   dap:port=4711                    editors: the Debug Adapter Protocol (src/dap/)
 *   daps:port=4711,certfile=..,keyfile=..    the same over TLS
 *
 * Pure: parse and format only, no I/O.
 */
import type { CommonSpec, ConnSpec, Role, TlsOptions } from "./connstr/spec.ts";
import {
  fail,
  FLAGS,
  formatDuration,
  isTcpFamily,
  isTls,
  type Parts,
  TLS_KEYS,
  type Transport,
  TRANSPORTS,
  type Values,
} from "./connstr/transports.ts";
import { didYouMean } from "./suggest.ts";

export type * from "./connstr/spec.ts";
export { formatDuration, isTcpFamily, isTls, maskSecrets } from "./connstr/transports.ts";

/** Parse a connection string. `role` adds the checks for listening or dialing. */
export function parseConnStr(text: string, role?: Role): ConnSpec {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(":");
  if (colon <= 0) {
    fail(
      text,
      "expected transport:key=value,...",
      'for example "tcp:port=5005" or "npipe:pipe=demo"',
      0,
    );
  }
  const transport = trimmed.slice(0, colon).toLowerCase();
  if (!(transport in TRANSPORTS)) {
    const guess = didYouMean(transport, Object.keys(TRANSPORTS));
    fail(
      text,
      `unknown transport "${transport}"`,
      guess ? `did you mean "${guess}"?` : `transports are: ${Object.keys(TRANSPORTS).join(", ")}`,
      0,
    );
  }
  const kind = transport as Transport;
  const { family, build } = TRANSPORTS[kind];
  const values = readOptions(text, kind, trimmed.slice(colon + 1), colon + 1);
  const parts: Parts = {
    text,
    transport: kind,
    values,
    common: commonOptions(text, values),
    tls: tlsOptions(text, values),
  };
  const required = family.required;
  if (required && !values.has(required.key)) {
    fail(text, required.message(kind), family.example(kind));
  }
  const spec = build(parts);
  if (role) checkRole(text, spec, role);
  return spec;
}

/** The `key=value` options after the colon, each a key of the transport, given once, valued as it must be. */
function readOptions(text: string, kind: Transport, body: string, start: number): Values {
  const { family, keys } = TRANSPORTS[kind];
  let offset = start;
  if (body.trim() === "") {
    fail(text, "no options after the transport", family.example(kind), offset);
  }
  const values = new Map<string, string>();
  for (const part of body.split(",")) {
    const eq = part.indexOf("=");
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? "" : part.slice(eq + 1).trim();
    if (key === "") fail(text, "empty option", "remove the extra comma", offset);
    if (!keys.includes(key)) {
      const guess = didYouMean(key, keys);
      fail(
        text,
        `unknown option "${key}" for ${kind}`,
        guess ? `did you mean "${guess}"?` : `${kind} options are: ${keys.join(", ")}`,
        offset,
      );
    }
    if (FLAGS.includes(key)) {
      if (eq >= 0 && !/^(1|true|yes)$/i.test(value)) {
        fail(text, `"${key}" is a flag and takes no value`, `write just "${key}"`, offset);
      }
    } else if (eq < 0 || value === "") {
      fail(text, `option "${key}" needs a value`, family.example(kind), offset);
    }
    if (values.has(key)) fail(text, `option "${key}" given twice`, "keep one of them", offset);
    values.set(key, value);
    offset += part.length + 1;
  }
  for (const [key, value] of Object.entries(family.defaults ?? {})) {
    if (!values.has(key)) values.set(key, value);
  }
  return values;
}

/** The options every transport takes: the password (inline or by variable) and the flags. */
function commonOptions(text: string, values: Values): CommonSpec {
  const common: CommonSpec = {};
  if (values.has("password")) common.password = values.get("password");
  if (values.has("password_env")) {
    const name = values.get("password_env")!;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      fail(
        text,
        `password_env "${name}" is not an environment variable name`,
        "for example password_env=LAB_PW",
      );
    }
    common.passwordEnv = name;
  }
  if (common.password !== undefined && common.passwordEnv !== undefined) {
    fail(
      text,
      "give password or password_env, not both",
      "password_env keeps the secret out of files and ps",
    );
  }
  if (values.has("insecure")) common.insecure = true;
  if (values.has("hidden")) common.hidden = true;
  if (values.has("observe")) common.observe = true;
  return common;
}

/** The TLS options of the transports that take them (none for the others). */
function tlsOptions(text: string, values: Values): TlsOptions {
  const tls: TlsOptions = {};
  for (const key of TLS_KEYS as (keyof TlsOptions)[]) {
    if (values.has(key)) tls[key] = values.get(key);
  }
  if ((tls.certfile === undefined) !== (tls.keyfile === undefined)) {
    fail(text, "certfile and keyfile go together", "give both: certfile=lab.crt,keyfile=lab.key");
  }
  return tls;
}

function checkRole(text: string, spec: ConnSpec, role: Role): void {
  if (role === "connect" && spec.observe) {
    fail(
      text,
      '"observe" marks a server\'s endpoint: it makes everyone who joins there an observer',
      "to join as an observer yourself, use: dbgremote client --observe CONNSTR",
    );
  }
  if ((spec.transport === "dap" || spec.transport === "daps") && role === "connect") {
    fail(
      text,
      `${spec.transport}: is where editors attach over the Debug Adapter Protocol`,
      'attach your editor to it ("debugServer": PORT), or connect here with tcp:',
    );
  }
  if (isTls(spec) && role === "listen" && !spec.certfile) {
    fail(
      text,
      `${spec.transport} needs certfile= and keyfile= to listen`,
      "create a pair with: dbgremote cert",
    );
  }
  if (!isTcpFamily(spec)) return;

  if (spec.port === undefined) {
    const t = spec.transport;
    fail(
      text,
      `${t} needs port=N to ${role === "listen" ? "listen" : "connect"}`,
      role === "listen" ? `for example ${t}:port=5005` : `for example ${t}:server=lab1,port=5005`,
    );
  }
  if (role === "connect" && spec.portEnd !== undefined) {
    fail(
      text,
      "a client dials one port, not a range",
      "give the port the server took (it prints it)",
    );
  }
  if (
    role === "listen" && spec.transport === "tcp" && spec.clicon !== undefined &&
    spec.portEnd !== undefined
  ) {
    fail(text, "clicon dials one port, not a range", "give the port the client waits on");
  }
  if (role === "connect" && spec.port === 0) {
    fail(text, "cannot connect to port 0", "give the port the server listens on");
  }
}

/** Format a spec back to its canonical connection string. An inline password shows as `*`, as in WinDbg. */
export function formatConnStr(spec: ConnSpec): string {
  const parts: string[] = [];
  if (spec.transport === "npipe" || spec.transport === "spipe") {
    parts.push(`pipe=${spec.pipe}`);
  } else if (spec.transport === "com") {
    parts.push(`port=${spec.device}`, `baud=${spec.baud}`);
  } else if (isTcpFamily(spec)) {
    if (spec.server !== undefined) parts.push(`server=${spec.server}`);
    if ("clicon" in spec && spec.clicon !== undefined) parts.push(`clicon=${spec.clicon}`);
    if (spec.port !== undefined) {
      parts.push(`port=${spec.port}${spec.portEnd ? `:${spec.portEnd}` : ""}`);
    }
    if (spec.ipversion !== undefined) parts.push(`ipversion=${spec.ipversion}`);
    if ("expire" in spec && spec.expire !== undefined) {
      parts.push(`expire=${formatDuration(spec.expire)}`);
    }
  }
  if (spec.password !== undefined) parts.push("password=*");
  if (spec.passwordEnv !== undefined) parts.push(`password_env=${spec.passwordEnv}`);
  if (isTls(spec)) {
    for (const key of TLS_KEYS as (keyof TlsOptions)[]) {
      const value = (spec as TlsOptions)[key];
      if (value !== undefined) parts.push(`${key}=${value}`);
    }
  }
  if (spec.insecure) parts.push("insecure");
  if (spec.hidden) parts.push("hidden");
  if (spec.observe) parts.push("observe");
  return `${spec.transport}:${parts.join(",")}`;
}

/**
 * Is this a loopback address (or the name that means one)? Exact: 127.0.0.0/8 in dotted
 * decimal, ::1, or `localhost` — never a name that merely starts like one (`127.evil.invalid`).
 */
export function isLoopback(host: string | undefined): boolean {
  if (host === undefined) return false;
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  const v4 = /^(?:::ffff:)?127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return v4 !== null && v4.slice(1).every((octet) => Number(octet) <= 255);
}

/** Expand WinDbg's pipe-name placeholders: %d is the process id, %x the thread id (in hex, as WinDbg). */
export function expandPipeName(name: string, pid: number, tid = pid): string {
  return name.replaceAll("%d", String(pid)).replaceAll("%x", tid.toString(16));
}
