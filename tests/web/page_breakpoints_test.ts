/** The page's breakpoint rules (src/web/page/breakpoints.ts): marks, the click, the pane's rows. */
import assert from "node:assert/strict";
import { breakpointAt } from "../support/samples.ts";
import {
  breakpointRow,
  breakpointsIn,
  plural,
  sameFile,
  toggleAt,
} from "../../src/web/page/breakpoints.ts";

const bp = breakpointAt;

Deno.test("a file named relative or in full is the same file; two full paths must be equal", () => {
  assert.ok(sameFile("/src/demo.c", "demo.c"));
  assert.ok(sameFile("lib/demo.c", "/src/lib/demo.c"));
  assert.ok(!sameFile("/a/demo.c", "/b/demo.c"));
  assert.ok(!sameFile("/src/xdemo.c", "demo.c"));
  assert.ok(!sameFile("/src/demo.c", "main.c"));
});

Deno.test("the source panel marks the lines of its file that have a breakpoint", () => {
  const list = [bp(1, "demo.c", 9), bp(2, "/src/demo.c", 12), bp(3, "other.c", 9), {
    id: 4,
    func: "main",
    enabled: true,
    verified: true,
  }];
  const at = breakpointsIn(list, "/src/demo.c");
  assert.deepEqual([...at.keys()].sort((a, b) => a - b), [9, 12]);
  assert.equal(at.get(9)!.id, 1);
});

Deno.test("a click on a line number sets a breakpoint there, or clears the one there", () => {
  const list = [bp(2, "demo.c", 9)];
  assert.deepEqual(toggleAt(list, "/src/demo.c", 9), { do: "clear", id: 2 });
  assert.deepEqual(toggleAt(list, "/src/demo.c", 10), {
    do: "break",
    file: "/src/demo.c",
    line: 10,
  });
});

Deno.test("the pane's rows: where, condition, hits (one hit, two hits), pending", () => {
  const row = breakpointRow(bp(3, "/src/demo.c", 9, { condition: "x > 1", hits: 1 }));
  assert.deepEqual(row, {
    id: 3,
    where: "demo.c:9",
    title: "/src/demo.c:9",
    condition: "x > 1",
    enabled: true,
    note: "1 hit",
  });
  assert.equal(breakpointRow(bp(3, "d.c", 1, { hits: 2 })).note, "2 hits");
  assert.equal(breakpointRow(bp(3, "d.c", 1, { verified: false })).note, "pending");
  // A breakpoint set by a function's name says so in its tooltip.
  assert.equal(
    breakpointRow(bp(4, "/src/d.c", 2, { func: "add", location: "add" })).title,
    "/src/d.c:2, set as add",
  );
  const fn = breakpointRow({ id: 5, func: "add", enabled: false, verified: true });
  assert.equal(fn.where, "add");
  assert.equal(fn.enabled, false);
  assert.equal(plural(1, "event"), "1 event");
  assert.equal(plural(0, "event"), "0 events");
});
