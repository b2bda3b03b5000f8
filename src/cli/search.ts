/**
 * `dbgremote search [HOST] [--timeout S] [--json]`: list the servers that
 * answer now, on this network segment or on HOST (WinDbg's `-QR \\Server`).
 */
import dns from "node:dns/promises";
import { hostLabel, isLocalOnly } from "../discovery/advert.ts";
import { type SearchResult, searchServers } from "../discovery/search.ts";
import { formatConnStr, parseConnStr } from "../connstr.ts";
import { UsageError } from "../errors.ts";
import { TERMINAL_UNSAFE } from "../protocol/messages.ts";
import type { VersionInfo } from "../version.ts";
import { type CliContext, EXIT } from "./context.ts";
import { parseCommandArgs } from "./args.ts";

export const DEFAULT_TIMEOUT_S = 1.5;
const MAX_TIMEOUT_S = 600;

/** A server as `search` shows it: the endpoints usable from here only. */
export interface Listed extends SearchResult {
  /** Endpoints usable only on the server's machine, left out because this is another machine. */
  elsewhere: number;
}

export function parseTimeout(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TIMEOUT_S * 1000;
  const s = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(s > 0) || s > MAX_TIMEOUT_S) {
    throw new UsageError(
      `--timeout ${text} is not a number of seconds from 0.1 to ${MAX_TIMEOUT_S}`,
      `for example --timeout 5 (default ${DEFAULT_TIMEOUT_S})`,
    );
  }
  return Math.max(100, Math.round(s * 1000));
}

/** HOST as the user gave it, normalised: WinDbg's `\\Server`, a `.local` name, any case. */
export function normaliseHost(text: string): string {
  return text.trim().replace(/^(\\\\|\/\/)/, "").replace(/\.$/, "").replace(/\.local$/i, "")
    .toLowerCase();
}

/**
 * Is `server` on `wanted` (normalised)? By name (a short name matches a full
 * one), by any of its addresses, or by an address `wanted` resolves to.
 * `localhost` means this machine.
 */
export function onHost(server: SearchResult, wanted: string, resolved: Set<string>): boolean {
  const host = server.host.toLowerCase();
  if (host === wanted) return true;
  if ((!host.includes(".") || !wanted.includes(".")) && hostLabel(host) === hostLabel(wanted)) {
    return true;
  }
  if (wanted === "localhost" && server.local) return true;
  const addrs = [...server.addresses, server.from];
  return addrs.includes(wanted) || addrs.some((a) => resolved.has(a));
}

/** Keep what a client here can use: endpoints local to the server's machine need to be there. */
export function usableHere(server: SearchResult): Listed {
  if (server.local) return { ...server, elsewhere: 0 };
  const endpoints = server.endpoints.filter((e) => !isLocalOnly(e));
  return { ...server, endpoints, elsewhere: server.endpoints.length - endpoints.length };
}

/**
 * The endpoint with `server=HOST` replaced by `address`: for a host whose name
 * does not resolve here (a LAN without DNS for it), so the string still connects.
 */
export function withAddress(endpoint: string, host: string, address: string): string {
  let spec;
  try {
    spec = parseConnStr(endpoint);
  } catch {
    return endpoint;
  }
  const overTcp = ["tcp", "ssl", "dap", "daps"].includes(spec.transport);
  if (!overTcp || !("server" in spec) || spec.server !== host) {
    return endpoint;
  }
  (spec as { server?: string }).server = address;
  return formatConnStr(spec);
}

/** Rewrite endpoints of servers whose host name does not lead here to their address. */
async function reachable(servers: Listed[], withinMs: number): Promise<Listed[]> {
  const names = [...new Set(servers.map((s) => s.host))];
  const resolved = new Map(
    await Promise.all(names.map(async (n) => [n, await resolveHost(n, withinMs)] as const)),
  );
  return servers.map((s) => {
    const known = resolved.get(s.host)!;
    if (s.addresses.some((a) => known.has(a)) || (s.local && known.size > 0)) return s;
    return { ...s, endpoints: s.endpoints.map((e) => withAddress(e, s.host, s.addresses[0])) };
  });
}

/**
 * Text from the network as a terminal may show it: control characters (an
 * escape sequence could rewrite the screen or the window title) and
 * bidirectional overrides written as `\xNN` / `\u{NNNN}`. Any host on the
 * link can answer a search with any text.
 */
