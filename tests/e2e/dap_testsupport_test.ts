/**
 * The `dap:` endpoint driven by `@vscode/debugadapter-testsupport`'s DebugClient, the client
 * library debug adapter authors test with (VS Code's own request and event handling), on the
 * compiled binary beside a console client. The other DAP stories use our small client
 * (tests/e2e/dap_client.ts); this one proves a third-party client gets through the same session.
 *
 * DebugClient disables its own timeouts when it connects to a port, so every wait here is
 * bounded by `within`.
 */
import assert from "node:assert/strict";
import { DebugClient } from "@vscode/debugadapter-testsupport";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { within } from "../support/within.ts";
import { dapLab } from "./dap_fixture.ts";

const WAIT_MS = 30_000;

Deno.test("e2e dap (DebugClient): attach, a breakpoint hit by a console's run, next, variables, disconnect", async () => {
  await using lab = await dapLab();
  const alice = await lab.console("alice");
  // The runtime and executable are never started: start(port) connects to a running adapter.
  const dc = new DebugClient("unused", "unused", "dbgremote");
  await within(dc.start(lab.dapPort), WAIT_MS, () => "DebugClient connecting");
  try {
    const bounded = <T>(p: Promise<T>, what: string) =>
      within(p, WAIT_MS, () => `${what}\nalice:\n${alice.stdout}`);
    const init = await bounded(
      dc.initializeRequest({ adapterID: "dbgremote", clientID: "vscode", pathFormat: "path" }),
      "initialize",
    );
    assert.equal(init.success, true);
    const attach = { user: "eve" } as DebugProtocol.AttachRequestArguments;
    const initialized = dc.waitForEvent("initialized");
    await bounded(dc.attachRequest(attach), "attach");
    await bounded(initialized, "the initialized event");
    await bounded(dc.configurationDoneRequest(), "configurationDone");
    await alice.waitFor(/\*\*\* eve@\S+ joined \(dap:/);

    const line = lab.line("after-x");
    const set = await bounded(
      dc.setBreakpointsRequest({ source: { path: lab.source }, breakpoints: [{ line }] }),
      "setBreakpoints",
    );
    assert.deepEqual(set.body.breakpoints.map((b) => [b.verified, b.line]), [[true, line]]);
    await alice.waitFor(new RegExp(`eve@\\S+> break \\S*demo\\.c:${line}`));

    // The library's own check, registered before the run: the stop's reason, the top frame's place.
    const located = dc.assertStoppedLocation("breakpoint", { path: lab.source, line });
    alice.send("run");
    const trace = await bounded(located, "assertStoppedLocation");
    const top = trace.body.stackFrames[0];
    assert.equal(top.name, "main");

    const scopes = await bounded(dc.scopesRequest({ frameId: top.id }), "scopes");
    const locals = scopes.body.scopes.find((s) => s.name === "Locals");
    assert.ok(locals, `a Locals scope: ${JSON.stringify(scopes.body.scopes)}`);
    const vars = await bounded(
      dc.variablesRequest({ variablesReference: locals.variablesReference }),
      "variables",
    );
    const x = vars.body.variables.find((v) => v.name === "x");
    assert.equal(x?.value, "1", "x before `x = x + 41` runs");

    const stepped = dc.waitForEvent("stopped");
    await bounded(
      dc.nextRequest({ threadId: (await dc.threadsRequest()).body.threads[0].id }),
      "next",
    );
    await alice.waitFor(/eve@\S+> next\n/);
    const step = await bounded(stepped, "the stop after next") as DebugProtocol.StoppedEvent;
    assert.equal(step.body.reason, "step");
    const after = await bounded(
      dc.evaluateRequest({ expression: "x", frameId: undefined, context: "watch" }),
      "a watch",
    );
    assert.equal(after.body.result, "42");
  } finally {
    // stop(): a disconnect request (leave, the debuggee kept), then the socket closed.
    await within(dc.stop(), WAIT_MS, () => "DebugClient stop");
  }
  await alice.waitFor(/\*\*\* eve@\S+ left/);
});
