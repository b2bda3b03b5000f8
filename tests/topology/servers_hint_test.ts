/** A client's `connect` naming no server: the hint lists the lab's servers, broken ones too. */
import assert from "node:assert/strict";
import { problems } from "./lab_problems.ts";

Deno.test("connect to an unknown node: the hint names the servers, also those with problems of their own", () => {
  const found = problems(`[nodes.store]
engine = { kind = "gdb" }
listen = ["npipe:pipe=s"]

[nodes.cache]
engine = { kind = "gdb", program = "./c" }
listen = ["npipe:pipe=c"]

[nodes.you]
connect = "zzz"
`);
  const hint = found.find((p) => /unknown node `zzz`/.test(p.message))?.hint;
  assert.equal(hint, "servers in this lab: store (has problems of its own), cache");
});

Deno.test("connect to a client: the same list; a lab with no server says what a server is", () => {
  const toClient = problems(`[nodes.store]
engine = { kind = "gdb", program = "./a" }
listen = ["npipe:pipe=s"]
[nodes.a]
connect = "store"
[nodes.b]
connect = "a"
`);
  assert.equal(toClient[0].hint, "servers in this lab: store");
  const none = problems(`[nodes.a]
connect = "zzz"
`);
  assert.equal(none[0].hint, "this lab has no server yet: a server is a node with `listen`");
});
