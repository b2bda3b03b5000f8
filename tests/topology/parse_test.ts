import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { TopologyError, type TopologyProblem } from "../../src/errors.ts";
import { parseTopology } from "../../src/topology/parse.ts";

const GOOD_SERVER = `
[nodes.target]
engine = { kind = "gdb", program = "./app" }
listen = ["tcp:port=5005,password_env=LAB_PW"]
`;

/** The problems of a lab that must not parse. */
function problems(text: string): TopologyProblem[] {
  try {
    parseTopology(text, "lab.toml");
  } catch (err) {
    assert.ok(err instanceof TopologyError, `expected TopologyError, got ${err}`);
    assert.equal(err.code, "E_TOPOLOGY");
    return err.problems;
  }
  assert.fail("the lab parsed, but it should not have");
}

function one(text: string): TopologyProblem {
  const ps = problems(text);
  assert.equal(ps.length, 1, ps.map((p) => `${p.line}:${p.col} ${p.message}`).join("\n"));
  assert.equal(ps[0].file, "lab.toml");
  return ps[0];
}

Deno.test("the labs in topologies/ parse cleanly", () => {
  const dir = path.resolve(import.meta.dirname!, "../../topologies");
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".toml"))) {
    const topo = parseTopology(fs.readFileSync(path.join(dir, f), "utf8"), f);
    assert.ok(topo.nodes.length >= 2, f);
  }
});

Deno.test("a valid lab: servers, clients, engine and endpoints", () => {
  const topo = parseTopology(
    `[lab]
name = "crash"

[nodes.target]
host = "lab1"
engine = { kind = "gdb", program = "./app", args = ["--port", "8080"] }
listen = ["tcp:port=5005,password_env=LAB_PW", "npipe:pipe=crash"]
noio = true

[nodes.alice]
host = "laptop"
connect = "target"
user = "alice"

[nodes.oncall]
host = "lab1"
connect = "target"

[nodes.direct]
connect = "tcp:server=lab1,port=5005"
`,
    "crash.toml",
  );
  assert.equal(topo.lab.name, "crash");
  const [target, alice, oncall, direct] = topo.nodes;
  assert.equal(target.role, "server");
  if (target.role !== "server") return;
  assert.deepEqual(target.engine, { kind: "gdb", program: "./app", args: ["--port", "8080"] });
  assert.deepEqual(target.listen.map((e) => e.spec.transport), ["tcp", "npipe"]);
  assert.equal(target.noio, true);
  assert.equal(target.line, 4);
  // Another host: the tcp endpoint, dialling the server's host.
  assert.deepEqual(alice.role === "client" && alice.connect.spec, {
    transport: "tcp",
    server: "lab1",
    port: 5005,
    passwordEnv: "LAB_PW",
  });
  assert.equal(alice.role === "client" && alice.user, "alice");
  // The same host: the local pipe.
  assert.deepEqual(oncall.role === "client" && oncall.connect.spec, {
    transport: "npipe",
    pipe: "crash",
  });
  assert.equal(oncall.role === "client" && oncall.connect.via, "target");
  assert.deepEqual(direct.role === "client" && direct.connect.spec, {
    transport: "tcp",
    server: "lab1",
    port: 5005,
  });
});

Deno.test("a node with both listen and connect: a client or a server, never both", () => {
  const p = one(`${GOOD_SERVER}
[nodes.both]
engine = { kind = "gdb", program = "./app" }
listen = ["tcp:port=5006,password_env=LAB_PW"]
connect = "target"
`);
  assert.equal(p.line, 6);
  assert.equal(p.col, 1);
  assert.match(
    p.message,
    /node `both` has both `listen` and `connect`: a debugger is a client or a server, never both/,
  );
  assert.match(p.hint ?? "", /split `both` into two nodes/);
});

Deno.test("a node with neither listen nor connect", () => {
  const p = one(`${GOOD_SERVER}
[nodes.idle]
host = "x"
`);
  assert.equal(p.line, 6);
  assert.match(p.message, /neither `listen` \(a server\) nor `connect` \(a client\)/);
});

Deno.test("duplicate node names point at the second, naming the first's line", () => {
  const p = one(`${GOOD_SERVER}
[nodes.target]
connect = "target"
`);
  assert.equal(p.line, 6);
  assert.match(p.message, /duplicate node name `target` \(first defined on line 2\)/);
});

