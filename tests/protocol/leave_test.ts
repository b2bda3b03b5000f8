/** Leaving (.remote_exit) is named once: the client's check and the session's registry agree. */
import assert from "node:assert/strict";
import { LEAVE_COMMAND, leavesSession } from "../../src/protocol/leave.ts";
import { findMeta, observerMay } from "../../src/session/meta.ts";

Deno.test("leavesSession: the word alone, blanks around it allowed", () => {
  assert.ok(leavesSession(".remote_exit"));
  assert.ok(leavesSession("  .remote_exit "));
  assert.ok(!leavesSession(".remote_exit now"));
  assert.ok(!leavesSession(".remote"));
});

Deno.test("the session's registry runs the same word, and observers may use it", () => {
  assert.ok(findMeta(LEAVE_COMMAND), "a session command, not the debugger's");
  assert.ok(observerMay(LEAVE_COMMAND));
});
