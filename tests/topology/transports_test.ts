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
    at.some((m) =>
      /^5: .*would let anyone who reaches every interface control the debugger/.test(m)
    ),
    at.join("\n"),
  );
  assert.ok(at.some((m) => /^6: .*baud 12345 is not a standard rate/.test(m)), at.join("\n"));
  assert.ok(
    at.some((m) => /^8: serial port \/dev\/ttyS0 is already used .* \(line 7\)/.test(m)),
    at.join("\n"),
  );
});

Deno.test("labs take browser endpoints: same security rule, same port space as tcp", () => {
  let problems: TopologyError["problems"] = [];
  try {
    parseTopology(
      `[nodes.target]
host = "lab1"
engine = { kind = "gdb", program = "./app" }
listen = [
  "http:port=8081",
  "tcp:port=8082,password_env=PW",
  "http:port=8082,password_env=PW",
  "https:port=8443,password_env=PW",
  "http:port=8090,server=127.0.0.1",
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
    at.some((m) =>
      /^5: .*would let anyone who reaches every interface control the debugger/.test(m)
    ),
    at.join("\n"),
  );
  assert.ok(at.some((m) => /^7: tcp port 8082 is already used/.test(m)), at.join("\n"));
  assert.ok(at.some((m) => /^8: .*https needs certfile= and keyfile=/.test(m)), at.join("\n"));
  assert.equal(problems.length, 3, at.join("\n"));
});

Deno.test("a client reaches a browser-only server by name over http", () => {
  const topo = parseTopology(
    `[nodes.target]
host = "lab1"
engine = { kind = "gdb", program = "./app" }
listen = ["http:port=8081,password_env=PW"]

[nodes.alice]
host = "laptop"
connect = "target"
`,
    "lab.toml",
  );
  const alice = topo.nodes.find((n) => n.name === "alice");
  assert.ok(alice?.role === "client");
  assert.deepEqual(alice.connect.spec, {
    transport: "http",
    server: "lab1",
    port: 8081,
    passwordEnv: "PW",
  });
});
