/** Presence: operators' comings and goings one by one, observers' summarised once per interval. */
import assert from "node:assert/strict";
import type { ClientInfo, Notice, Role } from "../../src/protocol/messages.ts";
import type { Participant } from "../../src/session/audience.ts";
import { Presence, summaryNotice } from "../../src/session/presence.ts";
import { doneOf, lab } from "./lab.ts";

function setup() {
  const said: Notice[] = [];
  let tick: (() => void) | undefined;
  let count = 0;
  const presence = new Presence({
    announce: (n) => said.push(n),
    count: () => count,
    setTimer: (f) => (tick = f),
    clearTimer: () => (tick = undefined),
  });
  const person = (user: string, role: Role): [Participant, ClientInfo] => {
    const who = { user, host: "h", tool: "t" };
    return [
      { who, via: "mem", role, deliver() {}, close() {} },
      { id: ++count, who, via: "mem", role },
    ];
  };
  /** The interval ends. */
  const elapse = () => {
    const f = tick;
    tick = undefined;
    f?.();
  };
  return { presence, said, person, elapse, texts: () => said.map((n) => n.text) };
}

Deno.test("presence: an operator's join and leave are told at once, on their own", () => {
  const { presence, person, texts } = setup();
  const [alice, info] = person("alice", "operator");
  const [bob, binfo] = person("bob", "operator");
  presence.joined(alice, info);
  presence.joined(bob, binfo);
  presence.left(bob, binfo, "leave", "left");
  assert.deepEqual(texts(), [
    "alice@h joined (mem)",
    "bob@h joined (mem)",
    "bob@h left",
  ]);
});

Deno.test("presence: observers within an interval are summarised at its end; .clients stays exact elsewhere", () => {
  const { presence, person, said, elapse, texts } = setup();
  const people = Array.from({ length: 5 }, (_, i) => person(`o${i}`, "observer"));
  for (const [p, info] of people) presence.joined(p, info);
  // The first at once, with its client (lists of participants stay up to date); the rest held.
  assert.deepEqual(texts(), ["o0@h joined (mem) as an observer"]);
  assert.equal(said[0].client?.id, 1);
  const [op, opInfo] = person("alice", "operator");
  presence.joined(op, opInfo);
  assert.equal(said.length, 2, "an operator is never held back");
  presence.left(people[4][0], people[4][1], "leave", "left");
  elapse();
  assert.deepEqual(said.at(-1), {
    t: "notice",
    kind: "info",
    text: "4 observers joined, 1 left; 6 participants now",
  });
  // Still busy: the window stays open; one alone is told on its own, with its client.
  presence.left(people[3][0], people[3][1], "leave", "left");
  elapse();
  assert.equal(said.at(-1)?.text, "o3@h left");
  assert.equal(said.at(-1)?.client?.id, 4);
  // Quiet for a whole interval: the next one is told at once again.
  elapse();
  presence.left(people[2][0], people[2][1], "leave", "left");
  assert.equal(said.at(-1)?.text, "o2@h left");
});

Deno.test("presence: an observer's drop is told at once; flush says what is held", () => {
  const { presence, person, texts } = setup();
  const [a, ai] = person("a", "observer");
  const [b, bi] = person("b", "observer");
  const [c, ci] = person("c", "observer");
  presence.joined(a, ai);
  presence.joined(b, bi);
  presence.joined(c, ci);
  presence.left(c, ci, "drop", "was disconnected: too slow");
  assert.deepEqual(texts(), ["a@h joined (mem) as an observer", "c@h was disconnected: too slow"]);
  presence.flush();
  assert.equal(texts().at(-1), "2 observers joined; 3 participants now");
});

Deno.test("summaryNotice: joins only, leaves only, both", () => {
  assert.deepEqual(summaryNotice(3, 0, 10), {
    t: "notice",
    kind: "join",
    text: "3 observers joined; 10 participants now",
  });
  assert.equal(summaryNotice(0, 1, 1).text, "1 observer left; 1 participant now");
  assert.equal(summaryNotice(0, 2, 1).kind, "leave");
});

Deno.test("session: many observers joining at once are summarised; .clients lists every one", async () => {
  const l = lab();
  const alice = await l.join("alice");
  for (let i = 0; i < 6; i++) await l.join(`o${i}`, { observe: true });
  // The first at once; the other five in summaries (one, unless the machine is slow).
  const summarised = () =>
    alice.events.reduce((n, e) => {
      const m = e.t === "notice" && !e.client ? /^(\d+) observers joined/.exec(e.text) : null;
      return n + (m ? Number(m[1]) : 0);
    }, 0);
  await alice.until(() => summarised() === 5);
  assert.ok(
    alice.events.some((e) => e.t === "notice" && e.text === "o0@h joined (mem:o0) as an observer"),
  );
  const individually = alice.events.filter((e) =>
    e.t === "notice" && e.client?.role === "observer"
  );
  assert.ok(individually.length < 6, "observers are not announced one by one");
  alice.conn.command(".clients");
  await alice.until(doneOf(1));
  const listing = alice.events.filter((e) => e.t === "out").map((e) => e.t === "out" && e.text)
    .join("");
  assert.match(listing, /^7 participants/);
  for (let i = 0; i < 6; i++) assert.match(listing, new RegExp(`o${i}@h\\s+observer`));
  await l.session.end("test over");
});

Deno.test("presence: the interval is 1 s unless given, even when given as undefined (as the session passes it)", () => {
  const asked: number[] = [];
  const who = { user: "o", host: "h", tool: "t" };
  for (const intervalMs of [undefined, 250]) {
    const presence = new Presence({
      announce() {},
      count: () => 1,
      intervalMs,
      setTimer: (_f, ms) => asked.push(ms),
      clearTimer() {},
    });
    presence.joined({ who, via: "mem", role: "observer", deliver() {}, close() {} }, {
      id: 1,
      who,
      via: "mem",
      role: "observer",
    });
  }
  assert.deepEqual(asked, [1000, 250]);
});
