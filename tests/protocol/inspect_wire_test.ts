/** Protocol 1.4's messages: every bad shape of act and inspect refused, the server's checked. */
import assert from "node:assert/strict";
import { parseClientMessage } from "../../src/protocol/messages.ts";
import { parseServerMessage } from "../../src/protocol/parse_server.ts";
import { MAX_INSPECT_CHARS } from "../../src/protocol/inspect_wire.ts";
import type { Message } from "../../src/protocol/frame.ts";
import { welcomeMessage } from "../support/samples.ts";

const problem = (m: Message) => {
  const p = parseClientMessage(m);
  return p.ok ? undefined : p.error;
};

Deno.test("act: every action's right shape passes, narrowed", () => {
  for (
    const action of [
      { do: "continue" },
      { do: "next" },
      { do: "stepIn" },
      { do: "stepOut" },
      { do: "break", file: "demo.c", line: 9 },
      { do: "break", file: "/src/demo.c", line: 9, condition: "x > 1" },
      { do: "breakFunction", name: "add" },
      { do: "breakFunction", name: "add", condition: "a == 42" },
      { do: "clear", id: 0 },
      { do: "frame", level: 3 },
    ]
  ) {
    const p = parseClientMessage({ t: "act", id: 1, action });
    assert.ok(p.ok, JSON.stringify(action));
    assert.ok(p.msg.t === "act");
    assert.deepEqual(p.msg.action, action);
  }
});

Deno.test("act: bad shapes are refused, each saying why", () => {
  const long = "x".repeat(MAX_INSPECT_CHARS + 1);
  const cases: [unknown, unknown, RegExp][] = [
    ["1", { do: "next" }, /integer id/],
    [1.5, { do: "next" }, /integer id/],
    [1, undefined, /needs an action/],
    [1, "next", /needs an action/],
    [1, [], /needs an action/],
    [1, { do: 3 }, /needs an action/],
    [1, { do: "jump" }, /unknown action "jump"/],
    [1, { do: "break", line: 3 }, /break needs a file/],
    [1, { do: "break", file: "a.c" }, /break needs a file/],
    [1, { do: "break", file: "a.c", line: 0 }, /break needs a file/],
    [1, { do: "break", file: "a.c", line: "3" }, /break needs a file/],
    [1, { do: "break", file: "", line: 3 }, /break needs a file/],
    [1, { do: "break", file: "a.c\nrun", line: 3 }, /break needs a file/],
    [1, { do: "break", file: "a.c", line: 3, condition: 1 }, /break needs a file/],
    [1, { do: "break", file: "a.c", line: 3, condition: "x\n" }, /break needs a file/],
    [1, { do: "break", file: long, line: 3 }, /break needs a file/],
    [1, { do: "breakFunction" }, /breakFunction needs a name/],
    [1, { do: "breakFunction", name: "f", condition: long }, /breakFunction needs a name/],
    [1, { do: "clear" }, /clear needs/],
    [1, { do: "clear", id: -1 }, /clear needs/],
    [1, { do: "frame", level: 1.5 }, /frame needs a level/],
    [1, { do: "frame" }, /frame needs a level/],
  ];
  for (const [id, action, why] of cases) {
    const p = problem({ t: "act", id, action });
    assert.match(p ?? "(accepted)", why, JSON.stringify({ id, action }));
  }
});

