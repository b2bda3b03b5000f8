import assert from "node:assert/strict";
import {
  goneWhy,
  reconnectedText,
  serverLabel,
  worthReconnecting,
} from "../../src/client/reconnect.ts";
import type { Welcome } from "../../src/protocol/messages.ts";
import { DbgRemoteError } from "../../src/errors.ts";

Deno.test("reconnect rule: after an accident, not after a decision", () => {
  assert.equal(worthReconnecting({ kind: "lost" }), true);
  assert.equal(
    worthReconnecting({
      kind: "ended",
      reason: "the server was stopped (SIGTERM)",
      cause: "shutdown",
    }),
    true,
  );
  assert.equal(
    worthReconnecting({ kind: "ended", reason: "gdb exited unexpectedly", cause: "engine" }),
    true,
  );
  // q: everyone is done. An older server that does not say why counts as q.
  assert.equal(
    worthReconnecting({ kind: "ended", reason: "bob@h ended the session (q)", cause: "quit" }),
    false,
  );
  assert.equal(worthReconnecting({ kind: "ended", reason: "bob@h ended the session (q)" }), false);
  const slow = new DbgRemoteError("E_SLOW_CLIENT", "disconnected by the server: not reading");
  assert.equal(worthReconnecting({ kind: "dropped", reason: "too slow", error: slow }), false);
  assert.equal(worthReconnecting({ kind: "left" }), false);
});

Deno.test("reconnect texts: why it went away; same or new session", () => {
  assert.equal(goneWhy({ kind: "lost" }), "connection lost");
  assert.equal(
    goneWhy({ kind: "ended", reason: "the server was stopped (SIGTERM)", cause: "shutdown" }),
    "shutting down",
  );
  assert.equal(serverLabel("target"), "server `target`");
  assert.equal(serverLabel(undefined), "the server");
  const w = (session: string) => ({ session } as Welcome);
  assert.match(
    reconnectedText("server `target`", w("aaaaaaaa-1"), w("aaaaaaaa-1")),
    /the same session goes on/,
  );
  assert.match(
    reconnectedText("server `target`", w("aaaaaaaa-1"), w("bbbbbbbb-2")),
    /NEW session \(id bbbbbbbb, was aaaaaaaa\).*breakpoints/,
  );
});
