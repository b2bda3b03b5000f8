/**
 * What a dbgremote server tells the network about itself (DNS-SD, RFC 6763),
 * and how that maps to a service instance of `_dbgremote._tcp.local` with a
 * TXT record. Pure.
 *
 * TXT keys: txtvers=1, name, host, pid, engine, program, release, protocol,
 * clients (the number connected, the server's own terminal not counted) and
 * ep1..epN, one endpoint each, written as the connection string a client
 * uses. Hidden endpoints and reverse (clicon) endpoints are never written,
 * and no password ever is: `password_env=VAR` names the variable only, an
 * inline password shows as `password=*`.
 */
import { type ConnSpec, formatConnStr, isLoopback, isTcpFamily, parseConnStr } from "../connstr.ts";
import type { Name } from "./dns_codec.ts";
import { decodeTxt, encodeTxt } from "./txt.ts";

export const SERVICE: Name = ["_dbgremote", "_tcp", "local"];
/** DNS-SD's list of service types on the link (RFC 6763 §9). */
export const SERVICE_TYPES: Name = ["_services", "_dns-sd", "_udp", "local"];

export interface Advert {
  name: string;
  host: string;
  pid: number;
  engine: string;
  program: string;
  release: string;
  protocol: string;
  clients: number;
  /** Connection strings for clients, hidden ones already left out. */
  endpoints: string[];
}

const utf8 = new TextEncoder();

/** Cut text to at most `max` UTF-8 bytes, whole characters only. */
function cutText(text: string, max: number): string {
  let out = "";
  let n = 0;
  for (const ch of text) {
    n += utf8.encode(ch).length;
    if (n > max) break;
    out += ch;
  }
  return out;
}

/**
 * The instance's label, unique without probing: two servers on one host differ
 * in pid, two hosts in name. At most 63 bytes: a long server name is cut.
 */
export function instanceLabel(ad: Pick<Advert, "name" | "host" | "pid">): string {
  const tail = ` on ${hostLabel(ad.host)} (${ad.pid})`;
  return cutText(ad.name, 63 - utf8.encode(tail).length) + tail;
}

export function instanceName(ad: Pick<Advert, "name" | "host" | "pid">): Name {
  return [instanceLabel(ad), ...SERVICE];
}

/** The host's label in `.local`: its name up to the first dot, at most 63 bytes. */
export function hostLabel(host: string): string {
  return cutText(host.split(".")[0] || "host", 63);
}

/**
 * The connection string a client uses for a listening endpoint, or undefined
 * if the endpoint is not to be advertised (hidden, or a reverse connection).
 * `address` is what the listener reports (the bound address, the port taken).
 */
export function advertisedEndpoint(
  spec: ConnSpec,
  address: string,
  host: string,
): string | undefined {
  if (spec.hidden) return undefined;
  if ((spec.transport === "tcp" || spec.transport === "ssl") && spec.clicon !== undefined) {
    return undefined;
  }
  let client: ConnSpec;
  try {
    client = parseConnStr(address);
  } catch {
    return undefined;
  }
  if (isTcpFamily(client) && spec.transport === client.transport) {
    // Bound to every interface: others reach it by the host's name.
    if (spec.server === undefined) client.server = host;
    if (spec.ipversion !== undefined) client.ipversion = spec.ipversion;
  }
  if (spec.passwordEnv !== undefined) client.passwordEnv = spec.passwordEnv;
  else if (spec.password !== undefined) client.password = "*";
  return formatConnStr(client);
}

/** Can a client only use this endpoint on the server's own machine (a pipe, loopback, a serial line)? */
export function isLocalOnly(endpoint: string): boolean {
  try {
    const spec = parseConnStr(endpoint);
    return isTcpFamily(spec) ? isLoopback(spec.server) : true;
  } catch {
    return true;
  }
}

export function advertTxt(ad: Advert): Uint8Array[] {
  return encodeTxt([
    ["txtvers", "1"],
    ["name", ad.name],
    ["host", ad.host],
    ["pid", String(ad.pid)],
    ["engine", ad.engine],
    ["program", ad.program],
    ["release", ad.release],
    ["protocol", ad.protocol],
    ["clients", String(ad.clients)],
    ...ad.endpoints.map((e, i): [string, string] => [`ep${i + 1}`, e]),
  ]);
}

/** An advert from a TXT record, or undefined if it is not one (no name or host). */
export function parseAdvertTxt(strings: Uint8Array[]): Advert | undefined {
  const txt = decodeTxt(strings);
  const name = txt.get("name");
  const host = txt.get("host");
  if (!name || !host) return undefined;
  const endpoints: string[] = [];
  for (let i = 1; txt.has(`ep${i}`); i++) endpoints.push(txt.get(`ep${i}`)!);
  const count = (key: string) => {
    const v = Number(txt.get(key));
    return Number.isSafeInteger(v) && v >= 0 ? v : 0;
  };
  return {
    name,
    host,
    pid: count("pid"),
    engine: txt.get("engine") ?? "",
    program: txt.get("program") ?? "",
    release: txt.get("release") ?? "",
    protocol: txt.get("protocol") ?? "",
    clients: count("clients"),
    endpoints,
  };
}
