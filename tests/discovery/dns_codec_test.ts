import assert from "node:assert/strict";
import {
  decodeMessage,
  DnsFormatError,
  encodeMessage,
  type Message,
  nameText,
  sameName,
  TYPE,
} from "../../src/discovery/dns_codec.ts";

const bytes = (...parts: (number | string)[]) =>
  Uint8Array.from(
    parts.flatMap((p) => typeof p === "string" ? [...new TextEncoder().encode(p)] : [p]),
  );
const SERVICE = ["_dbgremote", "_tcp", "local"];
// _dbgremote._tcp.local in wire form (RFC 1035 §3.1: length-prefixed labels, a zero to end).
const SERVICE_WIRE = [10, "_dbgremote", 4, "_tcp", 5, "local", 0];

Deno.test("dns codec: a one-shot PTR query, byte by byte", () => {
  const q = encodeMessage({
    id: 0x1234,
    response: false,
    questions: [{ name: SERVICE, type: TYPE.PTR }],
    answers: [],
  });
  assert.deepEqual(
    q,
    bytes(0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...SERVICE_WIRE, 0, 12, 0, 1),
  );
  // The QU bit (RFC 6762 §5.4) is the top bit of the question's class.
  const qu = encodeMessage({
    id: 0,
    response: false,
    questions: [{ name: SERVICE, type: TYPE.PTR, unicastResponse: true }],
    answers: [],
  });
  assert.deepEqual(qu.slice(-4), bytes(0, 12, 0x80, 1));
  assert.equal(decodeMessage(qu).questions[0].unicastResponse, true);
  assert.equal(decodeMessage(q).questions[0].unicastResponse, false);
});

Deno.test("dns codec: a response compresses the instance name against the service name", () => {
  const r = encodeMessage({
    id: 0,
    response: true,
    authoritative: true,
    questions: [],
    answers: [{
      name: SERVICE,
      ttl: 10,
      data: { type: TYPE.PTR, target: ["x", ...SERVICE] },
    }],
  });
  assert.deepEqual(
    r,
    bytes(
      0,
      0,
      0x84,
      0,
      0,
      0,
      0,
      1,
      0,
      0,
      0,
      0, // QR + AA, one answer
      ...SERVICE_WIRE, // the owner name at offset 12
      0,
      12,
      0,
      1,
      0,
      0,
      0,
      10, // PTR, IN, TTL 10
      0,
      4,
      1,
      "x",
      0xc0,
      12, // rdata: "x" then a pointer to offset 12
    ),
  );
});

Deno.test("dns codec: RFC 1035 §4.1.4's compression example decodes", () => {
  // F.ISI.ARPA at 12; FOO.F.ISI.ARPA as FOO + a pointer to 12; ARPA as a pointer into it; the root.
  const msg = bytes(
    0,
    1,
    0x84,
    0,
    0,
    1,
    0,
    2,
    0,
    0,
    0,
    0,
    1,
    "F",
    3,
    "ISI",
    4,
    "ARPA",
    0,
    0,
    1,
    0,
    1, // question F.ISI.ARPA A IN (ARPA's label at 18)
    3,
    "FOO",
    0xc0,
    12,
    0,
    12,
    0,
    1,
    0,
    0,
    0,
    60,
    0,
    2,
    0xc0,
    18, // FOO.F.ISI.ARPA PTR ARPA
    0,
    0,
    1,
    0x80,
    1,
    0,
    0,
    0,
    0,
    0,
    4,
    10,
    0,
    0,
    1, // the root: A 10.0.0.1, cache-flush, TTL 0
  );
  const m = decodeMessage(msg);
  assert.deepEqual(m.questions, [{
    name: ["F", "ISI", "ARPA"],
    type: TYPE.A,
    unicastResponse: false,
  }]);
  assert.deepEqual(m.answers[0].name, ["FOO", "F", "ISI", "ARPA"]);
  assert.deepEqual(m.answers[0].data, { type: TYPE.PTR, target: ["ARPA"] });
  assert.deepEqual(m.answers[1], {
    name: [],
    ttl: 0,
    cacheFlush: true,
    data: { type: TYPE.A, address: "10.0.0.1" },
  });
  assert.equal(m.response, true);
  assert.equal(m.authoritative, true);
});

