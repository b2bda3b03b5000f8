/** Observer clients in a lab: `observer = true`, resolved to the server's `observe` endpoints. */
import assert from "node:assert/strict";
import { parseTopology } from "../../src/topology/parse.ts";
import { problems } from "./lab_problems.ts";
import { formatPlan } from "../../src/topology/plan.ts";
import type { ClientNode } from "../../src/topology/types.ts";

function clients(text: string): Record<string, ClientNode> {
  const topo = parseTopology(text, "lab.toml");
  return Object.fromEntries(
    topo.nodes.flatMap((n) => n.role === "client" ? [[n.name, n]] : []),
  );
}

const BOTH = `[nodes.target]
host = "lab1"
engine = { kind = "gdb", program = "./app" }
listen = [
  "tcp:port=5005,password_env=LAB_PW",
  "tcp:port=5007,observe,password_env=WATCH_PW",
  "npipe:pipe=ops",
  "npipe:pipe=watch,observe",
]
`;

Deno.test("an observer resolves to an observe endpoint, an operator to another one", () => {
  const c = clients(`${BOTH}
[nodes.alice]
host = "laptop"
connect = "target"

[nodes.manager]
host = "laptop2"
connect = "target"
observer = true

[nodes.oncall]
host = "lab1"
connect = "target"

[nodes.shadow]
host = "lab1"
connect = "target"
observer = true

[nodes.direct]
connect = "tcp:server=lab1,port=5007,password_env=WATCH_PW"
observer = true
`);
  assert.deepEqual(c.alice.connect.spec, {
    transport: "tcp",
    server: "lab1",
    port: 5005,
    passwordEnv: "LAB_PW",
  });
  assert.equal(c.alice.observer, false);
  assert.deepEqual(c.manager.connect.spec, {
    transport: "tcp",
    server: "lab1",
    port: 5007,
    passwordEnv: "WATCH_PW",
  });
  assert.equal(c.manager.observer, true, "the voluntary flag goes with it");
  assert.deepEqual(c.oncall.connect.spec, { transport: "npipe", pipe: "ops" });
  assert.deepEqual(
    c.shadow.connect.spec,
    { transport: "npipe", pipe: "watch" },
    "the server's flag is not copied into the client's string",
  );
  assert.equal(c.direct.observer, true, "a connection string: only the voluntary flag");
});

Deno.test("an observer whose server has no observe endpoint is reported at its node, with a fix", () => {
  const ps = problems(`[nodes.target]
host = "lab1"
engine = { kind = "gdb", program = "./app" }
listen = ["tcp:port=5005,password_env=LAB_PW"]

[nodes.alice]
host = "laptop"
connect = "target"

[nodes.boss]
host = "laptop"
connect = "target"
observer = true
`);
  assert.equal(ps.length, 1, ps.map((p) => p.message).join("\n"));
  assert.equal(ps[0].line, 10);
  assert.equal(
    ps[0].message,
    "client `boss` is an observer, but `target` has no `observe` endpoint to take it",
  );
  assert.equal(
    ps[0].hint,
    'add an endpoint with `observe` to `target`\'s listen, e.g. "tcp:port=5007,observe,password_env=WATCH_PW"',
  );
});

Deno.test("an operator whose server only takes observers is reported too", () => {
  const ps = problems(`[nodes.target]
host = "lab1"
engine = { kind = "gdb", program = "./app" }
listen = ["tcp:port=5007,observe,password_env=WATCH_PW"]

[nodes.alice]
host = "laptop"
connect = "target"
`);
  assert.equal(ps.length, 1);
  assert.equal(ps[0].line, 6);
  assert.match(
    ps[0].message,
    /`target`, whose endpoints all say `observe`: `alice` could only watch/,
  );
  assert.match(ps[0].hint ?? "", /observer = true in `alice`/);
});

Deno.test("observer mistakes: on a server, not a boolean, `observe` in a client's string", () => {
  const ps = problems(`${BOTH}observer = true

[nodes.alice]
host = "laptop"
connect = "target"
observer = "yes"

[nodes.bob]
connect = "tcp:server=lab1,port=5007,observe"
`);
  assert.deepEqual(ps.map((p) => p.line), [10, 15, 18]);
  assert.match(ps[0].message, /`observer` is for clients, but `target` is a server/);
  assert.match(ps[1].message, /`observer` must be true or false/);
  assert.match(ps[2].message, /"observe" marks a server's endpoint/);
  assert.match(ps[2].hint ?? "", /dbgremote client --observe/);
});

Deno.test("plan shows observers and observe endpoints", () => {
  const plan = formatPlan(
    parseTopology(
      `${BOTH}
[nodes.manager]
host = "laptop2"
connect = "target"
observer = true
`,
      "lab.toml",
    ),
  );
  assert.ok(plan.includes("    listen tcp:port=5007,password_env=WATCH_PW,observe\n"), plan);
  assert.ok(
    plan.includes(
      "  client manager (observer): connect tcp:server=lab1,port=5007,password_env=WATCH_PW (node target)\n",
    ),
    plan,
  );
});
