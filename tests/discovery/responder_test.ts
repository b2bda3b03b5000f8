import assert from "node:assert/strict";
import type { Advert } from "../../src/discovery/advert.ts";
import { decodeMessage, encodeMessage, type Message, TYPE } from "../../src/discovery/dns_codec.ts";
import {
  announcement,
  answerQuery,
  goodbye,
  serverRecords,
} from "../../src/discovery/responder.ts";
import { ServerTable } from "../../src/discovery/server_table.ts";
import { crashAdvert } from "../support/samples.ts";

const AD: Advert = crashAdvert({
  clients: 1,
  endpoints: ["tcp:server=lab1,port=5005,password_env=LAB_PW", "npipe:pipe=crash"],
});
const SERVICE = ["_dbgremote", "_tcp", "local"];
const INSTANCE = ["crash on lab1 (42)", ...SERVICE];
const query = (type: number, name = SERVICE, id = 77): Message => ({
  id,
  response: false,
  questions: [{ name, type }],
  answers: [],
});
/** Through the wire and back, as a peer would see it. */
const wire = (m: Message) => decodeMessage(encodeMessage(m));

Deno.test("responder: one instance: PTR to it, SRV to host:port, TXT, A records", () => {
  const r = serverRecords(AD, ["198.18.0.1"]);
  assert.deepEqual(r.ptr.data, { type: TYPE.PTR, target: INSTANCE });
  assert.deepEqual(r.srv.data, {
    type: TYPE.SRV,
    priority: 0,
    weight: 0,
    port: 5005,
    target: ["lab1", "local"],
  });
  assert.deepEqual(r.addresses.map((a) => a.data), [{ type: TYPE.A, address: "198.18.0.1" }]);
  assert.equal(r.lanVisible, true);
  assert.equal(serverRecords({ ...AD, endpoints: ["npipe:pipe=x"] }, []).lanVisible, false);
});

Deno.test("responder: a one-shot (legacy) query gets its id and question back, TTL <= 10, no cache-flush", () => {
  const r = serverRecords(AD, ["198.18.0.1"]);
  const a = wire(answerQuery(query(TYPE.PTR), r, true)!);
  assert.equal(a.id, 77);
  assert.deepEqual(a.questions, [{ name: SERVICE, type: TYPE.PTR, unicastResponse: false }]);
  assert.deepEqual(a.answers.map((rr) => rr.data.type), [TYPE.PTR]);
  assert.deepEqual(a.additionals!.map((rr) => rr.data.type), [TYPE.SRV, TYPE.TXT, TYPE.A]);
  for (const rr of [...a.answers, ...a.additionals!]) {
    assert.ok(rr.ttl <= 10 && rr.ttl > 0);
    assert.equal(rr.cacheFlush, false);
  }
});

Deno.test("responder: a multicast answer has id 0, no questions, cache-flush on unique records", () => {
  const r = serverRecords(AD, ["198.18.0.1"]);
  const a = wire(answerQuery(query(TYPE.PTR), r, false)!);
  assert.equal(a.id, 0);
  assert.deepEqual(a.questions, []);
  assert.equal(a.answers[0].cacheFlush, false); // the PTR is shared by every server
  assert.ok(a.additionals!.every((rr) => rr.cacheFlush));
  assert.equal(a.additionals!.find((rr) => rr.data.type === TYPE.A)!.ttl, 120);
});

Deno.test("responder: answers what is asked of it, and nothing else", () => {
  const r = serverRecords(AD, ["198.18.0.1"]);
  const types = (m: Message | undefined) => m?.answers.map((rr) => rr.data.type);
  assert.deepEqual(types(answerQuery(query(TYPE.SRV, INSTANCE), r, true)), [TYPE.SRV]);
  assert.deepEqual(types(answerQuery(query(TYPE.TXT, INSTANCE), r, true)), [TYPE.TXT]);
  assert.deepEqual(types(answerQuery(query(TYPE.ANY, INSTANCE), r, true)), [TYPE.SRV, TYPE.TXT]);
  assert.deepEqual(types(answerQuery(query(TYPE.A, ["LAB1", "local"]), r, true)), [TYPE.A]);
  assert.deepEqual(
    answerQuery(query(TYPE.PTR, ["_services", "_dns-sd", "_udp", "local"]), r, true)!.answers[0]
      .data,
    { type: TYPE.PTR, target: SERVICE },
  );
  assert.equal(answerQuery(query(TYPE.PTR, ["_http", "_tcp", "local"]), r, true), undefined);
  assert.equal(answerQuery(query(TYPE.A, ["lab2", "local"]), r, true), undefined);
  assert.equal(answerQuery({ ...query(TYPE.PTR), response: true }, r, true), undefined);
});

Deno.test("responder: known-answer suppression (RFC 6762 §7.1)", () => {
  const r = serverRecords(AD, ["198.18.0.1"]);
  const knowing = (ttl: number): Message => ({ ...query(TYPE.PTR), answers: [{ ...r.ptr, ttl }] });
  assert.equal(answerQuery(knowing(10), r, false), undefined);
  assert.ok(answerQuery(knowing(4), r, false), "a known answer near its end is answered again");
});

