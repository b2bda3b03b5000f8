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
import { ConnStrError } from "./errors.ts";
import { didYouMean } from "./suggest.ts";

/** Options every transport takes. */
export interface CommonSpec {
  /** The session password, given inline (WinDbg's key). Never printed: see {@link formatConnStr}. */
  password?: string;
  /** Name of an environment variable holding the password: keeps it out of files and `ps`. */
  passwordEnv?: string;
  /** Listen on a non-loopback tcp address without a password, knowingly. */
  insecure?: boolean;
  /** Keep this endpoint out of server searches. */
  hidden?: boolean;
  /**
   * (listen) Everyone who joins through this endpoint is an observer: sees the whole
   * session, cannot run commands or interrupt. The server enforces it.
   */
  observe?: boolean;
}

export interface TcpSpec extends CommonSpec {
  transport: "tcp";
  /** Port to listen on or dial; with {@link portEnd}, the first port of a range. */
  port?: number;
  /** Last port of a `port=Start:End` range (listen only). */
  portEnd?: number;
  /**
   * Reverse connection (WinDbg's clicon): a server dials this client host instead of
   * listening; a client waits for the server named here to dial in.
   */
  clicon?: string;
  /** Address to dial (client) or bind (server). */
  server?: string;
  ipversion?: 4 | 6;
}

export interface NpipeSpec extends CommonSpec {
  transport: "npipe";
  /** Pipe name (a socket file in the pipe directory) or an absolute socket path. */
  pipe: string;
}

/** TLS options of the ssl and spipe transports (file paths, PEM). */
export interface TlsOptions {
  /** Server: its certificate. Client: its own certificate, for servers that want one. */
  certfile?: string;
  /** The private key of certfile. */
  keyfile?: string;
  /** Client: trust this CA (or self-signed certificate) for the server. */
  cafile?: string;
  /** Server: accept only clients with a certificate signed by this CA. */
  clientca?: string;
}

/** `ssl:` is TLS 1.3 over tcp. */
export interface SslSpec extends Omit<TcpSpec, "transport">, TlsOptions {
  transport: "ssl";
}

/** `spipe:` is TLS 1.3 over the local pipe. */
export interface SpipeSpec extends Omit<NpipeSpec, "transport">, TlsOptions {
  transport: "spipe";
}

/** `com:` is a serial line (WinDbg's COM port): one client at a time over a tty device. */
export interface ComSpec extends CommonSpec {
  transport: "com";
  /** The device, e.g. /dev/ttyS0 or /dev/ttyUSB0 (WinDbg's `port=`). */
  device: string;
  baud: number;
}

/**
 * `http:` serves the browser client (a web page and its WebSocket) on a tcp port;
 * native clients can connect to it too. `https:` is the same over TLS.
 */
export interface HttpSpec extends CommonSpec {
  transport: "http";
  port?: number;
  /** Last port of a `port=Start:End` range (listen only). */
  portEnd?: number;
  /** Address to dial (client) or bind (server). */
  server?: string;
  ipversion?: 4 | 6;
  /** How long a browser login lasts, in seconds (`expire=12h`). */
  expire?: number;
}

export interface HttpsSpec extends Omit<HttpSpec, "transport">, Omit<TlsOptions, "clientca"> {
  transport: "https";
}

/** `dap:` takes editors (VS Code, nvim-dap, dape) over the Debug Adapter Protocol; listen only. */
export interface DapSpec extends Omit<TcpSpec, "transport" | "clicon"> {
  transport: "dap";
}

/** `daps:` is `dap:` over TLS (the attach request carries the password). */
export interface DapsSpec extends Omit<DapSpec, "transport">, Omit<TlsOptions, "clientca"> {
  transport: "daps";
}

export type ConnSpec =
  | TcpSpec
  | NpipeSpec
  | SslSpec
  | SpipeSpec
  | ComSpec
  | HttpSpec
  | HttpsSpec
  | DapSpec
  | DapsSpec;
export type Role = "listen" | "connect";

const COMMON_KEYS = ["password", "password_env", "insecure", "hidden", "observe"];
const TLS_KEYS = ["certfile", "keyfile", "cafile", "clientca"];
const KEYS: Record<ConnSpec["transport"], readonly string[]> = {
  tcp: ["port", "server", "ipversion", "clicon", ...COMMON_KEYS],
  npipe: ["pipe", ...COMMON_KEYS],
  ssl: ["port", "server", "ipversion", ...COMMON_KEYS, ...TLS_KEYS],
  spipe: ["pipe", ...COMMON_KEYS, ...TLS_KEYS],
  com: ["port", "baud", ...COMMON_KEYS],
  http: ["port", "server", "ipversion", "expire", ...COMMON_KEYS],
  https: ["port", "server", "ipversion", "expire", ...COMMON_KEYS, "certfile", "keyfile", "cafile"],
  dap: ["port", "server", "ipversion", ...COMMON_KEYS],
  daps: ["port", "server", "ipversion", ...COMMON_KEYS, "certfile", "keyfile"],
};
const BAUDS = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600];
/** Keys that are flags: present or absent, no value (WinDbg's `hidden`). */
const FLAGS = ["insecure", "hidden", "observe"];

