/**
 * The session's structured side (protocol 1.4): actions run as the client's own commands in the
 * engine kind's words, questions answered to the asker alone, breakpoints told to 1.4 peers.
 */
import assert from "node:assert/strict";
import type { EngineListener } from "../../src/engine/engine.ts";
import type { Action, Breakpoint, Inspector } from "../../src/engine/inspect.ts";
import { InspectError } from "../../src/engine/inspect.ts";
import { actionText } from "../../src/session/inspect.ts";
import { MAX_QUESTIONS_IN_FLIGHT } from "../../src/session/inspect.ts";
import { doneOf, lab } from "./lab.ts";
import { createFakeEngine, type FakeEngine } from "./fake_engine.ts";

const V14 = { protocol: "1.4", release: "0.1.0" };
const V13 = { protocol: "1.3", release: "0.1.0" };

/** A fake engine dressed as `kind`, whose `break X` tells a new breakpoint set. */
function dressed(kind: string, inspector?: Inspector) {
  return (listener: EngineListener): FakeEngine => {
    const fake = createFakeEngine(listener);
    const set: Breakpoint[] = [];
    return Object.create(fake, {
      kind: { value: kind },
      inspector: { value: inspector },
      execute: {
        value(text: string) {
          const m = /^break (.+)$/.exec(text);
          if (m) {
            set.push({ id: set.length + 1, func: m[1], enabled: true, verified: true });
            listener({ type: "breakpoints", breakpoints: [...set] });
          }
          return fake.execute(text);
        },
      },
    });
  };
}

const ACTIONS: Action[] = [
  { do: "continue" },
  { do: "next" },
  { do: "stepIn" },
  { do: "stepOut" },
  { do: "break", file: "loop.c", line: 9 },
  { do: "break", file: "loop.c", line: 9, condition: "i > 3" },
  { do: "breakFunction", name: "add" },
  { do: "clear", id: 2 },
  { do: "frame", level: 1 },
];

Deno.test("actionText: each kind's own words for every action", () => {
  const words = (kind: string) =>
    ACTIONS.map((a) => {
      const r = actionText(kind, a);
      assert.ok("text" in r, JSON.stringify(r));
      return r.text;
    });
  assert.deepEqual(words("gdb"), [
    "continue",
    "next",
    "step",
    "finish",
    "break loop.c:9",
    "break loop.c:9 if i > 3",
    "break add",
    "delete 2",
    "frame 1",
  ]);
  assert.deepEqual(words("lldb"), [
    "continue",
    "next",
    "step",
    "finish",
    "breakpoint set --file loop.c --line 9",
    "breakpoint set --file loop.c --line 9 --condition 'i > 3'",
    "breakpoint set --name add",
    "breakpoint delete 2",
    "frame select 1",
  ]);
  assert.deepEqual(words("python"), [
    "c",
    "n",
    "s",
    "r",
    "b loop.c:9",
    "b loop.c:9, i > 3",
    "b add",
    "cl 2",
    "frame 1",
  ]);
  // A condition holding a quote stays one lldb word.
  const quoted = actionText("lldb", { do: "breakFunction", name: "f", condition: "s == 'a'" });
  assert.deepEqual(quoted, { text: `breakpoint set --name f --condition 's == '\\''a'\\'''` });
});

Deno.test("actionText: what would read as another command or place is refused with E_BAD_ACTION", () => {
  for (
    const bad of [
      { do: "break", file: "a.c", line: 3, condition: "x\nrun" },
      { do: "break", file: "my file.c", line: 3 },
      { do: "breakFunction", name: "f\rkill" },
      { do: "frame", level: -1 },
    ] as Action[]
  ) {
    for (const kind of ["gdb", "lldb", "python"]) {
      const r = actionText(kind, bad);
      assert.ok("error" in r && r.error.code === "E_BAD_ACTION", `${kind} ${JSON.stringify(bad)}`);
    }
  }
  const none = actionText("fake", { do: "next" });
  assert.ok("error" in none && none.error.code === "E_NO_INSPECTOR");
});

