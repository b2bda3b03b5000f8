/**
 * What a search has heard: the servers in DNS-SD responses, each kept only as
 * long as its records live. Pure: responses in (with the time they arrived),
 * the live servers out.
 *
 * A server is listed while its PTR and its TXT are both alive. A record with
 * TTL 0 (a goodbye) removes it at once; a record whose TTL has run out no
 * longer counts. A later fresh answer brings a server back.
 */
import { type Message, type ResourceRecord, sameName, TYPE } from "./dns_codec.ts";
import { type Advert, parseAdvertTxt, SERVICE } from "./advert.ts";

export interface FoundServer extends Advert {
  /** The DNS-SD instance name, e.g. "crash on lab1 (4242)". */
  instance: string;
  /** The host's addresses from its A records, else the address the answer came from. */
  addresses: string[];
  /** The address the latest answer came from. */
  from: string;
}

interface Entry {
  instance: string;
  ptrUntil: number;
  txt?: { advert: Advert | undefined; until: number };
  srv?: { target: string; until: number };
  from: string;
}

const key = (labels: string[]) => JSON.stringify(labels.map((l) => l.toLowerCase()));

export class ServerTable {
  readonly #entries = new Map<string, Entry>();
  readonly #hosts = new Map<string, Map<string, number>>();

  /** Take in one response, received at `now` (ms) from `from`. */
  add(message: Message, from: string, now: number): void {
    if (!message.response) return;
    const records = [
      ...message.answers,
      ...(message.authorities ?? []),
      ...(message.additionals ?? []),
    ];
    // PTRs first: an SRV or TXT may come before the PTR that names its instance.
    const order = (rr: ResourceRecord) => (rr.data.type === TYPE.PTR ? 0 : 1);
    for (const rr of [...records].sort((a, b) => order(a) - order(b))) this.#record(rr, from, now);
  }

  #record(rr: ResourceRecord, from: string, now: number): void {
    const until = now + rr.ttl * 1000;
    const d = rr.data;
    if (d.type === TYPE.PTR && "target" in d && sameName(rr.name, SERVICE)) {
      const k = key(d.target);
      if (rr.ttl === 0) {
        this.#entries.delete(k);
        return;
      }
      const e = this.#entries.get(k);
      if (e) {
        e.ptrUntil = until;
        e.from = from;
      } else {
        this.#entries.set(k, { instance: d.target[0] ?? "", ptrUntil: until, from });
      }
      return;
    }
    if (d.type === TYPE.A && "address" in d) {
      const h = key(rr.name);
      const addrs = this.#hosts.get(h) ?? new Map<string, number>();
      this.#hosts.set(h, addrs);
      if (rr.ttl === 0) addrs.delete(d.address);
      else addrs.set(d.address, until);
      return;
    }
    if (d.type !== TYPE.SRV && d.type !== TYPE.TXT) return;
    const e = this.#entries.get(key(rr.name));
    if (!e) return; // an instance nobody pointed us to
    if (rr.ttl === 0) {
      this.#entries.delete(key(rr.name));
      return;
    }
    e.from = from;
    if ("strings" in d) e.txt = { advert: parseAdvertTxt(d.strings), until };
    if ("port" in d) e.srv = { target: key(d.target), until };
  }

  /** The servers alive at `now`, by name then host. */
  list(now: number): FoundServer[] {
    const out: FoundServer[] = [];
    for (const e of this.#entries.values()) {
      if (e.ptrUntil <= now || !e.txt || e.txt.until <= now || !e.txt.advert) continue;
      const hostAddrs = e.srv && e.srv.until > now ? this.#hosts.get(e.srv.target) : undefined;
      const addresses = hostAddrs
        ? [...hostAddrs].filter(([, until]) => until > now).map(([a]) => a)
        : [];
      out.push({
        ...e.txt.advert,
        instance: e.instance,
        addresses: addresses.length ? addresses : [e.from],
        from: e.from,
      });
    }
    return out.sort((a, b) =>
      a.name.localeCompare(b.name) || a.host.localeCompare(b.host) || a.pid - b.pid
    );
  }
}
