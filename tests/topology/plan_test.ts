import assert from "node:assert/strict";
import { UsageError } from "../../src/errors.ts";
import { parseTopology } from "../../src/topology/parse.ts";
import { formatPlan, selectNodes } from "../../src/topology/plan.ts";

const LAB = parseTopology(
  `[lab]
name = "two-hosts"

[nodes.target]
host = "lab1"
engine = { kind = "gdb", program = "./app" }
listen = ["tcp:port=5005,password_env=LAB_PW", "npipe:pipe=t"]

[nodes.oncall]
host = "LAB1"
connect = "target"

[nodes.alice]
host = "laptop"
connect = "target"
user = "al"
`,
  "two.toml",
);

Deno.test("selectNodes: by host name, case-insensitive", () => {
  assert.deepEqual(selectNodes(LAB, { hostname: "lab1" }).map((n) => n.name), ["target", "oncall"]);
  assert.deepEqual(selectNodes(LAB, { hostname: "Laptop" }).map((n) => n.name), ["alice"]);
});

Deno.test("selectNodes: --node wins; an unknown one gets a did-you-mean", () => {
  assert.deepEqual(selectNodes(LAB, { node: "alice", hostname: "lab1" }).map((n) => n.name), [
    "alice",
  ]);
  assert.throws(() => selectNodes(LAB, { node: "alcie", hostname: "x" }), (err: unknown) => {
    assert.ok(err instanceof UsageError);
    assert.match(err.message, /has no node `alcie`/);
    assert.match(err.hint ?? "", /did you mean `alice`/);
    return true;
  });
});

Deno.test("selectNodes: a host with no nodes is told the lab's hosts", () => {
  assert.throws(
    () => selectNodes(LAB, { hostname: "elsewhere" }),
    /no node of two\.toml runs on this host \(elsewhere\); its hosts are: lab1, laptop$/,
  );
});

Deno.test("selectNodes: nodes without a host run anywhere", () => {
  const local = parseTopology(
    `[nodes.s]
engine = { kind = "gdb", program = "./a" }
listen = ["npipe:pipe=s"]
[nodes.c]
connect = "s"
`,
    "local.toml",
  );
  assert.deepEqual(selectNodes(local, { hostname: "anything" }).map((n) => n.name), ["s", "c"]);
});

Deno.test("formatPlan: hosts, their roles, endpoints and resolved connections", () => {
  const plan = formatPlan(LAB);
  assert.ok(plan.startsWith("lab two-hosts (two.toml)\n"), plan);
  assert.ok(
    plan.includes(
      "\nlab1\n  server target: gdb ./app\n    listen tcp:port=5005,password_env=LAB_PW\n    listen npipe:pipe=t\n",
    ),
    plan,
  );
  assert.ok(
    plan.includes(
      "\nlaptop\n  client alice as al: connect tcp:server=lab1,port=5005,password_env=LAB_PW (node target)\n",
    ),
    plan,
  );
});

Deno.test('selectNodes: host = "localhost" runs anywhere, but only if no node names this host', () => {
  const lab = parseTopology(
    `[nodes.s]
host = "localhost"
engine = { kind = "gdb", program = "./a" }
listen = ["npipe:pipe=s"]
[nodes.c]
connect = "s"
[nodes.far]
host = "lab9"
engine = { kind = "gdb", program = "./b" }
listen = ["tcp:port=5005,password_env=P"]
`,
    "mixed.toml",
  );
  assert.deepEqual(selectNodes(lab, { hostname: "box" }).map((n) => n.name), ["s", "c"]);
  assert.deepEqual(selectNodes(lab, { hostname: "LAB9" }).map((n) => n.name), ["far"]);
});

Deno.test("formatPlan: hosts grouped case-insensitively; the demo program and noio shown", () => {
  const plan = formatPlan(LAB);
  assert.ok(
    plan.includes("    listen npipe:pipe=t\n  client oncall: connect npipe:pipe=t (node target)\n"),
    plan,
  );
  assert.ok(!plan.includes("\nLAB1\n"), plan);
  const local = formatPlan(parseTopology(
    `[nodes.demo]
engine = { kind = "gdb", program = "{sample}" }
listen = ["npipe:pipe=demo"]
noio = true
[nodes.you]
connect = "demo"
`,
    "local.toml",
  ));
  assert.equal(
    local,
    `lab local (local.toml)

(any host)
  server demo: gdb {sample} (the built-in demo program) (noio)
    listen npipe:pipe=demo
  client you: connect npipe:pipe=demo (node demo)
`,
  );
});
