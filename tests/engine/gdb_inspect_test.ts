import assert from "node:assert/strict";
import { miBreakpoint } from "../../src/engine/gdb_inspect.ts";
import { parseMiLine } from "../../src/engine/mi_parser.ts";

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
