import assert from "node:assert/strict";
import { changesSince, planFunctions, planSource } from "../../src/dap/breakpoints.ts";
import { breakpointAt } from "../support/samples.ts";

const bp = breakpointAt;

Deno.test("planSource: a whole file's breakpoints become only the adds and removes that differ", () => {
  const existing = [bp(1, "/src/loop.c", 9), bp(2, "/src/loop.c", 12), bp(3, "/src/main.c", 9)];
  const plan = planSource("/src/loop.c", [{ line: 9 }, { line: 20 }], existing);
  assert.deepEqual(plan.actions, [
    { do: "clear", id: 2 },
    { do: "break", file: "/src/loop.c", line: 20 },
  ]);
});

Deno.test("planSource: the same lines again change nothing; a changed condition is a remove and an add", () => {
  const existing = [bp(1, "loop.c", 9), bp(2, "loop.c", 12, { condition: "i > 3" })];
  assert.deepEqual(
    planSource("/src/loop.c", [{ line: 9 }, { line: 12, condition: "i > 3" }], existing).actions,
    [],
  );
  assert.deepEqual(
    planSource("/src/loop.c", [{ line: 9 }, { line: 12, condition: "i > 4" }], existing).actions,
    [{ do: "clear", id: 2 }, { do: "break", file: "/src/loop.c", line: 12, condition: "i > 4" }],
  );
});

Deno.test("planSource: duplicates asked once; a duplicate in the session removed; other files untouched", () => {
  const existing = [bp(1, "/a/x.c", 5), bp(2, "/a/x.c", 5), bp(3, "/b/x.c", 5)];
  const plan = planSource("/a/x.c", [{ line: 5 }, { line: 5 }], existing);
  assert.deepEqual(plan.actions, [{ do: "clear", id: 2 }]);
});

Deno.test("planFunctions: function breakpoints are all of them", () => {
  const existing = [
    { id: 4, func: "add", enabled: true, verified: true },
    { id: 5, func: "main", enabled: true, verified: true },
    bp(6, "/a/x.c", 3, { func: "main" }),
  ];
  assert.deepEqual(planFunctions([{ name: "add" }, { name: "sub" }], existing).actions, [
    { do: "clear", id: 5 },
    { do: "breakFunction", name: "sub" },
  ]);
});

Deno.test("changesSince: new, changed and removed, nothing for what the editor knows", () => {
  const known = new Map([[1, bp(1, "/a.c", 1)], [2, bp(2, "/a.c", 2)], [3, bp(3, "/a.c", 3)]]);
  const now = [bp(1, "/a.c", 1), bp(2, "/a.c", 2, { condition: "x" }), bp(4, "/a.c", 4)];
  assert.deepEqual(
    changesSince(known, now).map((c) => [c.reason, c.breakpoint.id]),
    [["changed", 2], ["new", 4], ["removed", 3]],
  );
  assert.deepEqual(changesSince(new Map(now.map((b) => [b.id, b])), now), []);
});
