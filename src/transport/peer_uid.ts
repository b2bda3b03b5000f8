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

/** The uid owning the loopback socket bound to `port`, from the text of /proc/net/tcp or tcp6. */
export function uidInTable(table: string, port: number): number | undefined {
  for (const line of table.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 8) continue;
    const [ip, hexPort] = fields[1].split(":");
    if (parseInt(hexPort, 16) !== port) continue;
    if (!V4_LOOPBACK.test(ip) && !V6_LOOPBACK.test(ip)) continue;
    const uid = Number(fields[7]);
    if (Number.isInteger(uid)) return uid;
  }
  return undefined;
}

/** The uid behind a loopback peer ("tcp:127.0.0.1:40312"), or undefined if unknown. */
export function loopbackPeerUid(
  peer: string,
  read: (file: string) => string = (file) => fs.readFileSync(file, "utf8"),
): number | undefined {
  const end = peerEndpoint(peer);
  if (!end || !isLoopback(end.address)) return undefined;
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let table: string;
    try {
      table = read(file);
    } catch {
      continue; // not Linux, or no IPv6
    }
    const uid = uidInTable(table, end.port);
    if (uid !== undefined) return uid;
  }
  return undefined;
}
