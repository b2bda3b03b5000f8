import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { UsageError } from "../../src/errors.ts";
import { planShipment } from "../../src/ship/plan.ts";
import { scpTarget } from "../../src/ship/ssh.ts";
import { parseTopology } from "../../src/topology/parse.ts";

const LAB = `[lab]
ssh_user = "debug"

[nodes.store]
host = "lab1"
engine = { kind = "gdb", program = "./a" }
listen = [
  "tcp:port=5005,password_env=LAB_PW",
  "ssl:port=5006,certfile=certs/lab.crt,keyfile=certs/lab.key,password_env=TLS_PW",
]

[nodes.oncall]
host = "LAB1"
connect = "store"
cafile = "certs/lab.crt"

[nodes.alice]
host = "dev1"
connect = "store"
cafile = "certs/lab.crt"
ssh_user = "alice"

[nodes.local]
engine = { kind = "gdb", program = "./b" }
listen = ["npipe:pipe=x"]
`;

Deno.test("planShipment: hosts with their login, files, secrets; hostless nodes left out", () => {
  const topo = parseTopology(LAB.replace(",clientca=/etc/ca.pem", ""), "lab.toml");
  const plan = planShipment(topo, "labs/lab.toml");
  assert.deepEqual(plan.anywhere, ["local"]);
  const [lab1, dev1] = plan.hosts;
  assert.equal(lab1.host, "lab1");
  assert.equal(lab1.destination, "debug@lab1"); // [lab] ssh_user
  assert.deepEqual(lab1.servers.map((n) => n.name), ["store"]);
  assert.deepEqual(lab1.clients.map((n) => n.name), ["oncall"]); // LAB1 is lab1
  // Certificates named relative to the lab file, each once; the key only where its server runs.
  assert.deepEqual(lab1.assets, [
    { name: "certs/lab.crt", local: "labs/certs/lab.crt", why: "store's certfile" },
    { name: "certs/lab.key", local: "labs/certs/lab.key", why: "store's keyfile" },
  ]);
  assert.deepEqual(lab1.secrets, ["LAB_PW", "TLS_PW"]);
  assert.equal(dev1.destination, "alice@dev1"); // the node's own ssh_user
  assert.deepEqual(dev1.assets.map((a) => a.name), ["certs/lab.crt"]);
  assert.deepEqual(dev1.secrets, []);
});

Deno.test("planShipment: --node picks nodes (with did-you-mean); absolute paths are not copied", () => {
  const topo = parseTopology(LAB, "lab.toml");
  const plan = planShipment(topo, "lab.toml", ["alice"]);
  assert.deepEqual(plan.hosts.map((h) => h.host), ["dev1"]);
  assert.throws(() => planShipment(topo, "lab.toml", ["alcie"]), /no node `alcie`[\s\S]*/);
  try {
    planShipment(topo, "lab.toml", ["alcie"]);
  } catch (err) {
    assert.equal((err as { hint?: string }).hint, "did you mean `alice`?");
  }
  const absolute = parseTopology(
    LAB.replace('cafile = "certs/lab.crt"\nssh_user', 'cafile = "/etc/lab/ca.pem"\nssh_user'),
    "lab.toml",
  );
  const dev1 = planShipment(absolute, "lab.toml", ["alice"]).hosts[0];
  assert.deepEqual(dev1.absolute, ["/etc/lab/ca.pem"]);
  assert.deepEqual(dev1.assets, []);
});

Deno.test("planShipment: two logins for one host, and files outside the lab, are refused", () => {
  const twoUsers = parseTopology(
    LAB.replace('host = "LAB1"\nconnect', 'host = "LAB1"\nssh_user = "root"\nconnect'),
    "lab.toml",
  );
  assert.throws(
    () => planShipment(twoUsers, "lab.toml"),
    /nodes on LAB1 log in differently: as debug and as root/,
  );
  const outside = parseTopology(LAB.replaceAll("certs/lab.crt", "../lab.crt"), "lab.toml");
  assert.throws(
    () => planShipment(outside, "lab.toml"),
    /"\.\.\/lab\.crt" is outside the lab's directory/,
  );
});

Deno.test("planShipment: the multi-host lab ships the key to lab1 only", () => {
  const file = path.resolve(import.meta.dirname!, "../../topologies/multi-host-lab.toml");
  const plan = planShipment(parseTopology(fs.readFileSync(file, "utf8"), file), file);
  const names = Object.fromEntries(plan.hosts.map((h) => [h.host, h.assets.map((a) => a.name)]));
  assert.deepEqual(names, {
    lab1: ["lab.crt", "lab.key"],
    lab2: [],
    dev1: ["lab.crt"],
    dev2: [],
    dev3: [],
  });
});

Deno.test("planShipment: a host that is not a host name never reaches ssh", () => {
  const withHost = (host: string) =>
    parseTopology(LAB.replace('host = "dev1"', `host = ${JSON.stringify(host)}`), "lab.toml");
  for (
    const bad of [
      "-oProxyCommand=touch /tmp/pwned",
      "dev1;touch x",
      "$(id)",
      "dev 1",
      "dev1'",
      "`id`",
      "dev1\nid",
      "dev1@evil",
      "dev1:22",
    ]
  ) {
    assert.throws(
      () => planShipment(withHost(bad), "lab.toml"),
      (err: Error) =>
        err instanceof UsageError &&
        err.message.includes(`node alice's host ${JSON.stringify(bad)} is not a host name`),
      bad,
    );
  }
  for (const good of ["dev1", "dev1.example.com", "build_box", "10.0.0.7", "fe80::1%eth0", "::1"]) {
    const plan = planShipment(withHost(good), "lab.toml", ["alice"]);
    assert.equal(plan.hosts.length, good === "::1" ? 0 : 1, good); // ::1 is this machine
  }
  assert.equal(scpTarget("alice@fe80::1", ".dbgremote/x"), "alice@[fe80::1]:.dbgremote/x");
  assert.equal(scpTarget("10.0.0.7", "/opt/x"), "10.0.0.7:/opt/x");
  assert.equal(scpTarget("a@dev1", "d/x"), "a@dev1:d/x");
});

Deno.test("planShipment: a file whose name starts with two dots is inside the lab", () => {
  const topo = parseTopology(LAB.replaceAll("certs/lab.crt", "..lab.crt"), "lab.toml");
  assert.deepEqual(planShipment(topo, "lab.toml", ["alice"]).hosts[0].assets.map((a) => a.name), [
    "..lab.crt",
  ]);
});

Deno.test("planShipment: a browser endpoint over TLS (https) ships its certificate and key too", () => {
  const topo = parseTopology(
    `[nodes.web]
host = "lab1"
engine = { kind = "gdb", program = "./a" }
listen = ["https:port=8443,certfile=certs/web.crt,keyfile=certs/web.key,password_env=WEB_PW"]
`,
    "lab.toml",
  );
  const [lab1] = planShipment(topo, "lab.toml").hosts;
  assert.deepEqual(lab1.assets, [
    { name: "certs/web.crt", local: "certs/web.crt", why: "web's certfile" },
    { name: "certs/web.key", local: "certs/web.key", why: "web's keyfile" },
  ]);
  assert.deepEqual(lab1.secrets, ["WEB_PW"]);
});
