import assert from "node:assert/strict";
import { listBreakpoints, parseBreakpointList } from "../../src/engine/lldb_breakpoints.ts";

Deno.test("lldb breakpoints: a line's and a function's, placed or pending, from lldb's JSON", () => {
  const json = JSON.stringify([
    {
      id: 1,
      enabled: true,
      cond: "k > 1",
      hits: 2,
      resolved: 1,
      at: [["/src/shapes.c", 18]],
      spec: {
        Breakpoint: {
          BKPTResolver: { Options: { FileName: "shapes.c", LineNumber: 18 }, Type: "FileAndLine" },
        },
      },
    },
    {
      id: 2,
      enabled: false,
      cond: null,
      hits: 0,
      resolved: 0,
      at: [],
      spec: { Breakpoint: { BKPTResolver: { Options: { SymbolNames: ["area"] } } } },
    },
    {
      id: 3,
      enabled: true,
      resolved: 0,
      at: [],
      spec: { Breakpoint: { BKPTResolver: { Options: { FileName: "b.c", LineNumber: 4 } } } },
    },
    { id: "x" },
  ]);
  assert.deepEqual(parseBreakpointList(json), [
    {
      id: 1,
      enabled: true,
      verified: true,
      hits: 2,
      condition: "k > 1",
      file: "/src/shapes.c",
      line: 18,
      location: "shapes.c:18",
    },
    { id: 2, enabled: false, verified: false, hits: 0, func: "area", location: "area" },
    { id: 3, enabled: true, verified: false, location: "b.c:4", file: "b.c", line: 4 },
  ]);
  assert.equal(parseBreakpointList("not json"), undefined);
  assert.equal(parseBreakpointList("{}"), undefined);
});

Deno.test("lldb breakpoints: the script is one line, its file name quoted as a Python string", () => {
  const s = listBreakpoints('/tmp/a "b"/bp.json');
  assert.ok(!s.includes("\n"));
  assert.ok(s.startsWith("script "));
  assert.ok(s.includes(JSON.stringify('/tmp/a "b"/bp.json')));
});