Deno.test("two endpoints with the same address on one host", () => {
  const ps = problems(`
[nodes.a]
host = "lab1"
engine = { kind = "gdb", program = "./a" }
listen = ["tcp:port=5005,password_env=LAB_PW", "npipe:pipe=p"]

[nodes.b]
host = "lab1"
engine = { kind = "gdb", program = "./b" }
listen = [
  "npipe:pipe=q",
  "tcp:port=5005,password_env=LAB_PW",
]

[nodes.c]
host = "lab2"
engine = { kind = "gdb", program = "./c" }
listen = ["tcp:port=5005,password_env=LAB_PW", "npipe:pipe=p", "npipe:pipe=p"]
`);
  assert.equal(ps.length, 2, ps.map((p) => p.message).join("\n"));
  assert.equal(ps[0].line, 12);
  assert.equal(ps[0].col, 3);
  assert.match(ps[0].message, /tcp port 5005 is already used on host lab1 by node `a` \(line 5\)/);
  assert.equal(ps[1].line, 18);
  assert.match(ps[1].message, /pipe "p" is already used on host lab2 by node `c`/);
});

Deno.test("connect to an unknown node (with did-you-mean) or to a client", () => {
  const ps = problems(`${GOOD_SERVER}
[nodes.alice]
connect = "tagret"

[nodes.bob]
connect = "alice"
`);
  assert.equal(ps.length, 2);
  assert.deepEqual([ps[0].line, ps[0].col], [7, 1]);
  assert.match(ps[0].message, /client `alice` connects to unknown node `tagret`/);
  assert.match(ps[0].hint ?? "", /did you mean `target`\?/);
  assert.equal(ps[1].line, 10);
  assert.match(ps[1].message, /client `bob` connects to `alice`, which is a client/);
});

Deno.test("unknown keys everywhere, with did-you-mean", () => {
  const ps = problems(`[lab]
nmae = "x"

[nodes.target]
engine = { kind = "gdb", progam = "./app", program = "./app" }
listen = ["tcp:port=5005,password_env=LAB_PW"]
hots = "lab1"

[nodes.alice]
conect = "target"
connect = "target"

[extra]
x = 1
`);
  const byLine = Object.fromEntries(ps.map((p) => [p.line, p]));
  assert.match(byLine[2].message, /unknown key `nmae` in \[lab\]/);
  assert.match(byLine[2].hint ?? "", /did you mean `name`/);
  assert.match(byLine[5].message, /unknown key `progam` in an engine/);
  assert.equal(byLine[5].col, 26);
  assert.match(byLine[7].message, /unknown key `hots` in node `target`/);
  assert.match(byLine[7].hint ?? "", /did you mean `host`/);
  assert.match(byLine[10].message, /unknown key `conect`/);
  assert.match(byLine[10].hint ?? "", /did you mean `connect`/);
  assert.match(byLine[13].message, /unknown key `extra` in a lab file/);
  assert.equal(ps.length, 5);
});

Deno.test("bad ports and malformed connection strings point at the element", () => {
  const ps = problems(`
[nodes.target]
engine = { kind = "gdb", program = "./app" }
listen = ["tcp:port=70000", "tcp:port=abc", "udp:port=1", "tcp:port=0,insecure"]

[nodes.alice]
connect = "tcp:port=5005,password_env=LAB_PW"
`);
  assert.equal(ps.length, 5, ps.map((p) => p.message).join("\n"));
  assert.deepEqual(ps.map((p) => [p.line, p.col]), [[4, 11], [4, 29], [4, 45], [4, 59], [7, 1]]);
  assert.match(ps[0].message, /port 70000 is out of range/);
  assert.match(ps[1].message, /port "abc" is not a number/);
  assert.match(ps[2].message, /unknown transport "udp"/);
  assert.match(ps[3].message, /port 0 .*a lab needs fixed ports/);
  assert.match(ps[4].message, /tcp needs server=HOST to connect/);
});