Deno.test("inspect: every question's right shape passes; bad shapes are refused", () => {
  for (
    const query of [
      { what: "breakpoints" },
      { what: "threads" },
      { what: "stack" },
      { what: "stack", thread: 2, start: 0, levels: 20 },
      { what: "scopes", frame: 0 },
      { what: "scopes", frame: 1, thread: 1 },
      { what: "variables", ref: 7 },
      { what: "evaluate", expression: "x + 1" },
      { what: "evaluate", expression: "x", frame: 1, thread: 1 },
      { what: "evaluate", expression: "x".repeat(MAX_INSPECT_CHARS) },
    ]
  ) {
    const p = parseClientMessage({ t: "inspect", id: 4, query });
    assert.ok(p.ok, JSON.stringify(query));
    assert.ok(p.msg.t === "inspect");
    assert.deepEqual(p.msg.query, query);
  }
  const cases: [unknown, unknown, RegExp][] = [
    [undefined, { what: "threads" }, /integer id/],
    [1, null, /needs a query/],
    [1, { what: 1 }, /needs a query/],
    [1, { what: "registers" }, /unknown question "registers"/],
    [1, { what: "stack", thread: -1 }, /whole numbers/],
    [1, { what: "stack", levels: "all" }, /whole numbers/],
    [1, { what: "scopes" }, /scopes needs a frame/],
    [1, { what: "scopes", frame: 0, thread: "1" }, /scopes needs a frame/],
    [1, { what: "variables" }, /variables needs a ref/],
    [1, { what: "variables", ref: 1.5 }, /variables needs a ref/],
    [1, { what: "evaluate" }, /needs an expression/],
    [1, { what: "evaluate", expression: "" }, /needs an expression/],
    [1, { what: "evaluate", expression: "x".repeat(MAX_INSPECT_CHARS + 1) }, /E_TOO_LONG/],
    [1, { what: "evaluate", expression: "x", frame: -2 }, /whole numbers/],
  ];
  for (const [id, query, why] of cases) {
    assert.match(problem({ t: "inspect", id, query }) ?? "(accepted)", why, JSON.stringify(query));
  }
});

Deno.test("parseServerMessage: inspected and breakpoints, checked", () => {
  const bp = { id: 1, file: "/s/demo.c", line: 9, enabled: true, verified: true, hits: 0 };
  const good: Message[] = [
    { t: "breakpoints", breakpoints: [bp] },
    { t: "breakpoints", breakpoints: [], client: 2 },
    { t: "inspected", id: 1, ok: true, answer: { what: "breakpoints", breakpoints: [bp] } },
    {
      t: "inspected",
      id: 1,
      ok: true,
      answer: { what: "threads", threads: [{ id: 1, name: "m" }] },
    },
    { t: "inspected", id: 1, ok: true, answer: { what: "stack", frames: [{ level: 0 }] } },
    {
      t: "inspected",
      id: 1,
      ok: true,
      answer: { what: "scopes", scopes: [{ name: "L", ref: 1 }] },
    },
    {
      t: "inspected",
      id: 1,
      ok: true,
      answer: { what: "variables", variables: [{ name: "x", value: "1", ref: 0 }] },
    },
    {
      t: "inspected",
      id: 1,
      ok: true,
      answer: { what: "evaluate", result: { value: "1", ref: 0 } },
    },
    { t: "inspected", id: 1, ok: false, code: "E_TARGET_RUNNING", error: "running" },
  ];
  for (const m of good) assert.ok(parseServerMessage(m).ok, JSON.stringify(m));
  const bad: Message[] = [
    { t: "breakpoints" },
    { t: "breakpoints", breakpoints: [{ id: 1 }] },
    { t: "breakpoints", breakpoints: [{ ...bp, line: "9" }] },
    { t: "breakpoints", breakpoints: [], client: "me" },
    { t: "inspected", id: 1, ok: true },
    { t: "inspected", id: 1, ok: true, answer: { what: "threads", threads: [{ id: "1" }] } },
    { t: "inspected", id: 1, ok: true, answer: { what: "stack", frames: [{ func: "f" }] } },
    { t: "inspected", id: 1, ok: true, answer: { what: "variables", variables: [{ value: "1" }] } },
    { t: "inspected", id: 1, ok: true, answer: { what: "evaluate", result: {} } },
    { t: "inspected", id: 1, ok: true, answer: { what: "registers" } },
    { t: "inspected", id: 1, ok: false, error: "no code" },
    { t: "inspected", ok: false, code: "E", error: "no id" },
  ];
  for (const m of bad) {
    const p = parseServerMessage(m);
    assert.ok(!p.ok && !p.unknown, JSON.stringify(m));
  }
  // The welcome's breakpoints are checked too.
  const welcome = welcomeMessage({
    protocol: "1.4",
    server: { name: "s", engine: "gdb", host: "h" },
  });
  assert.ok(parseServerMessage({ ...welcome, breakpoints: [bp] }).ok);
  assert.ok(!parseServerMessage({ ...welcome, breakpoints: [{}] }).ok);
});
