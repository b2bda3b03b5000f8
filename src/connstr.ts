/**
 * Connection strings, WinDbg syntax: `transport:key=value,key=value`.
 *
 *   tcp:port=5005                    listen on every interface, port 5005
 *   tcp:port=5005,server=127.0.0.1   (listen) bind to one address
 *   tcp:server=lab1,port=5005        (connect) dial lab1:5005
 *   npipe:pipe=crash-%d              a Unix-domain socket; %d is the server's pid
 *
 * Pure: parse and format only, no I/O.
 */
import { ConnStrError } from "./errors.ts";
import { didYouMean } from "./suggest.ts";

export interface TcpSpec {
  transport: "tcp";
  /** Port to listen on or dial. */
  port?: number;
  /** Address to dial (client) or bind (server). */
  server?: string;
  ipversion?: 4 | 6;
}

export interface NpipeSpec {
  transport: "npipe";
  /** Pipe name (a socket file in the pipe directory) or an absolute socket path. */
  pipe: string;
}

export type ConnSpec = TcpSpec | NpipeSpec;
export type Role = "listen" | "connect";

const KEYS: Record<ConnSpec["transport"], readonly string[]> = {
  tcp: ["port", "server", "ipversion"],
  npipe: ["pipe"],
};
/** WinDbg transports we know of but do not offer yet, with what to use instead. */
const LATER: Record<string, string> = {
  ssl: "use tcp on loopback or npipe for now",
  spipe: "use npipe for now",
  com: "use tcp or npipe for now",
};
/** Keys reserved for later releases: refuse them rather than silently ignore a secret. */
const LATER_KEYS = ["password", "password_env", "clicon", "hidden", "certfile", "keyfile"];

function fail(text: string, message: string, hint?: string, offset?: number): never {
  throw new ConnStrError(`bad connection string "${text}": ${message}`, hint, offset);
}

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
  if (transport in LATER) {
    fail(text, `transport "${transport}" is not available in this release`, LATER[transport], 0);
  }
  if (transport !== "tcp" && transport !== "npipe") {
    const guess = didYouMean(transport, Object.keys(KEYS));
    fail(
      text,
      `unknown transport "${transport}"`,
      guess ? `did you mean "${guess}"?` : "transports are: tcp, npipe",
      0,
    );
  }
  const values = new Map<string, string>();
  let offset = colon + 1;
  const body = trimmed.slice(colon + 1);
  if (body.trim() === "") fail(text, "no options after the transport", usageFor(transport), offset);
  for (const part of body.split(",")) {
    const eq = part.indexOf("=");
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? "" : part.slice(eq + 1).trim();
    if (key === "") fail(text, "empty option", "remove the extra comma", offset);
    if (LATER_KEYS.includes(key)) {
      fail(
        text,
        `"${key}" is not supported in this release`,
        "keep such endpoints on loopback or npipe until it is",
        offset,
      );
    }
    if (!KEYS[transport].includes(key)) {
      const guess = didYouMean(key, KEYS[transport]);
      fail(
        text,
        `unknown option "${key}" for ${transport}`,
        guess
          ? `did you mean "${guess}"?`
          : `${transport} options are: ${KEYS[transport].join(", ")}`,
        offset,
      );
    }
    if (eq < 0 || value === "") {
      fail(text, `option "${key}" needs a value`, usageFor(transport), offset);
    }
    if (values.has(key)) fail(text, `option "${key}" given twice`, "keep one of them", offset);
    values.set(key, value);
    offset += part.length + 1;
  }

  let spec: ConnSpec;
  if (transport === "tcp") {
    const tcp: TcpSpec = { transport: "tcp" };
    const port = values.get("port");
    if (port !== undefined) tcp.port = parsePort(text, port);
    const server = values.get("server");
    if (server !== undefined) tcp.server = server;
    const ipv = values.get("ipversion");
    if (ipv !== undefined) {
      if (ipv !== "4" && ipv !== "6") fail(text, `ipversion must be 4 or 6, not "${ipv}"`);
      tcp.ipversion = ipv === "4" ? 4 : 6;
    }
    spec = tcp;
  } else {
    const pipe = values.get("pipe");
    if (pipe === undefined) fail(text, "npipe needs pipe=NAME", "for example npipe:pipe=demo");
    if (!pipe.startsWith("/") && /[/\\]/.test(pipe)) {
      fail(text, `pipe name "${pipe}" contains a slash`, "give a plain name or an absolute path");
    }
    spec = { transport: "npipe", pipe };
  }
  if (role) checkRole(text, spec, role);
  return spec;
}

function checkRole(text: string, spec: ConnSpec, role: Role): void {
  if (spec.transport !== "tcp") return;
  if (spec.port === undefined) {
    fail(
      text,
      `tcp needs port=N to ${role === "listen" ? "listen" : "connect"}`,
      role === "listen" ? "for example tcp:port=5005" : "for example tcp:server=lab1,port=5005",
    );
  }
  if (role === "connect" && spec.server === undefined) {
    fail(text, "tcp needs server=HOST to connect", "for example tcp:server=lab1,port=5005");
  }
  if (role === "connect" && spec.port === 0) {
    fail(text, "cannot connect to port 0", "give the port the server listens on");
  }
}

function parsePort(text: string, value: string): number {
  if (!/^\d+$/.test(value)) {
    fail(text, `port "${value}" is not a number`, "ports are whole numbers from 1 to 65535");
  }
  const port = Number(value);
  if (port > 65535) fail(text, `port ${port} is out of range`, "ports are from 1 to 65535");
  return port;
}

function usageFor(transport: string): string {
  return transport === "tcp"
    ? "for example tcp:port=5005 or tcp:server=lab1,port=5005"
    : "for example npipe:pipe=demo";
}

/** Format a spec back to its canonical connection string. */
export function formatConnStr(spec: ConnSpec): string {
  if (spec.transport === "npipe") return `npipe:pipe=${spec.pipe}`;
  const parts: string[] = [];
  if (spec.server !== undefined) parts.push(`server=${spec.server}`);
  if (spec.port !== undefined) parts.push(`port=${spec.port}`);
  if (spec.ipversion !== undefined) parts.push(`ipversion=${spec.ipversion}`);
  return `tcp:${parts.join(",")}`;
}

/** Expand WinDbg's pipe-name placeholders: %d is the process id. */
export function expandPipeName(name: string, pid: number): string {
  return name.replaceAll("%d", String(pid));
}