Deno.test("a password inline is refused: secrets never go in a lab file; password_env is fine", () => {
  const p = one(`
[nodes.target]
engine = { kind = "gdb", program = "./app" }
listen = ["tcp:port=5005,password=hunter2", "tcp:port=5006,password_env=LAB_PW"]
`);
  assert.deepEqual([p.line, p.col], [4, 11]);
  assert.match(p.message, /never put secrets in a lab file/);
  assert.doesNotMatch(p.message, /hunter2/);
  assert.match(p.hint ?? "", /password_env=VAR/);
  const ok = parseTopology(
    `[nodes.t]
engine = { kind = "gdb", program = "./app" }
listen = ["tcp:port=5006,password_env=LAB_PW,hidden"]
[nodes.c]
host = "elsewhere"
connect = "tcp:server=t,port=5006,password_env=LAB_PW"
`,
    "ok.toml",
  );
  const t = ok.nodes[0];
  assert.ok(
    t.role === "server" && t.listen[0].spec.passwordEnv === "LAB_PW" && t.listen[0].spec.hidden,
  );
});

Deno.test("wrong types and a server without an engine", () => {
  const ps = problems(`
[nodes.a]
listen = "tcp:port=5005,password_env=LAB_PW"
engine = { kind = "gdb", program = "./a" }

[nodes.b]
listen = ["tcp:port=5006,password_env=LAB_PW"]

[nodes.c]
listen = ["tcp:port=5007,password_env=LAB_PW"]
engine = { kind = "lldb", program = "./c" }

[nodes.d]
listen = ["tcp:port=5008,password_env=LAB_PW"]
engine = { kind = "gdb" }

[nodes.e]
listen = ["tcp:port=5009,password_env=LAB_PW"]
engine = "gdb ./e"
noio = "yes"
`);
  const messages = ps.map((p) => `${p.line}: ${p.message}`);
  assert.ok(
    messages.some((m) => /^3: `listen` of server `a` must be a non-empty array/.test(m)),
    messages.join("\n"),
  );
  assert.ok(messages.some((m) => /^6: server `b` has no `engine`/.test(m)), messages.join("\n"));
  assert.ok(messages.some((m) => /^11: unknown engine kind "lldb"/.test(m)), messages.join("\n"));
  assert.ok(
    messages.some((m) => /^15: the engine of node `d` needs `program`/.test(m)),
    messages.join("\n"),
  );
  assert.ok(
    messages.some((m) => /^19: `engine` of node `e` must be a table/.test(m)),
    messages.join("\n"),
  );
  assert.ok(messages.some((m) => /^20: `noio` must be true or false/.test(m)), messages.join("\n"));
});

Deno.test("a TOML syntax error is reported with its line and column", () => {
  const p = one(`[lab]
name = "x"

[nodes.target]
listen = ["tcp:port=5005,password_env=LAB_PW",
engine = 3
`);
  assert.equal(p.line, 6);
  assert.match(p.message, /^TOML syntax error: /);
});

Deno.test("several problems are reported at once, in line order", () => {
  const ps = problems(`[nodes.a]
engine = { kind = "gdb", program = "./a" }
listen = ["tcp:port=5005,password_env=LAB_PW"]
connect = "b"

[nodes.b]
conect = "a"

[nodes.c]
connect = "zzz"
`);
  assert.ok(ps.length >= 3);
  const lines = ps.map((p) => p.line);
  assert.deepEqual(lines, [...lines].sort((a, b) => a - b));
  assert.deepEqual([...new Set(lines)], [1, 6, 7, 10]);
});

Deno.test("a client on another host cannot reach a loopback-only server", () => {
  const p = one(`
[nodes.target]
host = "lab1"
engine = { kind = "gdb", program = "./app" }
listen = ["tcp:port=5005,server=127.0.0.1"]

[nodes.alice]
host = "laptop"
connect = "target"
`);
  assert.equal(p.line, 9);
  assert.match(p.message, /listens on tcp only on 127\.0\.0\.1/);
});

Deno.test("secure by default: tcp reachable from the network needs password_env or `insecure`", () => {
  const p = one(`
[nodes.target]
engine = { kind = "gdb", program = "./app" }
listen = ["tcp:port=5005,server=127.0.0.1", "tcp:port=5006,insecure", "tcp:port=5007"]
`);
  assert.deepEqual([p.line, p.col], [4, 71]);
  assert.match(
    p.message,
    /"tcp:port=5007" lets anyone who reaches this host control the debugger: it has no password/,
  );
  assert.match(p.hint ?? "", /password_env=VAR/);
});
