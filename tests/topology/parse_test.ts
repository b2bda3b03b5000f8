import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { type TopologyProblem } from "../../src/errors.ts";
import { parseTopology } from "../../src/topology/parse.ts";
import { problems } from "./lab_problems.ts";

const GOOD_SERVER = `
[nodes.target]
engine = { kind = "gdb", program = "./app" }
listen = ["tcp:port=5005,password_env=LAB_PW"]
`;

/** The problems of a lab that must not parse. */

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
  assert.match(p.message, /never put secrets in a topology: use password_env/);
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
engine = { kind = "lldbx", program = "./c" }

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
  assert.ok(messages.some((m) => /^11: unknown engine kind "lldbx"/.test(m)), messages.join("\n"));
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
    /tcp:port=5007 would let anyone who reaches every interface control the debugger: it has no password/,
  );
  assert.match(p.hint ?? "", /password_env=VAR/);
});

Deno.test("a duplicate node is named and skipped: the rest of the file is still checked", () => {
  const ps = problems(`[nodes.t]
engine = { kind = "gdb", program = "./a" }
listen = ["tcp:port=5005,insecure"]

[nodes.t]
connect = "t"
hots = 1

[nodes.c]
conect = "t"
`);
  assert.deepEqual(ps.map((p) => [p.line, p.col]), [[5, 1], [9, 1], [10, 1]]);
  assert.match(ps[0].message, /^duplicate node name `t` \(first defined on line 1\)$/);
  assert.match(ps[0].hint ?? "", /rename one of them/);
  assert.match(ps[1].message, /node `c` has neither/);
  assert.match(ps[2].message, /unknown key `conect` in node `c`/);
});

Deno.test("a key given twice, and a node defined inline then again as a table", () => {
  const key = one(`[nodes.t]
engine = { kind = "gdb", program = "./a" }
listen = ["npipe:pipe=a"]
  listen = ["npipe:pipe=b"]
`);
  assert.deepEqual([key.line, key.col], [4, 3]);
  assert.equal(key.message, "`listen` is given twice in node `t` (first on line 3)");
  const inline = one(`[nodes]
t = { listen = ["npipe:pipe=a"], engine = { program = "./a" } }

[nodes.t]
host = "x"
`);
  assert.deepEqual([inline.line, inline.col], [4, 1]);
  assert.match(inline.message, /duplicate node name `t` \(first defined on line 2\)/);
});

Deno.test("the locator: dotted keys, multi-line arrays, comments and odd strings", () => {
  // Dotted keys at the top level.
  const dotted = problems(`nodes.t.engine = { kind = "gdb", program = "./a" }
nodes.t.listen = ["npipe:pipe=a", "tcp:port=99999"]
nodes.c.connect = "tt"
`);
  assert.deepEqual(dotted.map((p) => [p.line, p.col]), [[2, 35], [3, 1]]);
  assert.match(dotted[0].message, /port 99999 is out of range/);
  assert.match(dotted[1].hint ?? "", /did you mean `t`\?/);
  // A multi-line array with comments holding quotes and brackets, a '#' inside a
  // string, a literal string; then a multi-line string value.
  const multi = one(`[nodes.t]
engine = { kind = "gdb", program = "./a" }
listen = [
  # a comment with "quotes" and [brackets]
  "npipe:pipe=a#b", # trailing
  'tcp:port=0,insecure',
]
[nodes.c]
connect = """t"""
`);
  assert.deepEqual([multi.line, multi.col], [6, 3]);
  assert.match(multi.message, /port 0 in "tcp:port=0,insecure"/);
  // Inline-table keys and array elements inside an engine.
  const engine = problems(`[nodes.t]
engine = { kind = "gbd", progrm = "./a", args = "x", debugger = 3 }
listen = ["npipe:pipe=a"]
`);
  assert.deepEqual(engine.map((p) => [p.line, p.col]), [[2, 1], [2, 12], [2, 26], [2, 42], [
    2,
    54,
  ]]);
  assert.match(engine[0].message, /the engine of node `t` needs `program`/);
  assert.match(engine[1].message, /unknown engine kind "gbd"/);
  assert.match(engine[1].hint ?? "", /did you mean "gdb"\?/);
  assert.match(engine[2].message, /unknown key `progrm` in an engine/);
  assert.match(engine[2].hint ?? "", /did you mean `program`\?/);
  assert.match(engine[3].message, /`args` of node `t` must be an array of strings/);
  assert.match(engine[4].message, /`debugger` of node `t` must be a string/);
});

