/**
 * A server's voice on multicast DNS: it answers searches for
 * `_dbgremote._tcp.local`, announces itself when it starts and whenever what
 * it advertises changes (clients come or go, endpoints open or close), and
 * says goodbye (TTL 0) when it stops.
 *
 * Scope follows the endpoints: a server with an endpoint other machines can
 * reach (tcp/ssl beyond loopback) is announced on every IPv4 interface; one
 * reachable only from this machine (pipes, loopback, serial lines) listens on
 * the loopback interface alone and answers only searches made on this
 * machine; nothing about it leaves the host. A server with nothing to
 * advertise (every endpoint hidden) answers nobody.
 */
import { type Advert } from "./advert.ts";
import { decodeMessage, encodeMessage, type Message } from "./dns_codec.ts";
import {
  lanAddresses,
  MDNS_PORT,
  type MdnsSocket,
  onLocalLink,
  openMdnsSocket,
  ownAddresses,
  type Scope,
} from "./mdns_socket.ts";
import {
  announcement,
  answerQuery,
  goodbye,
  type ServerRecords,
  serverRecords,
} from "./responder.ts";

export interface AnnouncerOptions {
  /** What to advertise now, or undefined for nothing (every endpoint hidden). Called on each use. */
  describe: () => Advert | undefined;
  log: (line: string) => void;
  /** Open the socket (tests pass their own). */
  open?: (scope: Scope) => Promise<MdnsSocket>;
  /** The host's IPv4 addresses for its A records (default: its interfaces'). */
  addresses?: () => string[];
  /** Every address of this machine, to tell its own searches from others' (default: its interfaces'). */
  own?: () => Set<string>;
  /** Is an asker on this machine or its subnets (default: by its interfaces)? Others get nothing. */
  onLink?: (address: string) => boolean;
  /** Wait after a change before announcing, to coalesce a burst (default 200 ms). */
  settleMs?: number;
  /** Between the two copies of an announcement (RFC 6762 §8.3: at least 1 s). */
  repeatMs?: number;
}

export interface Announcer {
  /** What the server advertises changed: announce the new records (coalesced). */
  update(): void;
  /** Say goodbye and stop answering. */
  close(): Promise<void>;
}

/** Start answering and announcing. Never throws: without a socket the server runs unannounced. */
export async function startAnnouncer(options: AnnouncerOptions): Promise<Announcer> {
  const open = options.open ?? ((scope) => openMdnsSocket({ port: MDNS_PORT, scope }));
  const addresses = options.addresses ?? lanAddresses;
  const own = options.own ?? ownAddresses;
  const onLink = options.onLink ?? onLocalLink;
  /** When the last multicast answer went out (RFC 6762 §6: at most one a second), or is due. */
  let lastMulticast = -Infinity;
  const settleMs = options.settleMs ?? 200;
  const repeatMs = options.repeatMs ?? 1000;
  const records = (): ServerRecords | undefined => {
    try {
      const ad = options.describe();
      return ad && ad.endpoints.length ? serverRecords(ad, addresses()) : undefined;
    } catch (err) {
      options.log(`discovery: cannot describe the server: ${(err as Error).message}`);
      return undefined;
    }
  };

  let socket: MdnsSocket | undefined;
  let scope: Scope | undefined;
  /** The records last announced on the LAN, for the goodbye. */
  let announced: ServerRecords | undefined;
  let closed = false;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (ms: number, f: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      f();
    }, ms);
    timers.add(t);
  };
  const send = async (m: Message, to?: { address: string; port: number }) => {
    if (!socket) return;
    try {
      await socket.send(encodeMessage(m), to);
    } catch (err) {
      const where = to ? ` to ${to.address}:${to.port}` : "";
      options.log(`discovery: cannot send${where}: ${(err as Error).message}`);
    }
  };

  const onQuery = (bytes: Uint8Array, from: { address: string; port: number }) => {
    if (closed) return;
    let query: Message;
    try {
      query = decodeMessage(bytes);
    } catch {
      return; // not ours to judge: other software shares the port
    }
    if (query.response || query.questions.length === 0) return;
    if (!onLink(from.address)) return;
    const r = records();
    if (!r) return;
    const legacy = from.port !== MDNS_PORT;
    // A host-only server answers searches made on this machine alone. (Its socket joined the
    // group on loopback only, but Linux hands it every group any socket joined: check the asker.)
    if (!r.lanVisible && (!legacy || !own().has(from.address))) return;
    const answer = answerQuery(query, r, legacy);
    if (!answer) return;
    if (legacy || query.questions.every((q) => q.unicastResponse)) {
      void send(answer, from);
    } else {
      // At most one multicast answer a second, and a random 20-120 ms delay spreads the answers
      // of many responders (§6).
      const now = Date.now();
      if (now - lastMulticast < 1000) return;
      const delay = 20 + Math.random() * 100;
      lastMulticast = now + delay;
      later(delay, () => void send(answer));
    }
  };

  /** (Re)open the socket in the scope the endpoints need; the scope changes with .server/.endsrv. */
  const ensureScope = async (want: Scope | undefined) => {
    if (want === scope) return;
    const old = socket;
    socket = undefined;
    scope = undefined;
    await old?.close();
    if (want === undefined || closed) return;
    try {
      const s = await open(want);
      s.onMessage(onQuery);
      socket = s;
      scope = want;
    } catch (err) {
      options.log(
        `discovery: cannot listen on udp port ${MDNS_PORT} (${(err as Error).message}): ` +
          "this server will not appear in `dbgremote search`",
      );
    }
  };

  const announce = async () => {
    if (closed) return;
    const r = records();
    if (announced && (!r || !r.lanVisible)) {
      // Nothing left for the LAN: take back what it was told (before leaving the LAN's group).
      const old = announced;
      announced = undefined;
      await send(goodbye(old));
    }
    await ensureScope(r ? (r.lanVisible ? "lan" : "host") : undefined);
    if (!r || !r.lanVisible) return;
    announced = r;
    await send(announcement(r));
    later(repeatMs, () => {
      if (!closed && announced === r) void send(announcement(r));
    });
  };

  let pending = false;
  let chain = announce();
  return {
    update() {
      if (closed || pending) return;
      pending = true;
      later(settleMs, () => {
        pending = false;
        chain = chain.then(announce);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await chain;
      if (announced) await send(goodbye(announced));
      announced = undefined;
      await socket?.close();
      socket = undefined;
    },
  };
}
