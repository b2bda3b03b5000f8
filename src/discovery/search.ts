/**
 * Searching for dbgremote servers: ask now, list who answers.
 *
 * The search asks `_dbgremote._tcp.local PTR` from a port of its own (a
 * one-shot query, RFC 6762 §6.7), on the loopback interface and on every
 * IPv4 interface, again after 1 s and then at doubling intervals until the
 * time is up. Servers answer it directly by unicast. It also listens on port
 * 5353 (when it can) for announcements and goodbyes made meanwhile.
 *
 * Nothing is cached between searches: a server is listed only if it answered
 * during this search, and only if its answer is still alive at the end (its
 * TTL not run out, no goodbye since).
 */
import { DbgRemoteError } from "../errors.ts";
import { SERVICE } from "./advert.ts";
import { decodeMessage, encodeMessage, TYPE } from "./dns_codec.ts";
import { MDNS_PORT, type MdnsSocket, openMdnsSocket, ownAddresses } from "./mdns_socket.ts";
import { type FoundServer, ServerTable } from "./server_table.ts";

export interface SearchOptions {
  /** How long to listen for answers. */
  timeoutMs: number;
  /** Open a socket (tests pass their own). */
  open?: (port: number) => Promise<MdnsSocket>;
  now?: () => number;
  /** Every address of this machine (default: its interfaces'), to mark servers on it. */
  own?: () => Set<string>;
}

export interface SearchResult extends FoundServer {
  /** Is the server on this machine (it answered from one of this machine's addresses)? */
  local: boolean;
}

export async function searchServers(options: SearchOptions): Promise<SearchResult[]> {
  const open = options.open ?? ((port) => openMdnsSocket({ port, scope: "lan" }));
  const now = options.now ?? Date.now;
  const table = new ServerTable();
  const own = (options.own ?? ownAddresses)();
  const receive = (bytes: Uint8Array, from: { address: string }) => {
    try {
      table.add(decodeMessage(bytes), from.address, now());
    } catch {
      // not a DNS message: other software shares the port
    }
  };
  let querier: MdnsSocket;
  try {
    querier = await open(0);
  } catch (err) {
    throw new DbgRemoteError(
      "E_DISCOVERY",
      `cannot open a udp socket to search: ${(err as Error).message}`,
      {
        hint: "the machine refuses UDP sockets: check its firewall or sandbox",
        cause: err,
      },
    );
  }
  querier.onMessage(receive);
  // Announcements and goodbyes go to port 5353; hearing them is a bonus, not a need.
  const listener = await open(MDNS_PORT).catch(() => undefined);
  listener?.onMessage(receive);
  const id = Math.floor(Math.random() * 0x10000);
  const query = encodeMessage({
    id,
    response: false,
    questions: [{ name: SERVICE, type: TYPE.PTR }],
    answers: [],
  });
  const started = now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    try {
      await querier.send(query);
    } catch (err) {
      throw new DbgRemoteError(
        "E_DISCOVERY",
        `cannot send the search query to ${"224.0.0.251"}:${MDNS_PORT}: ${(err as Error).message}`,
        {
          hint: "no network interface takes multicast: check `ip route` (a multicast route, " +
            "224.0.0.0/4) and the firewall (udp 5353)",
          cause: err,
        },
      );
    }
    // Ask again after 1 s, 2 s, 4 s...: a lost packet costs a second, not the search.
    let gap = 1000;
    let next = gap;
    while (true) {
      const left = options.timeoutMs - (now() - started);
      if (left <= 0) break;
      const wait = Math.min(left, next - (now() - started));
      await new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, wait))));
      if (now() - started >= next && now() - started < options.timeoutMs) {
        await querier.send(query).catch(() => {});
        gap *= 2;
        next += gap;
      }
    }
  } finally {
    clearTimeout(timer);
    await querier.close();
    await listener?.close();
  }
  return table.list(now()).map((s) => ({ ...s, local: own.has(s.from) }));
}
