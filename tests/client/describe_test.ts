/** The state and stack wording shared by the console and the page (src/client/describe.ts). */
import assert from "node:assert/strict";
import { basename, describeStop, frameText } from "../../src/client/describe.ts";
import { renderEvent } from "../../src/client/render.ts";

Deno.test("stack frames as the page's panel shows them", () => {
  assert.equal(
    frameText({
      level: 0,
      func: "add",
      file: "/w/demo.c",
      line: 10,
      args: [{ name: "a", value: "42" }, { name: "s" }],
    }),
    "#0  add (a=42, s) at demo.c:10",
  );
  assert.equal(
    frameText({ level: 3, func: "__libc_start_main", from: "/lib/libc.so.6" }),
    "#3  __libc_start_main from libc.so.6",
  );
  assert.equal(frameText({ level: 1, addr: "0x1234" }), "#1  ?? at 0x1234");
  assert.equal(basename("/w/demo.c"), "demo.c");
  assert.equal(basename("demo.c"), "demo.c");
});

Deno.test("the console's state line is describeStop's, the line the page prints too", () => {
  const info = { file: "demo.c", line: 10, func: "add", reason: "breakpoint-hit" };
  assert.equal(describeStop("stopped", info), "-- stopped at demo.c:10 in add (breakpoint-hit)");
  assert.equal(
    renderEvent({ t: "state", state: "stopped", info }),
    "-- stopped at demo.c:10 in add (breakpoint-hit)\n",
  );
  assert.equal(
    describeStop("exited", { signal: "SIGSEGV" }),
    "-- program exited on signal SIGSEGV",
  );
  assert.equal(describeStop("running", {}), "-- running");
});