Deno.test("dns codec: every record type round-trips, with mDNS bits", () => {
  const instance = ["crash lab. v2 (ünïcode)", ...SERVICE]; // dots and spaces in a label (RFC 6763 §4.3)
  const m: Message = {
    id: 7,
    response: true,
    authoritative: true,
    questions: [{ name: SERVICE, type: TYPE.ANY, unicastResponse: false }],
    answers: [
      { name: SERVICE, ttl: 10, cacheFlush: false, data: { type: TYPE.PTR, target: instance } },
      {
        name: instance,
        ttl: 10,
        cacheFlush: true,
        data: { type: TYPE.SRV, priority: 1, weight: 2, port: 5005, target: ["lab1", "local"] },
      },
      {
        name: instance,
        ttl: 0,
        cacheFlush: true,
        data: { type: TYPE.TXT, strings: [bytes("a=1"), bytes(""), bytes("flag")] },
      },
    ],
    authorities: [],
    additionals: [
      {
        name: ["lab1", "local"],
        ttl: 120,
        cacheFlush: true,
        data: { type: TYPE.A, address: "198.18.0.1" },
      },
      {
        name: ["lab1", "local"],
        ttl: 120,
        cacheFlush: true,
        data: { type: TYPE.AAAA, address: "fe80::1:0:0:2" },
      },
      { name: ["x"], ttl: 1, cacheFlush: false, data: { type: TYPE.NSEC, raw: bytes(1, 2, 3) } },
    ],
  };
  const wire = encodeMessage(m);
  assert.deepEqual(decodeMessage(wire), m);
  // Compression: the service name's 23 bytes appear once, however often the name is used.
  const text = new TextDecoder().decode(wire);
  assert.equal(text.split("_dbgremote").length - 1, 1);
  assert.equal(nameText(instance), "crash lab\\. v2 (ünïcode)._dbgremote._tcp.local");
});

Deno.test("dns codec: an empty TXT record is one empty string (RFC 6763 §6.1)", () => {
  const wire = encodeMessage({
    id: 0,
    response: true,
    questions: [],
    answers: [{ name: ["t"], ttl: 1, data: { type: TYPE.TXT, strings: [] } }],
  });
  assert.deepEqual(wire.slice(-3), bytes(0, 1, 0)); // rdlength 1, one zero-length string
});

