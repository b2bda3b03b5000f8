/**
 * The keys for running a lab across hosts: `reconnect` and `cafile` on clients,
 * `ssh_user` on [lab] and nodes; and which endpoint a node name picks.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { parseTopology } from "../../src/topology/parse.ts";
import { problems } from "./lab_problems.ts";

const STORE = `[nodes.store]
host = "lab1"
engine = { kind = "gdb", program = "./a" }
listen = [
  "tcp:port=5005,password_env=P",
  "ssl:port=5006,certfile=lab.crt,keyfile=lab.key,password_env=P",
  "spipe:pipe=store,certfile=lab.crt,keyfile=lab.key",
  "npipe:pipe=store-plain",
]
`;

Deno.test("lab keys: reconnect, cafile and ssh_user parse onto the nodes", () => {
  const topo = parseTopology(
    `[lab]
ssh_user = "debug"

${STORE}ssh_user = "root"

[nodes.alice]
host = "dev1"
connect = "store"
reconnect = true
cafile = "lab.crt"
ssh_user = "alice"

[nodes.bob]
host = "dev2"
connect = "store"
reconnect = false
`,
    "lab.toml",
  );
  assert.equal(topo.lab.sshUser, "debug");
  const [store, alice, bob] = topo.nodes;
  assert.ok(store.role === "server" && alice.role === "client" && bob.role === "client");
  assert.equal(store.sshUser, "root");
  assert.equal(alice.reconnect, true);
  assert.equal(alice.cafile, "lab.crt");
  assert.equal(alice.sshUser, "alice");
  assert.equal(bob.reconnect, undefined);
  assert.equal(bob.sshUser, undefined);
});

Deno.test("lab keys: a node name picks ssl when the client has cafile, tcp without, TLS pipe locally", () => {
  const topo = parseTopology(
    `${STORE}
[nodes.alice]
host = "dev1"
connect = "store"
cafile = "certs/lab.crt"

[nodes.bob]
host = "dev2"
connect = "store"

[nodes.oncall]
host = "lab1"
connect = "store"
cafile = "lab.crt"

[nodes.local]
host = "lab1"
connect = "store"
`,
    "lab.toml",
  );
  const spec = Object.fromEntries(
    topo.nodes.flatMap((n) => (n.role === "client" ? [[n.name, n.connect.spec]] : [])),
  );
  assert.deepEqual(spec.alice, {
    transport: "ssl",
    server: "lab1",
    port: 5006,
    cafile: "certs/lab.crt",
    passwordEnv: "P",
  });
  assert.deepEqual(spec.bob, { transport: "tcp", server: "lab1", port: 5005, passwordEnv: "P" });
  // On the server's host, with cafile: its TLS pipe; without: its plain pipe (as before).
  assert.deepEqual(spec.oncall, { transport: "spipe", pipe: "store", cafile: "lab.crt" });
  assert.deepEqual(spec.local, { transport: "npipe", pipe: "store-plain" });
});

Deno.test("lab keys: wrong types, misplaced keys and typos, each at its line with a fix", () => {
  const ps = problems(`[lab]
ssh_user = "no spaces please"
ssh_usr = "x"

${STORE}reconnect = true

[nodes.alice]
host = "dev1"
connect = "store"
reconnect = "yes"
cafile = 3
ssh_user = 7

[nodes.bob]
host = "dev2"
connect = "store"
reconect = true
`);
  const at = (line: number) => {
    const p = ps.find((p) => p.line === line);
    assert.ok(p, `no problem on line ${line}: ${ps.map((p) => `${p.line} ${p.message}`)}`);
    return p;
  };
  assert.match(at(2).message, /`ssh_user` must be a login name, not "no spaces please"/);
  assert.match(at(3).message, /unknown key `ssh_usr` in \[lab\]/);
  assert.equal(at(3).hint, "did you mean `ssh_user`?");
  assert.match(at(14).message, /`reconnect` is for clients, but `store` is a server/);
  assert.match(at(19).message, /`reconnect` of client `alice` must be true or false, not "yes"/);
  assert.match(at(19).hint ?? "", /not after q/);
  assert.match(at(20).message, /`cafile` of client `alice` must be a file name/);
  assert.match(at(21).message, /`ssh_user` must be a login name, not a number/);
  assert.match(at(26).message, /unknown key `reconect` in node `bob`/);
  assert.equal(at(26).hint, "did you mean `reconnect`?");
  assert.equal(ps.length, 7, ps.map((p) => `${p.line} ${p.message}`).join("\n"));
});

Deno.test("lab keys: cafile needs a TLS endpoint to pick, and is for node names only", () => {
  const ps = problems(`[nodes.plain]
host = "lab2"
engine = { kind = "gdb", program = "./b" }
listen = ["tcp:port=5005,password_env=P"]

[nodes.certs]
host = "lab3"
engine = { kind = "gdb", program = "./c" }
listen = ["ssl:port=5006,certfile=c.crt,keyfile=c.key,clientca=ca.crt"]

[nodes.a]
host = "dev1"
connect = "plain"
cafile = "lab.crt"

[nodes.b]
host = "dev1"
connect = "tcp:server=lab2,port=5005,password_env=P"
cafile = "lab.crt"

[nodes.c]
host = "dev1"
connect = "certs"
cafile = "ca.crt"

[nodes.d]
host = "dev2"
connect = "certs"
`);
  assert.deepEqual(ps.map((p) => p.line), [13, 19, 23, 28]);
  assert.match(
    ps[0].message,
    /`a` has `cafile`, so it connects to `plain` over TLS, but `plain` has no ssl endpoint/,
  );
  assert.match(ps[0].hint ?? "", /or remove `cafile` from `a`/);
  assert.match(ps[1].message, /`cafile` of client `b` is for connecting by node name/);
  assert.match(ps[1].hint ?? "", /tcp:server=lab2,port=5005,password_env=P,cafile=lab\.crt/);
  assert.match(ps[2].message, /`certs` admits only clients with a certificate \(clientca\)/);
  // Without cafile, a TLS-only server says how to get one.
  assert.match(ps[3].message, /a TLS client needs its own cafile/);
  assert.match(ps[3].hint ?? "", /add cafile = "lab\.crt" .* to `d`/);
});

Deno.test("topologies/multi-host-lab.toml resolves as its comments say", () => {
  const file = path.resolve(import.meta.dirname!, "../../topologies/multi-host-lab.toml");
  const topo = parseTopology(fs.readFileSync(file, "utf8"), "multi-host-lab.toml");
  const byName = Object.fromEntries(topo.nodes.map((n) => [n.name, n]));
  const connect = (name: string) => {
    const n = byName[name];
    assert.ok(n.role === "client");
    return n.connect.spec;
  };
  assert.deepEqual(connect("alice"), {
    transport: "ssl",
    server: "lab1",
    port: 5006,
    cafile: "lab.crt",
    passwordEnv: "LAB_PW",
  });
  assert.deepEqual(connect("bob"), {
    transport: "tcp",
    server: "lab1",
    port: 5005,
    passwordEnv: "LAB_PW",
  });
  assert.equal(connect("carol").transport, "tcp");
  assert.deepEqual(
    topo.nodes.map((n) => `${n.name}@${n.host}`),
    ["store@lab1", "cache@lab2", "alice@dev1", "bob@dev2", "carol@dev3"],
  );
});
