/**
 * The transports of a connection string in one table: each one's family (tcp, a
 * local pipe, a serial line), the options it takes, the option it cannot do
 * without, defaults, and how its endpoint is built from the options. Parsing,
 * formatting and masking secrets all read this table.
 */
import { ConnStrError } from "../errors.ts";
import type {
  CommonSpec,
  ComSpec,
  ConnSpec,
  DapSpec,
  HttpSpec,
  TcpSpec,
  TlsOptions,
} from "./spec.ts";

export type Transport = ConnSpec["transport"];
/** The options as written (keys lower-cased, a flag's value ""), each checked for form. */
export type Values = ReadonlyMap<string, string>;

/** What building an endpoint starts from: the options, the common and TLS ones already read. */
export interface Parts {
  text: string;
  transport: Transport;
  values: Values;
  common: CommonSpec;
  tls: TlsOptions;
}

/** What the transports over one kind of channel (tcp, a local pipe, a serial line) share. */
export interface Family {
  /** The family's own keys, first in each transport's list. */
  keys: readonly string[];
  /** The option no endpoint of the family can do without, whatever its role (hint: the example). */
  required?: { key: string; message: (t: Transport) => string };
  /** Values of options left out. */
  defaults?: Readonly<Record<string, string>>;
  /** An example for a usage hint. */
  example: (t: Transport) => string;
}

const COMMON_KEYS = ["password", "password_env", "insecure", "hidden", "observe"];
export const TLS_KEYS = ["certfile", "keyfile", "cafile", "clientca"];
const BAUDS = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600];
/** Keys that are flags: present or absent, no value (WinDbg's `hidden`). */
export const FLAGS = ["insecure", "hidden", "observe"];

const TCP_FAMILY: Family = {
  keys: ["port", "server", "ipversion"],
  example: (t) => `for example ${t}:port=5005 or ${t}:server=lab1,port=5005`,
};
const PIPE_FAMILY: Family = {
  keys: ["pipe"],
  required: { key: "pipe", message: (t) => `${t} needs pipe=NAME` },
  example: (t) => `for example ${t}:pipe=demo`,
};
const SERIAL_FAMILY: Family = {
  keys: ["port", "baud"],
  required: { key: "port", message: () => "com needs port=DEVICE" },
  defaults: { baud: "115200" },
  example: () => "for example com:port=/dev/ttyS0,baud=115200",
};

/** One transport: its family, every option it takes (in the order hints list them), how it is built. */
interface TransportEntry {
  family: Family;
  keys: readonly string[];
  /** Speaks TLS: takes certfile/keyfile (needed to listen) and shows them when formatted. */
  tls: boolean;
  build: (p: Parts) => ConnSpec;
}

function entry(
  family: Family,
  more: readonly string[],
  tls: boolean,
  build: (p: Parts) => ConnSpec,
): TransportEntry {
  return { family, keys: [...family.keys, ...more], tls, build };
}

/** Every transport: the one table parsing, formatting and masking read. */
export const TRANSPORTS: Record<Transport, TransportEntry> = {
  tcp: entry(TCP_FAMILY, ["clicon", ...COMMON_KEYS], false, tcpSpec),
  npipe: entry(PIPE_FAMILY, COMMON_KEYS, false, (p) => ({
    transport: "npipe",
    pipe: pipeName(p),
    ...p.common,
  })),
  ssl: entry(TCP_FAMILY, [...COMMON_KEYS, ...TLS_KEYS], true, (p) => ({
    ...tcpSpec(p),
    ...p.tls,
    transport: "ssl",
  })),
  spipe: entry(PIPE_FAMILY, [...COMMON_KEYS, ...TLS_KEYS], true, (p) => ({
    transport: "spipe",
    pipe: pipeName(p),
    ...p.common,
    ...p.tls,
  })),
  com: entry(SERIAL_FAMILY, COMMON_KEYS, false, comSpec),
  http: entry(TCP_FAMILY, ["expire", ...COMMON_KEYS], false, httpSpec),
  https: entry(
    TCP_FAMILY,
    ["expire", ...COMMON_KEYS, "certfile", "keyfile", "cafile"],
    true,
    (p) => ({ ...httpSpec(p), ...p.tls, transport: "https" }),
  ),
  dap: entry(TCP_FAMILY, COMMON_KEYS, false, dapSpec),
  daps: entry(
    TCP_FAMILY,
    [...COMMON_KEYS, "certfile", "keyfile"],
    true,
    (p) => ({ ...dapSpec(p), ...p.tls, transport: "daps" }),
  ),
};

/** Is this endpoint addressed by a tcp port (tcp, ssl, http, https, dap, daps)? */
export function isTcpFamily(
  spec: ConnSpec,
): spec is Extract<ConnSpec, { transport: "tcp" | "ssl" | "http" | "https" | "dap" | "daps" }> {
  return TRANSPORTS[spec.transport].family === TCP_FAMILY;
}

/** Does this endpoint speak TLS (ssl, spipe, https, daps)? */
export function isTls(
  spec: ConnSpec,
): spec is Extract<ConnSpec, { transport: "ssl" | "spipe" | "https" | "daps" }> {
  return TRANSPORTS[spec.transport].tls;
}

/** Every key any transport takes, whose value may be shown (all but the password). */
const SHOWN_KEYS = new Set(
  Object.values(TRANSPORTS).flatMap((t) => t.keys).filter((k) => k !== "password"),
);