Deno.test("act runs as the client's command in the kind's words; observers are refused", async () => {
  const l = lab({ engine: dressed("gdb") });
  const a = await l.join("alice", { version: V14 });
  const o = await l.join("olga", { version: V14, observe: true });
  a.send({ t: "act", id: 7, action: { do: "break", file: "loop.c", line: 9 } });
  const echo = await o.until((e) => e.t === "echo" && e.id === 7);
  assert.ok(echo.t === "echo");
  assert.equal(echo.text, "break loop.c:9");
  assert.equal(echo.from, "alice@h");
  await a.until((e) => e.t === "done" && e.id === 7);
  // Queue order is kept: an act behind a typed command runs after it.
  a.conn.command("print 1");
  a.send({ t: "act", id: 9, action: { do: "next" } });
  await a.until((e) => e.t === "done" && e.id === 9);
  assert.deepEqual(l.engine.executed, ["break loop.c:9", "print 1", "next"]);

  o.send({ t: "act", id: 3, action: { do: "continue" } });
  const refused = await o.until((e) => e.t === "done" && e.id === 3);
  assert.ok(refused.t === "done" && refused.refused === true && refused.ok === false);
  assert.ok(!a.events.some((e) => e.t === "done" && e.id === 3), "told to the observer alone");

  a.send({ t: "act", id: 4, action: { do: "break", file: "a b.c", line: 1 } });
  const bad = await a.until((e) => e.t === "done" && e.id === 4);
  assert.ok(bad.t === "done" && bad.refused && bad.code === "E_BAD_ACTION");
  assert.equal(l.engine.executed.length, 3, "neither ran");
  await l.session.end("test over");
});

Deno.test("breakpoints go live to 1.4 peers only, with who changed them, and in the welcome", async () => {
  const l = lab({ engine: dressed("gdb") });
  const a = await l.join("alice", { version: V14 });
  const old = await l.join("olga", { version: V13 });
  assert.deepEqual(a.conn.welcome.breakpoints, []);
  assert.equal(old.conn.welcome.breakpoints, undefined, "a 1.3 peer is not told");
  a.conn.command("break main");
  const told = await a.until((e) => e.t === "breakpoints");
  assert.ok(told.t === "breakpoints");
  assert.deepEqual(told.breakpoints.map((b) => b.func), ["main"]);
  assert.equal(told.client, a.conn.welcome.you);
  await old.until(doneOf(1));
  assert.ok(!old.events.some((e) => e.t === "breakpoints"));
  assert.deepEqual(l.session.breakpoints().map((b) => b.id), [1]);

  const late = await l.join("carol", { version: V14 });
  assert.deepEqual(late.conn.welcome.breakpoints?.map((b) => b.func), ["main"]);
  assert.ok(!late.conn.welcome.scrollback.some((e) => e.t === "breakpoints"), "live only");
  await l.session.end("test over");
});