export function printable(text: string): string {
  return text.replace(TERMINAL_UNSAFE, (c) => {
    const n = c.codePointAt(0)!;
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, "0")}` : `\\u{${n.toString(16)}}`;
  });
}

function major(protocol: string): string {
  return protocol.split(".")[0];
}

/** The table people read. Endpoints are last, one per line. */
export function formatTable(servers: Listed[], mine: VersionInfo): string {
  const rows = servers.map((found) => {
    const s: Listed = {
      ...found,
      name: printable(found.name),
      host: printable(found.host),
      engine: printable(found.engine),
      program: printable(found.program),
      release: printable(found.release),
      protocol: printable(found.protocol),
      endpoints: found.endpoints.map(printable),
      addresses: found.addresses.map(printable),
    };
    let release = s.release || "?";
    if (s.protocol && major(s.protocol) !== major(mine.protocol)) {
      release += ` (protocol ${s.protocol}: cannot connect, yours is ${mine.protocol})`;
    } else if (s.release && s.release !== mine.release) {
      release += ` (yours: ${mine.release})`;
    }
    const endpoints = s.endpoints.length ? [...s.endpoints] : ["(none usable from here)"];
    if (s.elsewhere) endpoints.push(`(+${s.elsewhere} usable only on ${s.host})`);
    return {
      cells: [
        s.name,
        s.local ? `${s.host} (this machine)` : `${s.host} ${s.addresses.join(" ")}`,
        String(s.clients),
        s.engine || "?",
        s.program || "?",
        release,
      ],
      endpoints,
    };
  });
  const head = ["NAME", "HOST", "CLIENTS", "ENGINE", "PROGRAM", "RELEASE"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i].length)));
  const line = (cells: string[], last: string) =>
    cells.map((c, i) => c.padEnd(widths[i])).join("  ") + "  " + last;
  let out = line(head, "ENDPOINTS") + "\n";
  for (const r of rows) {
    out += line(r.cells, r.endpoints[0]) + "\n";
    for (const e of r.endpoints.slice(1)) out += line(head.map(() => ""), e) + "\n";
  }
  return out;
}

/** The JSON scripts read: one object per server. */
export function formatJson(servers: Listed[]): string {
  return JSON.stringify(
    servers.map((s) => ({
      name: s.name,
      host: s.host,
      addresses: s.addresses,
      local: s.local,
      pid: s.pid,
      engine: s.engine,
      program: s.program,
      release: s.release,
      protocol: s.protocol,
      clients: s.clients,
      endpoints: s.endpoints,
      instance: s.instance,
    })),
    null,
    2,
  ) + "\n";
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** What to say when nobody answered: the likely reasons, most common first. */
export function nothingFound(
  timeoutMs: number,
  host: string | undefined,
  others: Listed[],
): string {
  const where = host === undefined ? "" : ` on ${host}`;
  let text = `no dbgremote server${where} answered within ${seconds(timeoutMs)}\n`;
  if (host !== undefined && others.length) {
    text += `  (${others.length} elsewhere did: ${
      others.map((s) => printable(`${s.name} on ${s.host}`)).join(", ")
    })\n`;
  }
  return text +
    "  hint: servers whose endpoints are all hidden, or started with --nodiscover, are never listed\n" +
    "  hint: from another machine only servers listening beyond loopback are found " +
    "(pipes, 127.0.0.1 and serial lines are listed on their own machine)\n" +
    "  hint: search uses multicast DNS (udp port 5353, group 224.0.0.251): firewalls must pass it, " +
    "and it does not cross routers\n" +
    `  hint: on a slow network wait longer: --timeout 5\n`;
}

async function resolveHost(host: string, withinMs: number): Promise<Set<string>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const giveUp = new Promise<{ address: string }[]>((
    r,
  ) => (timer = setTimeout(() => r([]), withinMs)));
  try {
    const found = await Promise.race([dns.lookup(host, { all: true }).catch(() => []), giveUp]);
    return new Set(found.map((a) => a.address));
  } finally {
    clearTimeout(timer);
  }
}

export async function searchCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("search", argv, {
    timeout: { type: "string" },
    json: { type: "boolean", default: false },
  });
  if (positionals.length > 1) {
    throw new UsageError(
      `search takes one host, got ${positionals.length}: ${positionals.join(" ")}`,
      "for example: dbgremote search lab1 (or no host: the whole network segment)",
    );
  }
  const timeoutMs = parseTimeout(values.timeout);
  const host = positionals[0] === undefined ? undefined : normaliseHost(positionals[0]);
  if (host === "") throw new UsageError("the host is empty", "for example: dbgremote search lab1");
  const [found, resolved] = await Promise.all([
    searchServers({ timeoutMs }),
    host === undefined ? Promise.resolve(new Set<string>()) : resolveHost(host, timeoutMs),
  ]);
  const all = await reachable(found.map(usableHere), 1000);
  const listed = host === undefined ? all : all.filter((s) => onHost(s, host, resolved));
  if (values.json) {
    ctx.platform.stdout(formatJson(listed));
    return EXIT.ok;
  }
  if (listed.length === 0) {
    ctx.platform.stdout(nothingFound(timeoutMs, positionals[0], all));
    return EXIT.ok;
  }
  ctx.platform.stdout(formatTable(listed, ctx.version));
  ctx.platform.stdout(
    `${listed.length} server(s)${positionals[0] ? ` on ${positionals[0]}` : ""} answered within ${
      seconds(timeoutMs)
    }; connect with: dbgremote client ENDPOINT\n`,
  );
  return EXIT.ok;
}
