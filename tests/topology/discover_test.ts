import assert from "node:assert/strict";
import { TopologyError } from "../../src/errors.ts";
import { parseTopology } from "../../src/topology/parse.ts";
import type { ServerNode } from "../../src/topology/types.ts";

const lab = (extra: string) => `
[nodes.target]
engine = { kind = "gdb", program = "./app" }
listen = ["tcp:port=5005,password_env=LAB_PW"]
${extra}
`;

Deno.test("lab: a server answers `dbgremote search` unless it says discover = false", () => {
  const on = parseTopology(lab(""), "lab.toml").nodes[0] as ServerNode;
  assert.equal(on.discover, true);
  const off = parseTopology(lab("discover = false"), "lab.toml").nodes[0] as ServerNode;
  assert.equal(off.discover, false);
});

Deno.test("lab: discover must be a boolean, and is for servers only", () => {
  assert.throws(() => parseTopology(lab('discover = "no"'), "lab.toml"), (err: unknown) => {
    assert.ok(err instanceof TopologyError);
    assert.match(err.message, /lab\.toml:5:\d+: `discover` must be true or false/);
    return true;
  });
  const client = `
[nodes.alice]
connect = "tcp:server=lab1,port=5005,password_env=LAB_PW"
discover = false
`;
  assert.throws(() => parseTopology(client, "lab.toml"), /discover/);
});
