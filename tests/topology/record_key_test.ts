/** `log = "FILE"` on a server node: the session record, as `dbgremote server --log FILE`. */
import assert from "node:assert/strict";
import { parseTopology } from "../../src/topology/parse.ts";
import { problems } from "./lab_problems.ts";

const SERVER = `[nodes.store]
engine = { kind = "gdb", program = "./a" }
listen = ["npipe:pipe=store"]
`;

Deno.test("log: a server's session record file", () => {
  const topo = parseTopology(`${SERVER}log = "records/store.jsonl"\n`, "lab.toml");
  const store = topo.nodes[0];
  assert.ok(store.role === "server");
  assert.equal(store.log, "records/store.jsonl");
  const without = parseTopology(SERVER, "lab.toml").nodes[0];
  assert.ok(without.role === "server" && without.log === undefined);
});

Deno.test("log: must be a file name, and only on servers", () => {
  const [bad] = problems(`${SERVER}log = 5\n`);
  assert.equal(bad.line, 4);
  assert.match(bad.message, /`log` of server `store` must be a file name/);
  assert.equal(problems(`${SERVER}log = " "\n`).length, 1);
  const [client] = problems(`${SERVER}\n[nodes.you]\nconnect = "store"\nlog = "x.jsonl"\n`);
  assert.match(client.message, /`log` is for servers, but `you` is a client/);
});
