/**
 * Multicast DNS sockets over node:dgram (the same in Deno and in the
 * bun-compiled binary: checked in both). IPv4 only: group 224.0.0.251, port
 * 5353.
 *
 * Two scopes: "host" sockets join the group on the loopback interface only
 * (Linux carries multicast over lo without a route), so nothing leaves the
 * machine; "lan" sockets also join on every non-loopback IPv4 interface.
 * Sends to the group go out on every interface of the socket's scope, one
 * after another (the outgoing interface is a socket option).
 */
import dgram from "node:dgram";
import os from "node:os";

export const MDNS_GROUP = "224.0.0.251";
export const MDNS_PORT = 5353;
const LOOPBACK = "127.0.0.1";

export interface Peer {
  address: string;
  port: number;
}

export type Scope = "host" | "lan";

export interface MdnsSocket {
  /** The interface addresses the socket sends to the group on (loopback first). */
  readonly interfaces: string[];
  /** Send to `to`, or to the group on every interface when `to` is omitted. */
  send(bytes: Uint8Array, to?: Peer): Promise<void>;
  onMessage(handler: (bytes: Uint8Array, from: Peer) => void): void;
  close(): Promise<void>;
}

/** The machine's non-loopback IPv4 addresses (one per interface address). */
export function lanAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) {
      if ((a.family === "IPv4" || (a.family as unknown) === 4) && !a.internal) out.push(a.address);
    }
  }
  return out;
}

/** Every address of this machine, loopback included: an answer from one of them came from here. */
export function ownAddresses(): Set<string> {
  const out = new Set<string>([LOOPBACK, "::1"]);
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) out.add(a.address);
  }
  return out;
}

function ipv4Number(address: string): number | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  if (!m) return undefined;
  return m.slice(1).reduce((n, p) => n * 256 + Number(p), 0);
}

/**
 * Is `address` this machine or on one of its IPv4 subnets? A responder answers
 * only such askers (RFC 6762 §11): no answers to spoofed far-away sources.
 */
export function onLocalLink(address: string): boolean {
  if (ownAddresses().has(address)) return true;
  const a = ipv4Number(address);
  if (a === undefined) return false;
  for (const list of Object.values(os.networkInterfaces())) {
    for (const i of list ?? []) {
      const mine = ipv4Number(i.address);
      const mask = ipv4Number(i.netmask);
      if (mine === undefined || mask === undefined || i.internal) continue;
      if (((a & mask) >>> 0) === ((mine & mask) >>> 0)) return true;
    }
  }
  return false;
}

/**
 * Open a socket. `port` 5353 listens for queries and announcements (shared
 * with other mDNS software through SO_REUSEADDR); port 0 is a one-shot
 * querier's own port, whose answers come back by unicast (RFC 6762 §6.7).
 */
export async function openMdnsSocket(
  options: { port: number; scope: Scope },
): Promise<MdnsSocket> {
  const socket = dgram.createSocket({ type: "udp4", reuseAddr: true });
  const handlers: ((bytes: Uint8Array, from: Peer) => void)[] = [];
  socket.on("message", (msg: Uint8Array, rinfo: dgram.RemoteInfo) => {
    for (const h of handlers) h(new Uint8Array(msg), { address: rinfo.address, port: rinfo.port });
  });
  let failure: Error | undefined;
  socket.on("error", (err) => (failure = err));
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(options.port, () => {
      socket.off("error", reject);
      resolve();
    });
  });
  const interfaces = [LOOPBACK, ...(options.scope === "lan" ? lanAddresses() : [])];
  const joined: string[] = [];
  for (const address of interfaces) {
    try {
      if (options.port === MDNS_PORT) socket.addMembership(MDNS_GROUP, address);
      joined.push(address);
    } catch {
      // an interface without multicast (or gone since we listed it): skip it
    }
  }
  try {
    socket.setMulticastTTL(255);
    socket.setTTL(255); // RFC 6762 §11: mDNS packets go out with IP TTL 255
    socket.setMulticastLoopback(true);
  } catch {
    // defaults are fine
  }
  let chain = Promise.resolve();
  const sendOne = (bytes: Uint8Array, port: number, address: string, via?: string) =>
    new Promise<void>((resolve, reject) => {
      if (via !== undefined) socket.setMulticastInterface(via);
      socket.send(bytes, port, address, (err) => (err ? reject(err) : resolve()));
    });
  let closed = false;
  return {
    interfaces: joined,
    send(bytes, to) {
      if (closed) return Promise.resolve();
      if (failure) return Promise.reject(failure);
      // One send at a time: the outgoing interface is socket state.
      const run = chain.then(async () => {
        if (to) return await sendOne(bytes, to.port, to.address);
        let sent = 0;
        let last: unknown;
        for (const via of joined) {
          try {
            await sendOne(bytes, MDNS_PORT, MDNS_GROUP, via);
            sent++;
          } catch (err) {
            last = err;
          }
        }
        if (sent === 0 && last !== undefined) throw last;
      });
      chain = run.catch(() => {});
      return run;
    },
    onMessage(handler) {
      handlers.push(handler);
    },
    async close() {
      if (closed) return;
      closed = true;
      await chain;
      await new Promise<void>((resolve) => {
        try {
          socket.close(() => resolve());
        } catch {
          resolve();
        }
      });
    },
  };
}
