import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { DapContext } from "../../src/engine/dap/engine_core.ts";
import {
  LIST_COMMAND,
  lldbBreakpointReader,
  parseBreakpointList,
  registerLister,
} from "../../src/engine/lldb_breakpoints.ts";

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

Deno.test("lldb breakpoints: the lister is taught in lines of their own (a Python function, then a command of that name)", () => {
  const lines = registerLister();
  assert.equal(lines.length, 2);
  for (const l of lines) assert.ok(!l.includes("\n"), "lldb reads one line per command");
  assert.ok(lines[0].startsWith("script import __main__; exec("));
  assert.ok(lines[1].endsWith(` ${LIST_COMMAND}`));
  assert.ok(lines[1].includes("__main__._dbgremote_bps"));
});

Deno.test("lldb breakpoint reader: teaches lldb once, then one command a read; a failed read teaches again; close removes its directory", async () => {
  const reader = lldbBreakpointReader();
  const asked: string[] = [];
  let lldbWrites = true;
  let launched = false;
  let state: "stopped" | "running" = "stopped";
  const ctx = {
    get launched() {
      return launched;
    },
    get state() {
      return state;
    },
    request(_command: string, args: { expression: string }) {
      asked.push(args.expression);
      // lldb running the registered command: it writes the list to the file it is given.
      const m = /dbgremote-breakpoints (.+)$/.exec(args.expression);
      if (m && lldbWrites) fs.writeFileSync(m[1], JSON.stringify([{ id: 7, enabled: true }]));
      return Promise.resolve({ body: { result: "" } });
    },
  } as unknown as DapContext;
  const ids = async () => (await reader.read(ctx))?.map((b) => b.id);

  assert.deepEqual(await ids(), [7]);
  assert.equal(asked.length, 3, "two lines to teach it, one to list");
  assert.ok(asked.every((a) => a.startsWith("`")), "before the launch, as commands");
  const file = /dbgremote-breakpoints (.+)$/.exec(asked[2])![1];
  launched = true;
  asked.length = 0;
  assert.deepEqual(await ids(), [7]);
  assert.deepEqual(asked, [`${LIST_COMMAND} ${file}`], "taught already: one command");

  lldbWrites = false; // a new lldb that does not know the command: nothing written
  assert.equal(await ids(), undefined, "unknown, never an old list");
  lldbWrites = true;
  asked.length = 0;
  assert.deepEqual(await ids(), [7]);
  assert.equal(asked.length, 3, "taught again");

  state = "running";
  asked.length = 0;
  assert.equal(await ids(), undefined);
  assert.deepEqual(asked, [], "nothing asked of a running lldb");

  reader.close();
  assert.equal(fs.existsSync(path.dirname(file)), false);
});