Deno.test("dns codec: IPv6 addresses print in RFC 5952 form", () => {
  for (
    const [address, shown] of [["::", "::"], ["::1", "::1"], ["fe80:0:0:0:0:0:0:1", "fe80::1"], [
      "1:0:0:2:0:0:0:3",
      "1:0:0:2::3",
    ], ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"]]
  ) {
    const m = decodeMessage(encodeMessage({
      id: 0,
      response: true,
      questions: [],
      answers: [{ name: ["h"], ttl: 1, data: { type: TYPE.AAAA, address } }],
    }));
    assert.deepEqual(m.answers[0].data, { type: TYPE.AAAA, address: shown });
  }
});

Deno.test("dns codec: the encoder refuses what DNS cannot carry", () => {
  const enc = (name: string[], strings?: Uint8Array[]) =>
    encodeMessage({
      id: 0,
      response: true,
      questions: [],
      answers: [{
        name,
        ttl: 1,
        data: strings ? { type: TYPE.TXT, strings } : { type: TYPE.A, address: "1.2.3.4" },
      }],
    });
  assert.throws(() => enc(["x".repeat(64)]), /64 bytes; at most 63/);
  assert.throws(() => enc(["é".repeat(32)]), /64 bytes; at most 63/); // bytes, not characters
  assert.throws(() => enc(["a", "", "b"]), /empty label/);
  assert.throws(() => enc(Array(64).fill("abc")), /257 bytes; at most 255/);
  assert.throws(() => enc(["t"], [new Uint8Array(256)]), /TXT string of 256 bytes/);
  assert.doesNotThrow(() => enc(["x".repeat(63)]));
  assert.equal(sameName(["Lab1", "LOCAL"], ["lab1", "local"]), true);
  assert.equal(sameName(["lab1"], ["lab1", "local"]), false);
});

Deno.test("dns codec: hostile packets are refused with a DnsFormatError", () => {
  const head = (qd: number, an = 0) => [0, 0, 0x84, 0, 0, qd, 0, an, 0, 0, 0, 0];
  const cases: [string, Uint8Array, RegExp][] = [
    ["too short", bytes(0, 0, 0), /packet ends/],
    ["a pointer to itself", bytes(...head(1), 0xc0, 12, 0, 1, 0, 1), /does not point back/],
    ["a pointer forward", bytes(...head(1), 0xc0, 14, 0, 1, 0, 1, 0), /does not point back/],
    [
      "a loop of two pointers",
      bytes(...head(1), 1, "a", 0xc0, 14, 0xc0, 12, 0, 1, 0, 1),
      /does not point back/,
    ],
    ["a reserved label type", bytes(...head(1), 0x40, 0, 0, 1, 0, 1), /label type 0x40/],
    ["a label past the end", bytes(...head(1), 9, "abcdef"), /runs past the packet/],
    ["counts the packet cannot hold", bytes(...head(0xffff), 0, 0, 1, 0, 1), /counts/],
    [
      "a name over 255 bytes",
      bytes(...head(1), ...Array(5).fill([63, "x".repeat(63)]).flat(), 0, 0, 1, 0, 1),
      /over 255 bytes/,
    ],
    [
      "an A record of 5 bytes",
      bytes(...head(0, 1), 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 5, 1, 2, 3, 4, 5),
      /data of 5 bytes, not 4/,
    ],
    [
      "a PTR shorter than its length",
      bytes(...head(0, 1), 0, 0, 12, 0, 1, 0, 0, 0, 1, 0, 3, 0, 0, 0),
      /should be 3 bytes, read 1/,
    ],
  ];
  for (const [what, packet, message] of cases) {
    assert.throws(() => decodeMessage(packet), (err: unknown) => {
      assert.ok(err instanceof DnsFormatError, `${what}: ${err}`);
      assert.match((err as Error).message, message, what);
      return true;
    });
  }
});

Deno.test("dns codec: 5,000 mutated and cut packets decode or throw DnsFormatError, nothing else", () => {
  const good = encodeMessage({
    id: 1,
    response: true,
    questions: [{ name: SERVICE, type: TYPE.PTR }],
    answers: [
      { name: SERVICE, ttl: 10, data: { type: TYPE.PTR, target: ["i", ...SERVICE] } },
      {
        name: ["i", ...SERVICE],
        ttl: 10,
        data: { type: TYPE.SRV, priority: 0, weight: 0, port: 1, target: ["h", "local"] },
      },
      { name: ["i", ...SERVICE], ttl: 10, data: { type: TYPE.TXT, strings: [bytes("k=v")] } },
      { name: ["h", "local"], ttl: 10, data: { type: TYPE.A, address: "1.2.3.4" } },
    ],
  });
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  let decoded = 0;
  for (let i = 0; i < 5000; i++) {
    const p = good.slice(0, i % 7 === 0 ? rand(good.length) : good.length);
    for (let k = 0; k < 1 + rand(4); k++) if (p.length) p[rand(p.length)] = rand(256);
    try {
      decodeMessage(p);
      decoded++;
    } catch (err) {
      assert.ok(err instanceof DnsFormatError, `mutation ${i}: ${err}`);
    }
  }
  assert.ok(decoded > 0 && decoded < 5000, `${decoded} of 5000 decoded`);
});