Deno.test("secrets anywhere in a topology are refused, each at its line", () => {
  const ps = problems(`password = "x"
[lab]
secret = 1
[nodes.t]
engine = { kind = "gdb", program = "./a", password = "p" }
listen = ["npipe:pipe=a"]
password_env = "X"
[nodes.c]
connect = "tcp:server=h,port=1,password=hunter2"
[nodes.d]
connect = "tcp:server=h,port=1,password=p,password_env=Q"
`);
  assert.deepEqual(ps.map((p) => [p.line, p.col]), [[1, 1], [3, 1], [5, 43], [7, 1], [9, 1], [
    11,
    1,
  ]]);
  for (const i of [0, 1, 2, 4, 5]) {
    assert.match(ps[i].message, /never put secrets in a topology: use password_env/);
  }
  assert.match(ps[3].message, /`password_env` goes in the connection strings, not in node `t`/);
  assert.ok(ps.every((p) => !p.message.includes("hunter2") && !/password=p\b/.test(p.message)));
});

Deno.test("port 0 is refused for its own sake, before the missing password", () => {
  const p = one(`[nodes.t]
engine = { kind = "gdb", program = "./a" }
listen = ["npipe:pipe=a", "tcp:port=0"]
`);
  assert.deepEqual([p.line, p.col], [3, 27]);
  assert.match(p.message, /port 0 in "tcp:port=0": a lab needs fixed ports/);
});

Deno.test("same address on one host: port ranges, localhost, other hosts, reverse endpoints", () => {
  const ps = problems(`[nodes.a]
host = "localhost"
engine = { kind = "gdb", program = "./a" }
listen = ["tcp:port=5000:5010,password_env=P", "npipe:pipe=x"]

[nodes.b]
engine = { kind = "gdb", program = "./b" }
listen = ["tcp:port=5005,password_env=P", "npipe:pipe=x"]

[nodes.c]
host = "lab2"
engine = { kind = "gdb", program = "./c" }
listen = ["tcp:port=5005,password_env=P", "tcp:clicon=laptop,port=5005,password_env=P"]
`);
  assert.deepEqual(ps.map((p) => [p.line, p.col]), [[8, 11], [8, 43]]);
  assert.equal(
    ps[0].message,
    "tcp port 5005 overlaps tcp ports 5000:5010 of node `a` (line 4) on this host",
  );
  assert.equal(ps[1].message, 'pipe "x" is already used on this host by node `a` (line 4)');
});

Deno.test("a TOML syntax error: its line, column and a hint", () => {
  const p = one(`[nodes.t]
host = lab1
`);
  assert.deepEqual([p.line, p.col], [2, 8]);
  assert.equal(p.message, "TOML syntax error: invalid value");
  assert.match(p.hint ?? "", /strings need double quotes/);
});

Deno.test("an empty host is refused", () => {
  const p = one(`[nodes.t]
host = ""
engine = { kind = "gdb", program = "./a" }
listen = ["npipe:pipe=a"]
`);
  assert.deepEqual([p.line, p.col], [2, 1]);
  assert.match(p.message, /`host` of node `t` must be a host name/);
});

/** The connect spec each client resolves to, by client name. */
function resolved(text: string): Record<string, unknown> {
  const topo = parseTopology(text, "lab.toml");
  return Object.fromEntries(
    topo.nodes.flatMap((n) =>
      n.role === "client" ? [[n.name, { ...n.connect.spec, via: n.connect.via }]] : []
    ),
  );
}