/**
 * The connection string (or a command holding one, `.server tcp:...`) with every value that may
 * be secret replaced by `*`: an inline password, and anything under a key no transport knows
 * (`pasword=hunter2` is a typo of a secret, shown to everyone before it is refused), or an
 * unknown bare word. Fit for messages, logs and the session's echo.
 */
export function maskSecrets(text: string): string {
  return text.replace(
    /([:,]\s*)([^,=:\s]+)(\s*=\s*[^,\s]*)?/g,
    (all, lead: string, key: string, value: string | undefined) => {
      const k = key.toLowerCase();
      if (value === undefined) return FLAGS.includes(k) ? all : `${lead}*`;
      return SHOWN_KEYS.has(k) ? all : `${lead}${key}=*`;
    },
  );
}

export function fail(text: string, message: string, hint?: string, offset?: number): never {
  throw new ConnStrError(`bad connection string "${maskSecrets(text)}": ${message}`, hint, offset);
}

/** The tcp family's address: port (or WinDbg's Start:End range), server or clicon, ipversion. */
function tcpSpec({ text, values, common }: Parts): TcpSpec {
  const tcp: TcpSpec = { transport: "tcp", ...common };
  const port = values.get("port");
  if (port !== undefined) {
    // WinDbg's port range, Start:End: the server takes the first free port in it.
    const range = /^(\d+):(\d+)$/.exec(port);
    if (range) {
      tcp.port = parsePort(text, range[1]);
      tcp.portEnd = parsePort(text, range[2]);
      if (tcp.portEnd <= tcp.port || tcp.port === 0) {
        fail(
          text,
          `port range ${port} is empty or backwards`,
          "write Start:End with Start < End, e.g. port=5005:5015",
        );
      }
    } else {
      tcp.port = parsePort(text, port);
    }
  }
  const server = values.get("server");
  if (server !== undefined) tcp.server = server;
  const clicon = values.get("clicon");
  if (clicon !== undefined) {
    if (server !== undefined) {
      fail(
        text,
        "give server= or clicon=, not both",
        "clicon=HOST reverses the connection: see the README",
      );
    }
    tcp.clicon = clicon;
  }
  const ipv = values.get("ipversion");
  if (ipv !== undefined) {
    if (ipv !== "4" && ipv !== "6") fail(text, `ipversion must be 4 or 6, not "${ipv}"`);
    tcp.ipversion = ipv === "4" ? 4 : 6;
  }
  return tcp;
}

/** A tcp address plus how long a browser login lasts. */
function httpSpec(p: Parts): HttpSpec {
  const web: HttpSpec = { ...tcpSpec(p), transport: "http" };
  const expire = p.values.get("expire");
  if (expire !== undefined) web.expire = parseDuration(p.text, expire);
  return web;
}

/** A tcp address where editors attach (they dial; the server never does: no clicon). */
function dapSpec(p: Parts): DapSpec {
  const { clicon: _, ...tcp } = tcpSpec(p);
  return { ...tcp, transport: "dap" };
}

/** A pipe name: plain, or an absolute socket path. */
function pipeName({ text, values }: Parts): string {
  const pipe = values.get("pipe")!;
  if (!pipe.startsWith("/") && /[/\\]/.test(pipe)) {
    fail(text, `pipe name "${pipe}" contains a slash`, "give a plain name or an absolute path");
  }
  return pipe;
}

/** A serial line: a tty device and a standard rate. */
function comSpec({ text, values, common }: Parts): ComSpec {
  const device = values.get("port")!;
  if (!device.startsWith("/dev/") && !device.startsWith("/")) {
    fail(
      text,
      `com port "${device}" is not a device path`,
      "give the tty device, e.g. port=/dev/ttyUSB0",
    );
  }
  const baudText = values.get("baud")!;
  const baud = Number(baudText);
  if (!BAUDS.includes(baud)) {
    fail(text, `baud ${baudText} is not a standard rate`, `rates: ${BAUDS.join(", ")}`);
  }
  return { transport: "com", device, baud, ...common };
}

function parsePort(text: string, value: string): number {
  if (!/^\d+$/.test(value)) {
    fail(text, `port "${value}" is not a number`, "ports are whole numbers from 1 to 65535");
  }
  const port = Number(value);
  if (port > 65535) fail(text, `port ${port} is out of range`, "ports are from 1 to 65535");
  return port;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `90s`, `30m`, `12h`, `7d` → seconds. */
export function parseDuration(text: string, value: string): number {
  const m = /^(\d+)([smhd])$/.exec(value);
  const seconds = m ? Number(m[1]) * UNITS[m[2]] : 0;
  if (!m || seconds <= 0 || seconds > 366 * 86400) {
    fail(
      text,
      `expire "${value}" is not a duration`,
      "give a number and a unit, from 1s to 366d: e.g. expire=90s, expire=30m, expire=12h",
    );
  }
  return seconds;
}

/** Seconds as the shortest duration text that says them exactly (43200 → "12h"). */
export function formatDuration(seconds: number): string {
  for (const unit of ["d", "h", "m"]) {
    if (seconds % UNITS[unit] === 0) return `${seconds / UNITS[unit]}${unit}`;
  }
  return `${seconds}s`;
}