Deno.test("inspect is answered to the asker alone, observers too; refusals carry codes", async () => {
  let running = false;
  const inspector: Inspector = {
    breakpoints: () => Promise.resolve([]),
    threads: () => Promise.resolve([{ id: 1, name: "main" }]),
    stack: () => Promise.resolve([{ level: 0, func: "main" }]),
    scopes: () => Promise.resolve([{ name: "Locals", ref: 5 }]),
    variables: (ref) =>
      ref === 5
        ? Promise.resolve([{ name: "x", value: "42", type: "int", ref: 0 }])
        : Promise.reject(new InspectError("E_BAD_REF", `no ref ${ref}`)),
    evaluate: (expression) =>
      running
        ? Promise.reject(new InspectError("E_TARGET_RUNNING", "the target is running"))
        : Promise.resolve({ value: `<${expression}>`, ref: 0 }),
  };
  const l = lab({ engine: dressed("gdb", inspector) });
  const a = await l.join("alice", { version: V14 });
  const o = await l.join("olga", { version: V14, observe: true });
  o.send({ t: "inspect", id: 1, query: { what: "scopes", frame: 0 } });
  o.send({ t: "inspect", id: 2, query: { what: "variables", ref: 5 } });
  o.send({ t: "inspect", id: 3, query: { what: "variables", ref: 6 } });
  o.send({ t: "inspect", id: 4, query: { what: "evaluate", expression: "x + 1" } });
  for (const id of [1, 2, 3, 4]) await o.answer(id);
  assert.deepEqual(o.inspected.map((m) => m.id), [1, 2, 3, 4]);
  assert.deepEqual(o.inspected[0].answer, { what: "scopes", scopes: [{ name: "Locals", ref: 5 }] });
  assert.deepEqual(o.inspected[1].answer, {
    what: "variables",
    variables: [{ name: "x", value: "42", type: "int", ref: 0 }],
  });
  assert.equal(o.inspected[2].ok, false);
  assert.equal(o.inspected[2].code, "E_BAD_REF");
  assert.deepEqual(o.inspected[3].answer, {
    what: "evaluate",
    result: { value: "<x + 1>", ref: 0 },
  });
  running = true;
  o.send({ t: "inspect", id: 5, query: { what: "evaluate", expression: "x" } });
  await o.answer(5);
  assert.equal(o.inspected[4].code, "E_TARGET_RUNNING");
  // Nobody else saw any of it, and nothing reached the transcript.
  a.conn.command("print 1");
  await a.until(doneOf(1));
  assert.deepEqual(a.inspected, []);
  assert.deepEqual(a.transcript().filter((t) => t.includes("x + 1")), []);
  await l.session.end("test over");
});

Deno.test("inspect: no inspector is E_NO_INSPECTOR; too many at once are refused", async () => {
  const l = lab({ engine: dressed("gdb") });
  const a = await l.join("alice", { version: V14 });
  a.send({ t: "inspect", id: 1, query: { what: "threads" } });
  await a.answer(1);
  assert.equal(a.inspected[0].code, "E_NO_INSPECTOR");
  await l.session.end("test over");

  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const slow: Inspector = {
    breakpoints: () => Promise.resolve([]),
    threads: async () => {
      await gate;
      return [];
    },
    stack: () => Promise.resolve([]),
    scopes: () => Promise.resolve([]),
    variables: () => Promise.resolve([]),
    evaluate: () => Promise.resolve({ value: "", ref: 0 }),
  };
  const l2 = lab({ engine: dressed("gdb", slow) });
  const b = await l2.join("bob", { version: V14 });
  const id = b.conn.welcome.you;
  const asked = Array.from(
    { length: MAX_QUESTIONS_IN_FLIGHT },
    () => l2.session.inspect(id, { what: "threads" }),
  );
  await assert.rejects(
    l2.session.inspect(id, { what: "threads" }),
    (e: InspectError) => e.code === "E_INSPECT",
  );
  release();
  await Promise.all(asked);
  await l2.session.inspect(id, { what: "threads" }); // room again
  await l2.session.end("test over");
});

Deno.test("act: the session speaks each engine kind's words, as its echo shows", async () => {
  const expected: Record<string, string[]> = {
    gdb: ["next", "step", "finish", "frame 2"],
    lldb: ["next", "step", "finish", "frame select 2"],
    python: ["n", "s", "r", "frame 2"],
  };
  for (const [kind, words] of Object.entries(expected)) {
    const l = lab({ engine: dressed(kind) });
    const a = await l.join("alice", { version: V14 });
    const actions: Action[] = [{ do: "next" }, { do: "stepIn" }, { do: "stepOut" }, {
      do: "frame",
      level: 2,
    }];
    actions.forEach((action, i) => a.send({ t: "act", id: 100 + i, action }));
    await a.until((e) => e.t === "done" && e.id === 103);
    const echoed = a.events.flatMap((e) => e.t === "echo" ? [e.text] : []);
    assert.deepEqual(echoed, words, kind);
    assert.deepEqual(l.engine.executed, words, kind);
    await l.session.end("test over");
  }
});
