/** Labs know every transport and its security keys, with the line of each problem. */
import assert from "node:assert/strict";
import { TopologyError } from "../../src/errors.ts";
import { parseTopology } from "../../src/topology/parse.ts";

Deno.test("labs accept ssl, spipe, com and reverse endpoints with their keys", () => {
  const topo = parseTopology(
    `[nodes.target]
host = "lab1"
engine = { kind = "gdb", program = "./app" }
listen = [
  "ssl:port=5006,certfile=lab.crt,keyfile=lab.key,clientca=lab.crt",
  "spipe:pipe=t,certfile=lab.crt,keyfile=lab.key,password_env=PW",
  "com:port=/dev/ttyS0,baud=9600",
  "tcp:clicon=laptop,port=5007,password_env=PW",
  "tcp:port=5010:5020,password_env=PW,hidden",
]
`,
    "lab.toml",
  );
  const t = topo.nodes[0];
  assert.ok(t.role === "server");
  assert.deepEqual(t.listen.map((e) => e.spec.transport), ["ssl", "spipe", "com", "tcp", "tcp"]);
});

Deno.test("labs report transport mistakes with their lines", () => {
  let problems: TopologyError["problems"] = [];
  try {
    parseTopology(
      `[nodes.target]
engine = { kind = "gdb", program = "./app" }
listen = [
  "ssl:port=5006",
  "ssl:port=5007,certfile=a.crt,keyfile=a.key",
  "com:port=/dev/ttyS0,baud=12345",
  "com:port=/dev/ttyS0",
  "com:port=/dev/ttyS0,baud=9600",
]
`,
      "lab.toml",
    );
  } catch (err) {
    assert.ok(err instanceof TopologyError);
    problems = err.problems;
  }
  const at = problems.map((p) => `${p.line}: ${p.message}`);
  assert.ok(
    at.some((m) => /^4: .*ssl needs certfile= and keyfile= to listen/.test(m)),
    at.join("\n"),
  );
  assert.ok(
    at.some((m) => /^5: .*lets anyone who reaches this host control the debugger/.test(m)),
    at.join("\n"),
  );
  assert.ok(at.some((m) => /^6: .*baud 12345 is not a standard rate/.test(m)), at.join("\n"));
  assert.ok(
    at.some((m) => /^8: serial port \/dev\/ttyS0 is already used .* \(line 7\)/.test(m)),
    at.join("\n"),
  );
});
