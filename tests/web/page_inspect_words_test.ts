/** How the page's panes word a question left unanswered (src/web/page/inspect_words.ts): by code. */
import assert from "node:assert/strict";
import { inspectProblem, noInspector } from "../../src/web/page/inspect_words.ts";
import { InspectError } from "../../src/web/page/protocol.ts";

Deno.test("an older server or an engine without an inspector is stated, not an error", () => {
  for (const code of ["E_NO_INSPECT", "E_NO_INSPECTOR"]) {
    const e = new InspectError(code, "this engine answers no structured questions");
    assert.ok(noInspector(e));
    assert.equal(inspectProblem(e), "not available: this engine answers no structured questions");
  }
});

Deno.test("other codes: the target's state in the pane's words, else the server's message", () => {
  assert.equal(inspectProblem(new InspectError("E_TARGET_RUNNING", "x")), "the target is running");
  assert.equal(inspectProblem(new InspectError("E_NO_TARGET", "x")), "the target is not stopped");
  assert.equal(inspectProblem(new InspectError("E_INSPECT", 'No symbol "q"')), 'No symbol "q"');
  assert.ok(!noInspector(new InspectError("E_INSPECT", "x")));
  assert.equal(inspectProblem(new Error("not connected")), "not connected");
});
