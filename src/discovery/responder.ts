/**
 * The records a server publishes and the answers it gives (RFC 6762 §6,
 * RFC 6763). Pure: a query in, a response out; the announcer does the I/O.
 *
 * One server is one service instance of `_dbgremote._tcp.local`: a PTR from
 * the service type to the instance, an SRV (host and port) and a TXT (the
 * advert) for the instance, and A records for the host.
 */
import {
  type Message,
  type Name,
  type Question,
  type ResourceRecord,
  sameName,
  TYPE,
} from "./dns_codec.ts";
import {
  type Advert,
  advertTxt,
  hostLabel,
  instanceName,
  isLocalOnly,
  SERVICE,
  SERVICE_TYPES,
} from "./advert.ts";

/** TTL of the service records (PTR, SRV, TXT): short, so a vanished server leaves caches soon. */
export const SERVICE_TTL = 10;
/** TTL of the host's address records (RFC 6762 §10 recommends 120 s for them). */
export const HOST_TTL = 120;
/** Legacy unicast answers carry at most this TTL (RFC 6762 §6.7). */
export const LEGACY_TTL = 10;

export interface ServerRecords {
  ptr: ResourceRecord;
  srv: ResourceRecord;
  txt: ResourceRecord;
  addresses: ResourceRecord[];
  /** Does the advert hold an endpoint usable from another machine? */
  lanVisible: boolean;
}

/** The records for an advert. `addresses` are the host's IPv4 addresses. */
export function serverRecords(ad: Advert, addresses: string[]): ServerRecords {
  const instance = instanceName(ad);
  const target: Name = [hostLabel(ad.host), "local"];
  const port = ad.endpoints.map((e) => /^(?:tcp|ssl):.*\bport=(\d+)/.exec(e)?.[1])
    .find((p) => p !== undefined);
  return {
    ptr: { name: SERVICE, ttl: SERVICE_TTL, data: { type: TYPE.PTR, target: instance } },
    srv: {
      name: instance,
      ttl: SERVICE_TTL,
      cacheFlush: true,
      data: { type: TYPE.SRV, priority: 0, weight: 0, port: Number(port ?? 0), target },
    },
    txt: {
      name: instance,
      ttl: SERVICE_TTL,
      cacheFlush: true,
      data: { type: TYPE.TXT, strings: advertTxt(ad) },
    },
    addresses: addresses.map((address) => ({
      name: target,
      ttl: HOST_TTL,
      cacheFlush: true,
      data: { type: TYPE.A, address },
    })),
    lanVisible: ad.endpoints.some((e) => !isLocalOnly(e)),
  };
}

/** DNS-SD's answer to "which service types are here" (RFC 6763 §9): ours. */
const SERVICE_TYPES_PTR: ResourceRecord = {
  name: SERVICE_TYPES,
  ttl: SERVICE_TTL,
  data: { type: TYPE.PTR, target: SERVICE },
};

function asks(q: Question, name: Name, type: number): boolean {
  return (q.type === type || q.type === TYPE.ANY) && sameName(q.name, name);
}

function sameRecord(a: ResourceRecord, b: ResourceRecord): boolean {
  if (a.data.type !== b.data.type || !sameName(a.name, b.name)) return false;
  if ("target" in a.data && "target" in b.data && !("port" in a.data)) {
    return sameName(a.data.target, b.data.target);
  }
  return false;
}

/**
 * The response to a query, or undefined if it asks nothing of ours. `legacy`:
 * the query came from a port other than 5353 (a one-shot querier, RFC 6762
 * §6.7): the answer repeats its id and the questions it answers, caps TTLs, and sets no
 * cache-flush bits.
 */
export function answerQuery(
  query: Message,
  records: ServerRecords,
  legacy: boolean,
): Message | undefined {
  if (query.response) return undefined;
  const answers: ResourceRecord[] = [];
  const additionals: ResourceRecord[] = [];
  const add = (list: ResourceRecord[], ...rrs: ResourceRecord[]) => {
    for (const rr of rrs) if (!list.includes(rr)) list.push(rr);
  };
  const instance = records.srv.name;
  const host = (records.srv.data as { target: Name }).target;
  /** The questions that asked something of ours, each once: a legacy answer repeats them. */
  const asked: Question[] = [];
  for (const q of query.questions) {
    const ours = [
      asks(q, SERVICE_TYPES, TYPE.PTR),
      asks(q, SERVICE, TYPE.PTR),
      asks(q, instance, TYPE.SRV),
      asks(q, instance, TYPE.TXT),
      asks(q, host, TYPE.A),
    ].some(Boolean);
    if (!ours || asked.some((a) => a.type === q.type && sameName(a.name, q.name))) continue;
    asked.push({ name: q.name, type: q.type });
    if (asks(q, SERVICE_TYPES, TYPE.PTR)) add(answers, SERVICE_TYPES_PTR);
    if (asks(q, SERVICE, TYPE.PTR)) {
      // Known-answer suppression (§7.1): the querier holds our PTR with at least half its TTL.
      const known = query.answers.some((k) =>
        sameRecord(k, records.ptr) && k.ttl >= records.ptr.ttl / 2
      );
      if (!known) {
        add(answers, records.ptr);
        add(additionals, records.srv, records.txt, ...records.addresses);
      }
    }
    if (asks(q, instance, TYPE.SRV)) {
      add(answers, records.srv);
      add(additionals, ...records.addresses);
    }
    if (asks(q, instance, TYPE.TXT)) add(answers, records.txt);
    if (asks(q, host, TYPE.A)) add(answers, ...records.addresses);
  }
  if (answers.length === 0) return undefined;
  const extra = additionals.filter((rr) => !answers.includes(rr));
  if (!legacy) {
    return {
      id: 0,
      response: true,
      authoritative: true,
      questions: [],
      answers,
      additionals: extra,
    };
  }
  const legacyRecord = (rr: ResourceRecord): ResourceRecord => ({
    ...rr,
    ttl: Math.min(rr.ttl, LEGACY_TTL),
    cacheFlush: false,
  });
  return {
    id: query.id,
    response: true,
    authoritative: true,
    questions: asked,
    answers: answers.map(legacyRecord),
    additionals: extra.map(legacyRecord),
  };
}

/** An unsolicited announcement of every record (RFC 6762 §8.3). */
export function announcement(records: ServerRecords): Message {
  return {
    id: 0,
    response: true,
    authoritative: true,
    questions: [],
    answers: [records.ptr, records.srv, records.txt, ...records.addresses],
  };
}

/**
 * Goodbye (RFC 6762 §10.1): the service records with TTL 0. The host's
 * addresses stay: other servers on the host may still use them.
 */
export function goodbye(records: ServerRecords): Message {
  return {
    id: 0,
    response: true,
    authoritative: true,
    questions: [],
    answers: [records.ptr, records.srv, records.txt].map((rr) => ({ ...rr, ttl: 0 })),
  };
}
