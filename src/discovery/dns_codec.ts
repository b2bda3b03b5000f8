/**
 * DNS messages (RFC 1035) as multicast DNS uses them (RFC 6762): encode to
 * bytes and decode from bytes. Pure: no I/O.
 *
 * Names are arrays of labels, not dotted strings, so a DNS-SD instance name
 * may hold dots and spaces (RFC 6763 §4.3) without escaping. The encoder
 * compresses names; the decoder follows compression pointers only backwards
 * (no loops) and checks every length against the packet, so a hostile packet
 * costs a thrown {@link DnsFormatError}, nothing more.
 *
 * Record types decoded: A, AAAA, PTR, SRV, TXT; any other type keeps its raw
 * bytes. The mDNS bits are explicit: `unicastResponse` on a question (the QU
 * bit, RFC 6762 §5.4) and `cacheFlush` on a record (§10.2).
 */

export const TYPE = { A: 1, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, NSEC: 47, ANY: 255 } as const;
export const CLASS_IN = 1;
/** Top bit of a question's class (QU) or a record's class (cache-flush). */
const TOP_BIT = 0x8000;
const MAX_LABEL = 63;
const MAX_NAME = 255;

export type Name = string[];

export interface Question {
  name: Name;
  type: number;
  /** The QU bit: the querier asks for a unicast answer. */
  unicastResponse?: boolean;
}

export type RecordData =
  | { type: typeof TYPE.A; address: string }
  | { type: typeof TYPE.AAAA; address: string }
  | { type: typeof TYPE.PTR; target: Name }
  | { type: typeof TYPE.SRV; priority: number; weight: number; port: number; target: Name }
  | { type: typeof TYPE.TXT; strings: Uint8Array[] }
  | { type: number; raw: Uint8Array };

export interface ResourceRecord {
  name: Name;
  /** Seconds; 0 is a goodbye (RFC 6762 §10.1). */
  ttl: number;
  /** The cache-flush bit: this record replaces every cached one of its name and type. */
  cacheFlush?: boolean;
  data: RecordData;
}

export interface Message {
  id: number;
  /** QR: a response (true) or a query (false). */
  response: boolean;
  /** AA: mDNS responses set it. */
  authoritative?: boolean;
  questions: Question[];
  answers: ResourceRecord[];
  authorities?: ResourceRecord[];
  additionals?: ResourceRecord[];
}

export class DnsFormatError extends Error {
  constructor(message: string, offset: number) {
    super(`malformed DNS message at byte ${offset}: ${message}`);
    this.name = "DnsFormatError";
  }
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder("utf-8", { fatal: false });

/** Do two names match? DNS compares ASCII letters without case (RFC 1035 §2.3.3). */
export function sameName(a: Name, b: Name): boolean {
  return a.length === b.length && a.every((l, i) => l.toLowerCase() === b[i].toLowerCase());
}

/** A name for people: labels joined by dots, dots and backslashes inside a label escaped. */
export function nameText(name: Name): string {
  return name.map((l) => l.replace(/[\\.]/g, (c) => "\\" + c)).join(".");
}

// ---- encoding ----------------------------------------------------------------

class Writer {
  #buf = new Uint8Array(512);
  #len = 0;
  readonly #names = new Map<string, number>();

  get length(): number {
    return this.#len;
  }

  #room(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const bigger = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n));
    bigger.set(this.#buf.subarray(0, this.#len));
    this.#buf = bigger;
  }

  u8(v: number): void {
    this.#room(1);
    this.#buf[this.#len++] = v & 0xff;
  }

  u16(v: number): void {
    this.u8(v >> 8);
    this.u8(v);
  }

  u32(v: number): void {
    this.u16(Math.floor(v / 0x10000));
    this.u16(v % 0x10000);
  }

  bytes(b: Uint8Array): void {
    this.#room(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
  }

  setU16(at: number, v: number): void {
    this.#buf[at] = (v >> 8) & 0xff;
    this.#buf[at + 1] = v & 0xff;
  }