/** Every key any transport takes, whose value may be shown (all but the password). */
const SHOWN_KEYS = new Set(
  Object.values(KEYS).flat().filter((k) => k !== "password"),
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

function fail(text: string, message: string, hint?: string, offset?: number): never {
  throw new ConnStrError(`bad connection string "${maskSecrets(text)}": ${message}`, hint, offset);
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
  if (!(transport in KEYS)) {
    const guess = didYouMean(transport, Object.keys(KEYS));
    fail(
      text,
      `unknown transport "${transport}"`,
      guess
        ? `did you mean "${guess}"?`
        : "transports are: tcp, npipe, ssl, spipe, com, http, https, dap, daps",
      0,
    );
  }
  const values = new Map<string, string>();
  let offset = colon + 1;
  const kind = transport as ConnSpec["transport"];
  const body = trimmed.slice(colon + 1);
  if (body.trim() === "") fail(text, "no options after the transport", usageFor(transport), offset);
  for (const part of body.split(",")) {
    const eq = part.indexOf("=");
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? "" : part.slice(eq + 1).trim();
    if (key === "") fail(text, "empty option", "remove the extra comma", offset);
    if (!KEYS[kind].includes(key)) {
      const guess = didYouMean(key, KEYS[kind]);
      fail(
        text,
        `unknown option "${key}" for ${transport}`,
        guess ? `did you mean "${guess}"?` : `${transport} options are: ${KEYS[kind].join(", ")}`,
        offset,
      );
    }
    if (FLAGS.includes(key)) {
      if (eq >= 0 && !/^(1|true|yes)$/i.test(value)) {
        fail(text, `"${key}" is a flag and takes no value`, `write just "${key}"`, offset);
      }
    } else if (eq < 0 || value === "") {
      fail(text, `option "${key}" needs a value`, usageFor(transport), offset);
    }
    if (values.has(key)) fail(text, `option "${key}" given twice`, "keep one of them", offset);
    values.set(key, value);
    offset += part.length + 1;
  }

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

  const tls: TlsOptions = {};
  for (const key of TLS_KEYS as (keyof TlsOptions)[]) {
    if (values.has(key)) tls[key] = values.get(key);
  }
  if ((tls.certfile === undefined) !== (tls.keyfile === undefined)) {
    fail(text, "certfile and keyfile go together", "give both: certfile=lab.crt,keyfile=lab.key");
  }

  let spec: ConnSpec;
  if (kind === "com") {
    const device = values.get("port");
    if (device === undefined) {
      fail(text, "com needs port=DEVICE", "for example com:port=/dev/ttyS0,baud=115200");
    }
    if (!device.startsWith("/dev/") && !device.startsWith("/")) {
      fail(
        text,
        `com port "${device}" is not a device path`,
        "give the tty device, e.g. port=/dev/ttyUSB0",
      );
    }
    const baudText = values.get("baud") ?? "115200";
    const baud = Number(baudText);
    if (!BAUDS.includes(baud)) {
      fail(text, `baud ${baudText} is not a standard rate`, `rates: ${BAUDS.join(", ")}`);
    }
    spec = { transport: "com", device, baud, ...common };
  } else if (
    kind === "tcp" || kind === "ssl" || kind === "http" || kind === "https" || kind === "dap" ||
    kind === "daps"
  ) {
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
    if (kind === "dap" || kind === "daps") {
      const { clicon: _, ...rest } = tcp;
      spec = kind === "dap"
        ? { ...rest, transport: "dap" }
        : { ...rest, ...tls, transport: "daps" };
    } else if (kind === "http" || kind === "https") {
      const web: HttpSpec = { ...tcp, transport: "http" };
      const expire = values.get("expire");
      if (expire !== undefined) web.expire = parseDuration(text, expire);
      spec = kind === "http" ? web : { ...web, ...tls, transport: "https" };
    } else {
      spec = kind === "tcp" ? tcp : { ...tcp, ...tls, transport: "ssl" };
    }
  } else {
    const pipe = values.get("pipe");
    if (pipe === undefined) fail(text, `${kind} needs pipe=NAME`, `for example ${kind}:pipe=demo`);
    if (!pipe.startsWith("/") && /[/\\]/.test(pipe)) {
      fail(text, `pipe name "${pipe}" contains a slash`, "give a plain name or an absolute path");
    }
    spec = kind === "npipe"
      ? { transport: "npipe", pipe, ...common }
      : { transport: "spipe", pipe, ...common, ...tls };
  }
  if (role) checkRole(text, spec, role);
  return spec;
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
  if (
    (spec.transport === "ssl" || spec.transport === "spipe" || spec.transport === "https" ||
      spec.transport === "daps") &&
    role === "listen" && !spec.certfile
  ) {
    fail(
      text,
      `${spec.transport} needs certfile= and keyfile= to listen`,
      "create a pair with: dbgremote cert",
    );
  }
  if (spec.transport === "npipe" || spec.transport === "spipe" || spec.transport === "com") return;
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
function parseDuration(text: string, value: string): number {
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

function usageFor(transport: string): string {
  if (transport === "com") return "for example com:port=/dev/ttyS0,baud=115200";
  return transport === "tcp" || transport === "ssl" || transport === "http" ||
      transport === "https" || transport === "dap" || transport === "daps"
    ? `for example ${transport}:port=5005 or ${transport}:server=lab1,port=5005`
    : `for example ${transport}:pipe=demo`;
}

/** Format a spec back to its canonical connection string. An inline password shows as `*`, as in WinDbg. */
export function formatConnStr(spec: ConnSpec): string {
  const parts: string[] = [];
  if (spec.transport === "npipe" || spec.transport === "spipe") {
    parts.push(`pipe=${spec.pipe}`);
  } else if (spec.transport === "com") {
    parts.push(`port=${spec.device}`, `baud=${spec.baud}`);
  } else {
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
  if (
    spec.transport === "ssl" || spec.transport === "spipe" || spec.transport === "https" ||
    spec.transport === "daps"
  ) {
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
