import assert from "node:assert/strict";
import type { TargetState } from "../../src/engine/engine.ts";
import { createGdbInspect, miBreakpoint } from "../../src/engine/gdb_inspect.ts";
import type { Breakpoint, InspectError } from "../../src/engine/inspect.ts";
import { type MiTuple, parseMiLine } from "../../src/engine/mi_parser.ts";

const bkpt = (line: string) => {
  const r = parseMiLine(line);
  assert.ok(r.kind === "notify");
  const b = r.results.bkpt;
  assert.ok(b && typeof b === "object" && !Array.isArray(b));
  return miBreakpoint(b);
};

Deno.test("miBreakpoint: gdb's bkpt tuple as the session's breakpoint", () => {
  assert.deepEqual(
    bkpt(
      '=breakpoint-created,bkpt={number="1",type="breakpoint",disp="keep",enabled="y",' +
        'addr="0x1134",func="area",file="s.c",fullname="/tmp/s.c",line="4",' +
        'thread-groups=["i1"],cond="k > 1",times="3",original-location="s.c:4"}',
    ),
    {
      id: 1,
      enabled: true,
      verified: true,
      file: "/tmp/s.c",
      line: 4,
      func: "area",
      condition: "k > 1",
      hits: 3,
      location: "s.c:4",
    },
  );
  // Pending (a library not loaded yet): not verified, no place.
  assert.deepEqual(
    bkpt(
      '=breakpoint-created,bkpt={number="2",type="breakpoint",disp="keep",enabled="n",' +
        'addr="<PENDING>",pending="nosuch",times="0",original-location="nosuch"}',
    ),
    { id: 2, enabled: false, verified: false, hits: 0, location: "nosuch" },
  );
  // Several places (mi3): the first one's.
  assert.deepEqual(
    bkpt(
      '=breakpoint-created,bkpt={number="3",type="breakpoint",disp="keep",enabled="y",' +
        'addr="<MULTIPLE>",times="0",original-location="f",locations=[{number="3.1",' +
        'enabled="y",addr="0x10",func="f",file="a.c",fullname="/a.c",line="7"},' +
        '{number="3.2",enabled="y",addr="0x20",func="f",file="b.c",fullname="/b.c",line="9"}]}',
    ),
    {
      id: 3,
      enabled: true,
      verified: true,
      file: "/a.c",
      line: 7,
      func: "f",
      hits: 0,
      location: "f",
    },
  );
  // A watchpoint is not a breakpoint of the session's list.
  assert.equal(
    bkpt('=breakpoint-created,bkpt={number="4",type="hw watchpoint",enabled="y",exp="x"}'),
    undefined,
  );
});

/** gdb's side scripted: each MI command answered by `answer`, every one recorded. */
function scripted(answer: (command: string) => { class: string; results: MiTuple }) {
  const asked: string[] = [];
  let state: TargetState = "stopped";
  const told: Breakpoint[][] = [];
  const inspect = createGdbInspect({
    ask: (command) => {
      asked.push(command);
      return Promise.resolve(answer(command));
    },
    state: () => state,
    changed: (list) => told.push(list),
  });
  return {
    inspect,
    asked,
    told,
    set state(s: TargetState) {
      state = s;
    },
  };
}

/** gdb answering every -var-create with a new two-field struct. */
const structs = () => {
  let varobjs = 0;
  return (command: string): { class: string; results: MiTuple } => {
    if (command.startsWith("-var-create")) {
      return {
        class: "done",
        results: { name: `var${++varobjs}`, numchild: "2", value: "{...}" },
      };
    }
    if (command === "-thread-info") {
      return { class: "done", results: { "current-thread-id": "1" } };
    }
    return { class: "done", results: {} };
  };
};

Deno.test("gdb inspect: questions name the stop's thread and frame; refused while running", async () => {
  const g = scripted(structs());
  g.inspect.see(parseMiLine('*stopped,reason="breakpoint-hit",thread-id="3",frame={level="0"}'));
  const v = await g.inspect.inspector.evaluate("sq", 1);
  assert.ok(v.ref > 0);
  assert.match(g.asked.at(-1)!, /^-var-create --thread 3 --frame 1 - \* "sq"$/);
  g.inspect.see(parseMiLine('=thread-selected,id="2",frame={level="0"}'));
  await g.inspect.inspector.evaluate("x");
  assert.match(g.asked.at(-1)!, /--thread 2 --frame 0/);

  g.inspect.see(parseMiLine('*running,thread-id="all"'));
  g.state = "running";
  await assert.rejects(
    g.inspect.inspector.stack(),
    (e: InspectError) => e.code === "E_TARGET_RUNNING",
  );
  g.state = "stopped";
  await assert.rejects(
    g.inspect.inspector.variables(v.ref),
    (e: InspectError) => e.code === "E_BAD_REF",
  );
  // The dead stop's variable objects are deleted at the next question.
  assert.ok(g.asked.some((c) => /^-var-delete var\d+$/.test(c)), JSON.stringify(g.asked));
  g.state = "idle";
  await assert.rejects(
    g.inspect.inspector.threads(),
    (e: InspectError) => e.code === "E_NO_TARGET",
  );
});

Deno.test("gdb inspect: breakpoints follow gdb's notifications, told once per change", () => {
  const g = scripted(structs());
  const created = '=breakpoint-created,bkpt={number="1",type="breakpoint",enabled="y",' +
    'addr="0x1",func="main",file="d.c",fullname="/d.c",line="3",times="0",original-location="main"}';
  g.inspect.see(parseMiLine(created));
  g.inspect.see(parseMiLine(created.replace("created", "modified"))); // no change: not told
  g.inspect.see(
    parseMiLine(created.replace("created", "modified").replace('times="0"', 'times="1"')),
  );
  g.inspect.see(parseMiLine('=breakpoint-deleted,id="1"'));
  assert.deepEqual(g.told.map((l) => l.map((b) => b.hits)), [[0], [1], []]);
});

Deno.test("gdb inspect: one stop keeps at most 2,000 variable objects, the oldest going first", async () => {
  const g = scripted(structs());
  const first = await g.inspect.inspector.evaluate("a");
  for (let i = 0; i < 2000; i++) await g.inspect.inspector.evaluate("a");
  await assert.rejects(
    g.inspect.inspector.variables(first.ref),
    (e: InspectError) => e.code === "E_BAD_REF",
  );
  assert.equal(g.asked.filter((c) => c.startsWith("-var-delete")).length, 1);
});