  /** A name, compressed against every name written before (RFC 1035 §4.1.4). */
  name(name: Name): void {
    const encoded = name.map((label) => {
      const b = utf8.encode(label);
      if (b.length === 0) throw new RangeError(`empty label in name "${nameText(name)}"`);
      if (b.length > MAX_LABEL) {
        throw new RangeError(`label "${label}" is ${b.length} bytes; at most ${MAX_LABEL}`);
      }
      return b;
    });
    const total = encoded.reduce((n, b) => n + b.length + 1, 1);
    if (total > MAX_NAME) {
      throw new RangeError(`name "${nameText(name)}" is ${total} bytes; at most ${MAX_NAME}`);
    }
    for (let i = 0; i < name.length; i++) {
      const key = JSON.stringify(name.slice(i).map((l) => l.toLowerCase()));
      const at = this.#names.get(key);
      if (at !== undefined) {
        this.u16(0xc000 | at);
        return;
      }
      if (this.#len < 0x4000) this.#names.set(key, this.#len);
      this.u8(encoded[i].length);
      this.bytes(encoded[i]);
    }
    this.u8(0);
  }

  result(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

function ipv4Bytes(address: string): Uint8Array {
  const parts = address.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) {
    throw new RangeError(`"${address}" is not an IPv4 address`);
  }
  return Uint8Array.from(parts.map(Number));
}

function ipv6Bytes(address: string): Uint8Array {
  const [head, tail = undefined] = address.split("::");
  if (address.split("::").length > 2) throw new RangeError(`"${address}" is not an IPv6 address`);
  const groups = (s: string | undefined) => (s ? s.split(":") : []);
  const h = groups(head);
  const t = groups(tail);
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  const all = [...h, ...Array(fill).fill("0"), ...t];
  if (all.length !== 8 || !all.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) {
    throw new RangeError(`"${address}" is not an IPv6 address`);
  }
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

function writeRecord(w: Writer, rr: ResourceRecord): void {
  w.name(rr.name);
  w.u16(rr.data.type);
  w.u16(CLASS_IN | (rr.cacheFlush ? TOP_BIT : 0));
  w.u32(rr.ttl);
  const lengthAt = w.length;
  w.u16(0);
  const start = w.length;
  const d = rr.data;
  if ("address" in d && d.type === TYPE.A) w.bytes(ipv4Bytes(d.address));
  else if ("address" in d && d.type === TYPE.AAAA) w.bytes(ipv6Bytes(d.address));
  else if ("target" in d && d.type === TYPE.PTR) w.name(d.target);
  else if ("port" in d) {
    w.u16(d.priority);
    w.u16(d.weight);
    w.u16(d.port);
    // RFC 2782 forbids compressing the SRV target; mDNS allows it, but unicast resolvers may not.
    w.name(d.target);
  } else if ("strings" in d) {
    const strings = d.strings.length ? d.strings : [new Uint8Array()];
    for (const s of strings) {
      if (s.length > 255) throw new RangeError(`TXT string of ${s.length} bytes; at most 255`);
      w.u8(s.length);
      w.bytes(s);
    }
  } else if ("raw" in d) w.bytes(d.raw);
  else throw new RangeError(`record data does not fit type ${(d as { type: number }).type}`);
  w.setU16(lengthAt, w.length - start);
}

/** The message as bytes, names compressed. Throws RangeError for a name or string too long. */
export function encodeMessage(m: Message): Uint8Array {
  const w = new Writer();
  w.u16(m.id);
  w.u16((m.response ? 0x8000 : 0) | (m.authoritative ? 0x0400 : 0));
  const sections = [m.answers, m.authorities ?? [], m.additionals ?? []];
  w.u16(m.questions.length);
  for (const s of sections) w.u16(s.length);
  for (const q of m.questions) {
    w.name(q.name);
    w.u16(q.type);
    w.u16(CLASS_IN | (q.unicastResponse ? TOP_BIT : 0));
  }
  for (const s of sections) for (const rr of s) writeRecord(w, rr);
  return w.result();
}

// ---- decoding ----------------------------------------------------------------

class Reader {
  readonly buf: Uint8Array;
  pos = 0;
  constructor(buf: Uint8Array) {
    this.buf = buf;
  }

  need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new DnsFormatError(`needs ${n} more byte(s), the packet ends`, this.pos);
    }
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  u16(): number {
    this.need(2);
    const v = (this.buf[this.pos] << 8) | this.buf[this.pos + 1];
    this.pos += 2;
    return v;
  }

  u32(): number {
    return this.u16() * 0x10000 + this.u16();
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const b = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** A name at the current position, following compression pointers backwards only. */
  name(): Name {
    const labels: string[] = [];
    let at = this.pos;
    let end = -1; // where reading continues after the first pointer
    let total = 1;
    let lowest = at; // a pointer must land before every byte of this name read so far
    while (true) {
      if (at >= this.buf.length) throw new DnsFormatError("a name runs past the packet", at);
      const len = this.buf[at];
      if (len === 0) {
        at += 1;
        break;
      }
      if ((len & 0xc0) === 0xc0) {
        if (at + 1 >= this.buf.length) throw new DnsFormatError("a cut name pointer", at);
        const target = ((len & 0x3f) << 8) | this.buf[at + 1];
        if (target >= lowest) {
          throw new DnsFormatError("a name pointer that does not point back", at);
        }
        if (end < 0) end = at + 2;
        at = target;
        lowest = target;
        continue;
      }
      if ((len & 0xc0) !== 0) throw new DnsFormatError(`a label type 0x${len.toString(16)}`, at);
      if (at + 1 + len > this.buf.length) {
        throw new DnsFormatError("a label runs past the packet", at);
      }
      total += len + 1;
      if (total > MAX_NAME) throw new DnsFormatError(`a name over ${MAX_NAME} bytes`, at);
      labels.push(fromUtf8.decode(this.buf.subarray(at + 1, at + 1 + len)));
      at += 1 + len;
    }
    this.pos = end >= 0 ? end : at;
    return labels;
  }
}

function ipv6Text(b: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i] << 8) | b[i + 1]).toString(16));
  // The longest run of zero groups (two or more) becomes "::" (RFC 5952).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (best < 0) return groups.join(":");
  return groups.slice(0, best).join(":") + "::" + groups.slice(best + bestLen).join(":");
}