Deno.test("responder: announcements carry every record; goodbyes TTL 0, and spare the host's addresses", () => {
  const r = serverRecords(AD, ["198.18.0.1"]);
  assert.deepEqual(announcement(r).answers.map((rr) => rr.data.type), [
    TYPE.PTR,
    TYPE.SRV,
    TYPE.TXT,
    TYPE.A,
  ]);
  const bye = wire(goodbye(r));
  assert.deepEqual(bye.answers.map((rr) => [rr.data.type, rr.ttl]), [
    [TYPE.PTR, 0],
    [TYPE.SRV, 0],
    [TYPE.TXT, 0],
  ]);
});

Deno.test("server table: lists what answered, until a goodbye or the TTL's end", () => {
  const r = serverRecords(AD, ["198.18.0.1"]);
  const t = new ServerTable();
  t.add(wire(answerQuery(query(TYPE.PTR), r, true)!), "198.18.0.1", 1000);
  const [found] = t.list(1000);
  assert.equal(found.name, "crash");
  assert.equal(found.clients, 1);
  assert.deepEqual(found.endpoints, AD.endpoints);
  assert.deepEqual(found.addresses, ["198.18.0.1"]);
  assert.equal(found.instance, "crash on lab1 (42)");
  // The legacy answer's TTL is 10 s: alive just before, gone at the end.
  assert.equal(t.list(1000 + 9_999).length, 1);
  assert.equal(t.list(1000 + 10_000).length, 0);
  // A fresh answer renews it; a goodbye drops it at once.
  t.add(wire(announcement(r)), "198.18.0.1", 5000);
  assert.equal(t.list(14_000).length, 1);
  t.add(wire(goodbye(r)), "198.18.0.1", 5001);
  assert.equal(t.list(5001).length, 0);
  // A server that comes back is listed again.
  t.add(wire(announcement(r)), "198.18.0.1", 6000);
  assert.equal(t.list(6000).length, 1);
});

Deno.test("server table: changed TXT replaces the old; records in any order; strangers ignored", () => {
  const t = new ServerTable();
  const r1 = serverRecords(AD, ["198.18.0.1"]);
  const r2 = serverRecords({ ...AD, clients: 3 }, ["198.18.0.1"]);
  // TXT and SRV before the PTR that names them.
  t.add(
    wire({ id: 0, response: true, questions: [], answers: [r1.txt, r1.srv, r1.ptr] }),
    "198.18.0.1",
    0,
  );
  t.add(wire({ id: 0, response: true, questions: [], answers: [r2.txt] }), "198.18.0.1", 1);
  assert.equal(t.list(2)[0].clients, 3);
  // A TXT for an instance no PTR named, a query, a TXT that is not ours: nothing new.
  const stray = serverRecords({ ...AD, pid: 9 }, []);
  t.add(wire({ id: 0, response: true, questions: [], answers: [stray.txt] }), "x", 3);
  t.add(wire({ ...announcement(stray), response: false }), "x", 3);
  const foreign = serverRecords({ ...AD, pid: 10 }, []);
  foreign.txt.data = { type: TYPE.TXT, strings: [new TextEncoder().encode("path=/")] };
  t.add(
    wire({ id: 0, response: true, questions: [], answers: [foreign.ptr, foreign.txt] }),
    "x",
    3,
  );
  assert.deepEqual(t.list(4).map((s) => s.pid), [42]);
  // No A record heard: the address the answer came from.
  const t2 = new ServerTable();
  t2.add(wire({ id: 0, response: true, questions: [], answers: [r1.ptr, r1.txt] }), "10.1.1.1", 0);
  assert.deepEqual(t2.list(0)[0].addresses, ["10.1.1.1"]);
});

Deno.test("responder: a query repeating a question 500 times gets one answer, not 500", () => {
  const r = serverRecords(AD, ["198.18.0.1"]);
  const types = ["_services", "_dns-sd", "_udp", "local"];
  const many: Message = {
    id: 9,
    response: false,
    questions: [
      ...Array.from({ length: 500 }, () => ({ name: types, type: TYPE.PTR })),
      ...Array.from({ length: 500 }, () => ({ name: ["nobody", "local"], type: TYPE.A })),
      { name: SERVICE.map((l) => l.toUpperCase()), type: TYPE.PTR },
      { name: SERVICE, type: TYPE.PTR },
    ],
    answers: [],
  };
  for (const legacy of [false, true]) {
    const a = wire(answerQuery(wire(many), r, legacy)!);
    assert.deepEqual(a.answers.map((rr) => rr.data.type), [TYPE.PTR, TYPE.PTR]);
    // A one-shot querier gets back the questions we answer, each once; not the other 999.
    assert.deepEqual(
      a.questions.map((q) => q.name.join(".").toLowerCase()),
      legacy ? [types.join("."), SERVICE.join(".")] : [],
    );
    assert.ok(encodeMessage(a).length < 600, `${encodeMessage(a).length} bytes`);
  }
});
