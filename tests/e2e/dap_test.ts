/**
 * Editors in a shared session, on the compiled binary: a gdb server with a `dap:` endpoint
 * beside a console client's tcp one. The editor side is a DAP client speaking as VS Code does.
 */
import assert from "node:assert/strict";
import { dapLab } from "./dap_fixture.ts";

Deno.test("e2e dap: an editor's breakpoint is hit by a console's run; its next is echoed to the console", async () => {
  await using lab = await dapLab();
  const alice = await lab.console("alice");
  const editor = await lab.editor({ user: "eve" });
  await alice.waitFor(/\*\*\* eve@\S+ joined \(dap:/);
  alice.send(".clients");
  await alice.waitFor(/eve@\S+.*vscode/);

  const line = lab.line("after-x");
  const set = await editor.ok("setBreakpoints", {
    source: { path: lab.source },
    breakpoints: [{ line }],
  });
  const bps = set.breakpoints as { verified: boolean; line: number }[];
  assert.equal(bps.length, 1);
  await alice.waitFor(new RegExp(`eve@\\S+> break ${lab.source.replace(/[.]/g, "\\.")}:${line}`));

  alice.send("run");
  const stopped = await editor.waitEvent("stopped");
  assert.equal(stopped.body?.reason, "breakpoint");
  assert.match(String(stopped.body?.description), /alice@\S+: run/);
  await alice.waitFor(/-- stopped at .*demo\.c:\d+ in main/);

  const trace = await editor.ok("stackTrace", { threadId: stopped.body?.threadId });
  const frames = trace.stackFrames as { name: string; line: number }[];
  assert.equal(frames[0].name, "main");
  assert.equal(frames[0].line, line);

  const from = editor.events.length;
  await editor.ok("next", { threadId: stopped.body?.threadId });
  await alice.waitFor(/eve@\S+> next\n/);
  await editor.waitEvent("stopped", (m) => m.body?.reason === "step", from);
});
