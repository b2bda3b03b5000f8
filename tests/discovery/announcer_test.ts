import assert from "node:assert/strict";
import type { Advert } from "../../src/discovery/advert.ts";
import { type Announcer, startAnnouncer } from "../../src/discovery/announcer.ts";
import { decodeMessage, encodeMessage, TYPE } from "../../src/discovery/dns_codec.ts";
import { onLocalLink } from "../../src/discovery/mdns_socket.ts";
import { searchServers } from "../../src/discovery/search.ts";
import { FakeNet } from "./fake_net.ts";
import { crashAdvert } from "../support/samples.ts";

const LAB1 = "198.18.0.1";
const LAB2 = "198.18.0.2";
const ALICE = "198.18.0.3";

const AD: Advert = crashAdvert();

function announce(net: FakeNet, host: string, describe: () => Advert | undefined) {
  const log: string[] = [];
  const started = startAnnouncer({
    describe,
    log: (l) => log.push(l),
    open: (scope) => net.open(host, 5353, scope),
    addresses: () => [host],
    own: () => new Set([host, "127.0.0.1"]),
    onLink: (address) => address.startsWith("198.18.0."),
    settleMs: 5,
    repeatMs: 30,
  });
  return { started, log };
}

const search = (net: FakeNet, host: string, timeoutMs = 200) =>
  searchServers({
    timeoutMs,
    open: (port) => net.open(host, port, "lan"),
    own: () => new Set([host, "127.0.0.1"]),
  });

/** The responses (announcements, goodbyes) `from` sent to the group. */
const groupPackets = (net: FakeNet, from: string) =>
  net.sent.filter((p) => p.from === from && p.to === "group").map((p) => decodeMessage(p.bytes))
    .filter((m) => m.response);

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wait until `cond` holds (at most 5 s: a busy machine is slow, never wrong). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let t = 0; !cond(); t += 10) {
    if (t > 5000) throw new Error(`timed out waiting for ${what}`);
    await wait(10);
  }
}

Deno.test("announcer: announces twice at start, answers searches, says goodbye on close", async () => {
  const net = new FakeNet();
  let a: Announcer | undefined;
  try {
    a = await announce(net, LAB1, () => AD).started;
    await until(() => groupPackets(net, LAB1).length >= 2, "two announcements");
    await wait(100);
    const announcements = groupPackets(net, LAB1);
    assert.equal(announcements.length, 2, "an announcement and its repeat (RFC 6762 §8.3)");
    assert.deepEqual(announcements[0].answers.map((rr) => rr.data.type), [
      TYPE.PTR,
      TYPE.SRV,
      TYPE.TXT,
      TYPE.A,
    ]);
    const found = await search(net, ALICE);
    assert.deepEqual(found.map((s) => [s.name, s.host, s.local, s.endpoints]), [
      ["crash", "lab1", false, AD.endpoints],
    ]);
    // The search's answer came back by unicast, straight to its own port.
    assert.ok(net.sent.some((p) => p.from === LAB1 && p.to.startsWith(ALICE + ":4")));
    await a.close();
    const last = groupPackets(net, LAB1).at(-1)!;
    assert.ok(last.answers.every((rr) => rr.ttl === 0), "the last word is a goodbye");
    assert.deepEqual(await search(net, ALICE), []);
  } finally {
    await a?.close();
  }
});

Deno.test("announcer: a change is announced (coalesced), and the search sees the new count", async () => {
  const net = new FakeNet();
  let clients = 0;
  const a = await announce(net, LAB1, () => ({ ...AD, clients })).started;
  try {
    await until(() => groupPackets(net, LAB1).length >= 2, "the start's announcements");
    const before = groupPackets(net, LAB1).length;
    clients = 3;
    a.update();
    a.update();
    a.update();
    await until(() => groupPackets(net, LAB1).length >= before + 2, "the change's announcements");
    await wait(100);
    const after = groupPackets(net, LAB1).slice(before);
    assert.equal(after.length, 2, "three updates, one announcement (and its repeat)");
    assert.equal((await search(net, ALICE))[0].clients, 3);
  } finally {
    await a.close();
  }
});

Deno.test("announcer: nothing to advertise (all hidden): silent, and no search lists it", async () => {
  const net = new FakeNet();
  const a = await announce(net, LAB1, () => undefined).started;
  try {
    assert.deepEqual(await search(net, LAB1), []);
    assert.deepEqual(await search(net, ALICE), []);
    const answers = net.sent.filter((p) => p.from === LAB1 && decodeMessage(p.bytes).response);
    assert.equal(answers.length, 0);
  } finally {
    await a.close();
  }
});

