/**
 * An in-memory multicast network for the announcer and the search: sockets on
 * hosts, a group every port-5353 socket hears (the sender's own host too, as
 * with multicast loopback), and unicast by address and port. No real sockets.
 */
import type { MdnsSocket, Peer, Scope } from "../../src/discovery/mdns_socket.ts";

interface FakeSocket {
  host: string;
  port: number;
  scope: Scope;
  handlers: ((bytes: Uint8Array, from: Peer) => void)[];
  closed: boolean;
}

export class FakeNet {
  readonly sockets: FakeSocket[] = [];
  /** Every datagram sent, for assertions: who sent what to where ("group" or "host:port"). */
  readonly sent: { from: string; to: string; bytes: Uint8Array }[] = [];
  #nextPort = 40000;

  /** Open a socket on `host` (its address is its name). */
  open(host: string, port: number, scope: Scope): Promise<MdnsSocket> {
    const s: FakeSocket = {
      host,
      port: port || this.#nextPort++,
      scope,
      handlers: [],
      closed: false,
    };
    this.sockets.push(s);
    const deliver = (to: FakeSocket, bytes: Uint8Array) =>
      setTimeout(() => {
        if (!to.closed) {
          for (const h of to.handlers) h(bytes, { address: s.host, port: s.port });
        }
      }, 1);
    return Promise.resolve({
      interfaces: [host],
      send: (bytes, to) => {
        if (s.closed) return Promise.resolve();
        this.sent.push({ from: host, to: to ? `${to.address}:${to.port}` : "group", bytes });
        for (const t of this.sockets) {
          if (t.closed) continue;
          if (to ? t.host === to.address && t.port === to.port : t.port === 5353) {
            // A host-scope socket hears only its own host's multicast (it joined on loopback).
            if (!to && t.scope === "host" && t.host !== host) continue;
            deliver(t, bytes);
          }
        }
        return Promise.resolve();
      },
      onMessage: (h) => void s.handlers.push(h),
      close: () => {
        s.closed = true;
        return Promise.resolve();
      },
    });
  }
}