Deno.test("connect by name: a pipe on the same host, tcp to the server's host elsewhere", () => {
  const got = resolved(`[nodes.t]
host = "lab1"
engine = { kind = "gdb", program = "./a" }
listen = ["npipe:pipe=t,hidden", "tcp:port=5005,password_env=P,insecure", "tcp:port=5006,server=10.0.0.5,password_env=P"]

[nodes.same]
host = "LAB1"
connect = "t"

[nodes.far]
host = "laptop"
connect = "t"

[nodes.anywhere]
connect = "t"

[nodes.v6]
engine = { kind = "gdb", program = "./b" }
listen = ["npipe:pipe=v6-%d", "tcp:port=5007,ipversion=6,password_env=P"]

[nodes.bound]
host = "lab2"
engine = { kind = "gdb", program = "./c" }
listen = ["tcp:port=5008,server=10.0.0.9,password_env=P"]

[nodes.here]
connect = "v6"

[nodes.there]
host = "laptop"
connect = "bound"

[nodes.pid]
engine = { kind = "gdb", program = "./d" }
listen = ["npipe:pipe=pid-%d"]

[nodes.pidclient]
host = "localhost"
connect = "pid"
`);
  assert.deepEqual(got, {
    // The same host (case-insensitive): the pipe, without the server's flags.
    same: { transport: "npipe", pipe: "t", via: "t" },
    // Another host: the first tcp endpoint, dialling the server's host, with its password_env.
    far: { transport: "tcp", server: "lab1", port: 5005, passwordEnv: "P", via: "t" },
    anywhere: { transport: "tcp", server: "lab1", port: 5005, passwordEnv: "P", via: "t" },
    // A %d pipe cannot be known by another process: tcp on loopback (::1 for IPv6).
    here: {
      transport: "tcp",
      server: "::1",
      port: 5007,
      ipversion: 6,
      passwordEnv: "P",
      via: "v6",
    },
    // A server bound to one address is dialled there.
    there: { transport: "tcp", server: "10.0.0.9", port: 5008, passwordEnv: "P", via: "bound" },
    // Only a %d pipe: that pipe (`run` starts both in one process); localhost = no host.
    pidclient: { transport: "npipe", pipe: "pid-%d", via: "pid" },
  });
});

Deno.test("connect by name: servers a client cannot reach that way", () => {
  const ps = problems(`[nodes.anyhost]
engine = { kind = "gdb", program = "./a" }
listen = ["tcp:port=5005,password_env=P"]

[nodes.tls]
host = "lab1"
engine = { kind = "gdb", program = "./b" }
listen = ["ssl:port=5006,certfile=lab.crt,keyfile=lab.key,password_env=P"]

[nodes.reverse]
host = "lab1"
engine = { kind = "gdb", program = "./c" }
listen = ["tcp:clicon=laptop,port=5007,password_env=P"]

[nodes.pipes]
host = "lab1"
engine = { kind = "gdb", program = "./d" }
listen = ["npipe:pipe=d"]

[nodes.c1]
host = "laptop"
connect = "anyhost"

[nodes.c2]
host = "laptop"
connect = "tls"

[nodes.c3]
host = "laptop"
connect = "reverse"

[nodes.c4]
host = "laptop"
connect = "pipes"
`);
  assert.deepEqual(ps.map((p) => p.line), [22, 26, 30, 34]);
  assert.match(ps[0].message, /`anyhost`, which names no host/);
  assert.match(ps[0].hint ?? "", /give `anyhost` a host/);
  assert.match(ps[1].message, /listens on ssl: a TLS client needs its own cafile/);
  assert.match(ps[1].hint ?? "", /connect = "ssl:server=lab1,port=PORT,cafile=lab\.crt"/);
  assert.match(ps[2].message, /dials its clients \(clicon\)/);
  assert.match(ps[3].message, /listens only on local pipes on lab1/);
});

Deno.test("the labs in topologies/ resolve as their comments say", () => {
  const dir = path.resolve(import.meta.dirname!, "../../topologies");
  const local = resolved(fs.readFileSync(path.join(dir, "local.toml"), "utf8"));
  // Outside `run` (which joins the in-process server's own pipe), the %d pipe is
  // unknowable: the loopback tcp endpoint.
  assert.deepEqual(local, {
    you: { transport: "tcp", server: "127.0.0.1", port: 5005, via: "demo" },
  });
  const crash = resolved(fs.readFileSync(path.join(dir, "crash-lab.toml"), "utf8"));
  assert.deepEqual(crash, {
    alice: {
      transport: "tcp",
      server: "lab1",
      port: 5005,
      passwordEnv: "CRASH_LAB_PW",
      via: "target",
    },
    oncall: { transport: "npipe", pipe: "crash", via: "target" },
  });
  const topo = parseTopology(fs.readFileSync(path.join(dir, "local.toml"), "utf8"), "local.toml");
  const demo = topo.nodes[0];
  assert.ok(demo.role === "server");
  assert.deepEqual(demo.engine, { kind: "gdb", program: "{sample}", args: [] });
  assert.deepEqual(demo.listen.map((e) => e.text), [
    "npipe:pipe=dbgremote-demo-%d",
    "tcp:port=5005:5015,server=127.0.0.1",
    "http:port=8080:8090,server=127.0.0.1",
  ]);
});