Deno.test("announcer: a host-only server (pipes) answers its own machine and nobody else", async () => {
  const net = new FakeNet();
  const local = { ...AD, endpoints: ["npipe:pipe=crash"] };
  const a = await announce(net, LAB1, () => local).started;
  try {
    const here = await search(net, LAB1);
    assert.deepEqual(here.map((s) => [s.name, s.local, s.endpoints]), [
      ["crash", true, ["npipe:pipe=crash"]],
    ]);
    assert.deepEqual(await search(net, ALICE), []);
    assert.equal(groupPackets(net, LAB1).length, 0, "never a word to the group");
    await a.close();
    assert.equal(groupPackets(net, LAB1).length, 0, "and no goodbye: nobody was told");
  } finally {
    await a.close();
  }
});

Deno.test("announcer: losing its last network endpoint takes it off the network", async () => {
  const net = new FakeNet();
  let ad = AD;
  const a = await announce(net, LAB1, () => ad).started;
  try {
    assert.equal((await search(net, ALICE)).length, 1);
    ad = { ...AD, endpoints: ["npipe:pipe=crash"] }; // e.g. .endsrv of the tcp endpoint
    a.update();
    await until(
      () => groupPackets(net, LAB1).at(-1)!.answers.every((rr) => rr.ttl === 0),
      "a goodbye",
    );
    const last = groupPackets(net, LAB1).at(-1)!;
    assert.ok(last.answers.every((rr) => rr.ttl === 0), "a goodbye to the network");
    assert.deepEqual(await search(net, ALICE), []);
    assert.equal((await search(net, LAB1)).length, 1, "still found on its own machine");
  } finally {
    await a.close();
  }
});

Deno.test("search: a goodbye heard during the search drops the server; the query is repeated", async () => {
  const net = new FakeNet();
  const a = await announce(net, LAB1, () => AD).started;
  const b = await announce(net, LAB2, () => ({ ...AD, host: "lab2", name: "other" })).started;
  try {
    const running = search(net, ALICE, 1500);
    // lab1 answered the search (by unicast, to its own port): the fake network delivers in the
    // order sent, so the search hears that answer before the goodbye.
    await until(
      () => net.sent.some((p) => p.from === LAB1 && p.to.startsWith(ALICE + ":4")),
      "lab1's answer to the search",
    );
    await a.close();
    const found = await running;
    assert.deepEqual(found.map((s) => s.name), ["other"]);
    const queries = net.sent.filter((p) => p.from === ALICE && p.to === "group");
    assert.equal(queries.length, 2, "asked at 0 s and again at 1 s");
  } finally {
    await a.close();
    await b.close();
  }
});

Deno.test("announcer: without a socket it logs why and the server runs on", async () => {
  const log: string[] = [];
  const a = await startAnnouncer({
    describe: () => AD,
    log: (l) => log.push(l),
    open: () => Promise.reject(new Error("EADDRINUSE")),
  });
  a.update();
  await a.close();
  assert.match(log.join("\n"), /cannot listen on udp port 5353 \(EADDRINUSE\).*will not appear/);
});

Deno.test("announcer: askers off the local link get nothing (RFC 6762 §11)", async () => {
  const net = new FakeNet();
  const a = await announce(net, LAB1, () => AD).started;
  try {
    await until(() => groupPackets(net, LAB1).length >= 2, "the start's announcements");
    await wait(50); // (only link-local multicast could have told it; the fake carries it anywhere)
    assert.deepEqual(await search(net, "203.0.113.5"), []);
    assert.equal((await search(net, ALICE)).length, 1);
  } finally {
    await a.close();
  }
  assert.equal(onLocalLink("127.0.0.1"), true);
  assert.equal(onLocalLink("203.0.113.5"), false); // TEST-NET-3: never a real neighbour
  assert.equal(onLocalLink("not an address"), false);
});

Deno.test("announcer: at most one multicast answer a second, however many queries", async () => {
  const net = new FakeNet();
  const a = await announce(net, LAB1, () => AD).started;
  const peer = await net.open(ALICE, 5353, "lan"); // a standard mDNS querier, on port 5353
  try {
    await until(() => groupPackets(net, LAB1).length >= 2, "the start's announcements");
    await wait(50);
    const before = groupPackets(net, LAB1).length;
    const query = encodeMessage({
      id: 0,
      response: false,
      questions: [{ name: ["_dbgremote", "_tcp", "local"], type: TYPE.PTR }],
      answers: [],
    });
    for (let i = 0; i < 5; i++) await peer.send(query);
    await until(() => groupPackets(net, LAB1).length > before, "a multicast answer");
    await wait(300);
    assert.equal(groupPackets(net, LAB1).length, before + 1);
  } finally {
    await peer.close();
    await a.close();
  }
});
