/**
 * The page's wording and small state: the badge, the panel, history, participants. The state
 * lines and stack frames are the console's own (src/client/describe.ts, tests/client/).
 */
import assert from "node:assert/strict";
import {
  History,
  mayCommand,
  stateBadge,
  stoppedPanel,
  updateClients,
  validName,
} from "../../src/web/page/format.ts";

Deno.test("the header's badge: running, where it stopped, how it exited", () => {
  assert.equal(stateBadge("stopped", { file: "/src/demo.c", line: 10 }), "stopped at demo.c:10");
  assert.equal(stateBadge("idle"), "not started");
  assert.equal(stateBadge("exited", { exitCode: 0 }), "exited (0)");
});

Deno.test("observers get no command line; operators (and servers without roles) do", () => {
  assert.equal(mayCommand({ role: "observer" }), false);
  assert.equal(mayCommand({ role: "operator" }), true);
  assert.equal(mayCommand({}), true);
});

Deno.test("the participant list follows joins, leaves and drops", () => {
  const who = (user: string) => ({ user, host: "h", tool: "t" });
  let list = [{ id: 1, who: who("a"), via: "x" }];
  list = updateClients(list, {
    t: "notice",
    kind: "join",
    text: "",
    client: { id: 2, who: who("b"), via: "y" },
  });
  assert.deepEqual(list.map((c) => c.id), [1, 2]);
  list = updateClients(list, {
    t: "notice",
    kind: "drop",
    text: "",
    client: { id: 1, who: who("a"), via: "x" },
  });
  assert.deepEqual(list.map((c) => c.id), [2]);
  assert.equal(updateClients(list, { t: "notice", kind: "info", text: "hi" }), list);
});

Deno.test("history goes up and down like a shell's, keeping the line being typed", () => {
  const h = new History(["break main", "run"]);
  assert.equal(h.up("pri"), "run");
  assert.equal(h.up("run"), "break main");
  assert.equal(h.up("break main"), "break main");
  assert.equal(h.down(), "run");
  assert.equal(h.down(), "pri");
  h.add("next");
  h.add("next");
  assert.deepEqual(h.items, ["break main", "run", "next"]);
});

Deno.test("names others will see are checked", () => {
  assert.ok(validName("alice.b-c_1"));
  assert.ok(!validName(""));
  assert.ok(!validName("a b"));
  assert.ok(!validName("x".repeat(33)));
  assert.ok(!validName("<script>"));
});

Deno.test("the panel: the stop's frame, then the frame up/down/frame N selected", () => {
  const info = {
    file: "/w/demo.c",
    line: 10,
    func: "add",
    frames: [
      { level: 0, func: "add", file: "/w/demo.c", line: 10 },
      { level: 1, func: "main", file: "/w/demo.c", line: 17 },
      { level: 2, func: "__libc_start_main", from: "/lib/libc.so.6" },
    ],
    source: { path: "/w/demo.c", first: 9, lines: ["static int add(...) {", "  sum", "}"] },
  };
  const atStop = stoppedPanel(info);
  assert.equal(atStop.location, "/w/demo.c:10 in add");
  assert.equal(atStop.title, "/w/demo.c");
  assert.deepEqual(atStop.source.filter((l) => l.here).map((l) => [l.n, l.text]), [[10, "  sum"]]);
  assert.deepEqual(atStop.stack.map((f) => f.selected), [true, false, false]);
  assert.equal(atStop.stack[1].text, "#1  main at demo.c:17");

  const up = stoppedPanel(info, {
    frame: { level: 1, func: "main", file: "/w/demo.c", line: 17 },
    source: { path: "/w/demo.c", first: 16, lines: ["  x = 42;", "  x = add(x, 8);", "  print"] },
  });
  assert.equal(up.location, "/w/demo.c:17 in main (frame #1)");
  assert.deepEqual(up.source.filter((l) => l.here).map((l) => [l.n, l.text]), [
    [17, "  x = add(x, 8);"],
  ]);
  assert.deepEqual(up.stack.map((f) => f.selected), [false, true, false]);
  // The stop's own stack stays: only the mark moves.
  assert.deepEqual(up.stack.map((f) => f.text), atStop.stack.map((f) => f.text));

  // A frame without source: no lines, the location says where it is.
  const lib = stoppedPanel(info, {
    frame: { level: 2, func: "__libc_start_main", from: "/lib/libc.so.6" },
  });
  assert.equal(lib.location, "__libc_start_main from libc.so.6 (frame #2)");
  assert.deepEqual(lib.source, []);
  assert.equal(lib.title, "");
  assert.deepEqual(lib.stack.map((f) => f.selected), [false, false, true]);

  // Back down to 0 is the stop's view again; a stop without file says so.
  assert.deepEqual(stoppedPanel(info, { frame: info.frames[0], source: info.source }), atStop);
  assert.equal(stoppedPanel({ func: "main" }).location, "stopped in main");
});

Deno.test("the header names a server once when it is named for its host", async () => {
  const { serverTitle } = await import("../../src/web/page/format.ts");
  assert.equal(serverTitle({ name: "vm", host: "vm" }), "vm");
  assert.equal(serverTitle({ name: "lab", host: "vm" }), "lab on vm");
});
