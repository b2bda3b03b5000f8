/**
 * Which local user is behind a loopback tcp connection. Every local user
 * shares 127.0.0.1, so a lockout by address would let one user lock all the
 * others out; Linux tells a socket's owner in /proc/net/tcp{,6}, where the
 * peer's own end (local port = the peer's port) lists its uid. Elsewhere, or
 * when the table says nothing, the answer is undefined and the address is all
 * there is to go by.
 */
import fs from "node:fs";
import { isLoopback } from "../connstr.ts";

/** "tcp:127.0.0.1:40312" → { address: "127.0.0.1", port: 40312 } (also ssl:, http:, [v6]). */
export function peerEndpoint(peer: string): { address: string; port: number } | undefined {
  const m = /^[a-z]+:(\[[^\]]+\]|[^:]+):(\d+)$/.exec(peer);
  return m ? { address: m[1].replace(/^\[(.*)\]$/, "$1"), port: Number(m[2]) } : undefined;
}

const V4_LOOPBACK = /^[0-9A-F]{6}7F$/i; // 127.x.y.z, little-endian
const V6_LOOPBACK = /^(0{24}01000000|0{16}FFFF0000[0-9A-F]{6}7F)$/i; // ::1, ::ffff:127.x.y.z

/**
 * Every loopback socket's uid, by "LOCALPORT>REMOTEPORT" and by its local port alone (the first
 * listed), from the text of /proc/net/tcp or tcp6. Linux may give one ephemeral port to several
 * connections (to different destinations), so only both ports name one socket surely.
 */
export function uidsInTable(table: string): Map<string, number> {
  const uids = new Map<string, number>();
  for (const line of table.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 8) continue;
    const [ip, hexPort] = fields[1].split(":");
    if (!V4_LOOPBACK.test(ip) && !V6_LOOPBACK.test(ip)) continue;
    const port = parseInt(hexPort, 16);
    const remote = parseInt(fields[2].split(":")[1] ?? "", 16);
    const uid = Number(fields[7]);
    if (!Number.isInteger(uid)) continue;
    if (!uids.has(`${port}>${remote}`)) uids.set(`${port}>${remote}`, uid);
    if (!uids.has(`${port}`)) uids.set(`${port}`, uid);
  }
  return uids;
}

/**
 * The uid owning the loopback socket bound to `port` (connected to `remotePort`, when given),
 * from the text of /proc/net/tcp or tcp6.
 */
export function uidInTable(table: string, port: number, remotePort?: number): number | undefined {
  return uidsInTable(table).get(remotePort === undefined ? `${port}` : `${port}>${remotePort}`);
}

/**
 * A lookup of the uid behind a loopback peer ("tcp:127.0.0.1:40312") connected to the server's
 * port `serverPort` (if known), undefined if unknown. Connections accepted together share one
 * read of the kernel's tables (a burst of strangers must not cost a read each): what was read
 * serves until the event loop turns, and a socket not in it is read afresh.
 */
export function createUidLookup(
  read: (file: string) => string = (file) => fs.readFileSync(file, "utf8"),
  nextTurn: (f: () => void) => void = (f) => setImmediate(f),
): (peer: string, serverPort?: number) => number | undefined {
  let cached: Map<string, number> | undefined;
  const load = () => {
    const uids = new Map<string, number>();
    for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
      try {
        for (const [key, uid] of uidsInTable(read(file))) if (!uids.has(key)) uids.set(key, uid);
      } catch {
        // not Linux, or no IPv6
      }
    }
    if (cached === undefined) nextTurn(() => (cached = undefined));
    cached = uids;
    return uids;
  };
  return (peer, serverPort) => {
    const end = peerEndpoint(peer);
    if (!end || !isLoopback(end.address)) return undefined;
    const key = serverPort === undefined ? `${end.port}` : `${end.port}>${serverPort}`;
    return cached?.get(key) ?? load().get(key);
  };
}

/** The uid behind a loopback peer ("tcp:127.0.0.1:40312"), or undefined if unknown. */
export function loopbackPeerUid(
  peer: string,
  serverPort?: number,
  read: (file: string) => string = (file) => fs.readFileSync(file, "utf8"),
): number | undefined {
  return createUidLookup(read, () => {})(peer, serverPort);
}