function readRecord(r: Reader): ResourceRecord {
  const name = r.name();
  const type = r.u16();
  const cls = r.u16();
  const ttl = r.u32();
  const length = r.u16();
  r.need(length);
  const start = r.pos;
  const end = start + length;
  let data: RecordData;
  const sized = (n: number) => {
    if (length !== n) {
      throw new DnsFormatError(`type ${type} data of ${length} bytes, not ${n}`, start);
    }
  };
  if (type === TYPE.A) {
    sized(4);
    data = { type, address: Array.from(r.bytes(4)).join(".") };
  } else if (type === TYPE.AAAA) {
    sized(16);
    data = { type, address: ipv6Text(r.bytes(16)) };
  } else if (type === TYPE.PTR) {
    data = { type, target: r.name() };
  } else if (type === TYPE.SRV) {
    data = { type, priority: r.u16(), weight: r.u16(), port: r.u16(), target: r.name() };
  } else if (type === TYPE.TXT) {
    const strings: Uint8Array[] = [];
    while (r.pos < end) strings.push(r.bytes(r.u8()));
    data = { type, strings };
  } else {
    data = { type, raw: r.bytes(length) };
  }
  if (r.pos !== end) {
    throw new DnsFormatError(
      `type ${type} data should be ${length} bytes, read ${r.pos - start}`,
      start,
    );
  }
  return { name, ttl, cacheFlush: (cls & TOP_BIT) !== 0, data };
}

/** Decode a whole message. Throws {@link DnsFormatError} on anything malformed. */
export function decodeMessage(bytes: Uint8Array): Message {
  const r = new Reader(bytes);
  const id = r.u16();
  const flags = r.u16();
  const counts = [r.u16(), r.u16(), r.u16(), r.u16()];
  // Every question takes at least 5 bytes and every record 11: refuse counts the packet cannot hold.
  if (counts[0] * 5 + (counts[1] + counts[2] + counts[3]) * 11 > bytes.length - 12) {
    throw new DnsFormatError(`counts ${counts.join("/")} do not fit ${bytes.length} bytes`, 4);
  }
  const questions: Question[] = [];
  for (let i = 0; i < counts[0]; i++) {
    const name = r.name();
    const type = r.u16();
    const cls = r.u16();
    questions.push({ name, type, unicastResponse: (cls & TOP_BIT) !== 0 });
  }
  const section = (n: number) => Array.from({ length: n }, () => readRecord(r));
  return {
    id,
    response: (flags & 0x8000) !== 0,
    authoritative: (flags & 0x0400) !== 0,
    questions,
    answers: section(counts[1]),
    authorities: section(counts[2]),
    additionals: section(counts[3]),
  };
}
