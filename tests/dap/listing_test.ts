/** Editors' endpoints in labs and in `dbgremote search`. */
import assert from "node:assert/strict";
import { parseConnStr } from "../../src/connstr.ts";
import { advertisedEndpoint, isLocalOnly } from "../../src/discovery/advert.ts";
import { TopologyError } from "../../src/errors.ts";
import { parseTopology } from "../../src/topology/parse.ts";
import { withAddress } from "../../src/cli/search.ts";

const lab = (listen: string) =>
  `[lab]\nname = "ed"\n[nodes.target]\nengine = { kind = "gdb", program = "./demo" }\n` +
  `listen = ["npipe:pipe=ed", ${listen}]\n[nodes.alice]\nconnect = "target"\n`;

Deno.test("labs: a server may listen for editors; the policy holds there too", () => {
  const t = parseTopology(
    lab(`"dap:port=4711,server=127.0.0.1", "daps:port=4712,password_env=PW,certfile=a,keyfile=b"`),
    "ed.toml",
  );
  const server = t.nodes.find((n) => n.name === "target")!;
  assert.deepEqual(
    (server as { listen: { spec: { transport: string } }[] }).listen.map((e) => e.spec.transport),
    ["npipe", "dap", "daps"],
  );
  assert.throws(
    () => parseTopology(lab(`"dap:port=4711,password_env=PW"`), "ed.toml"),
    (e: unknown) => e instanceof TopologyError && /in clear/.test(e.message),
  );
  assert.throws(
    () => parseTopology(lab(`"dap:port=0,server=127.0.0.1"`), "ed.toml"),
    (e: unknown) => e instanceof TopologyError && /fixed ports/.test(e.message),
  );
});

Deno.test("search: an editors' endpoint is advertised with the host's name, unless hidden", () => {
  const spec = parseConnStr("dap:port=4711,password_env=PW,insecure", "listen");
  assert.equal(
    advertisedEndpoint(spec, "dap:server=127.0.0.1,port=4711", "lab1"),
    "dap:server=lab1,port=4711,password_env=PW",
  );
  const hidden = parseConnStr("dap:port=4711,server=127.0.0.1,hidden", "listen");
  assert.equal(advertisedEndpoint(hidden, "dap:server=127.0.0.1,port=4711", "lab1"), undefined);
  assert.ok(isLocalOnly("dap:server=127.0.0.1,port=4711"));
  assert.ok(!isLocalOnly("daps:server=lab1,port=4711"));
});

Deno.test("search: an editors' endpoint on a host without DNS here is shown by its address", () => {
  assert.equal(
    withAddress("dap:server=lab1,port=4711", "lab1", "10.0.0.7"),
    "dap:server=10.0.0.7,port=4711",
  );
});
