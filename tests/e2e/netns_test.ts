/**
 * The test hosts themselves (tests/e2e/netns.ts), and the smallest lab across
 * them: a gdb server on one host, a client on another, talking over the
 * bridge by host name.
 */
import assert from "node:assert/strict";
import { buildSample, withScratch } from "./harness.ts";
import { NetLab, netnsUnavailable, reportSkip } from "./netns.ts";

const skip = netnsUnavailable();
reportSkip(skip, "network-namespace tests (tests/e2e/netns_test.ts)");

Deno.test({
  name: "netns: test hosts have their own names and reach each other by name, nothing else",
  ignore: skip !== undefined,
  async fn() {
    await using lab = await NetLab.create(["lab1", "alice"]);
    assert.equal(lab.exec("alice", ["hostname"]).trim(), "alice");
    assert.equal(lab.exec("lab1", ["hostname"]).trim(), "lab1");
    assert.match(lab.exec("alice", ["getent", "hosts", "lab1"]), /^198\.18\.0\.1\s+lab1/);
    // Only loopback and the bridge: no route out of the lab.
    const routes = lab.exec("alice", ["ip", "route"]);
    assert.doesNotMatch(routes, /default/);
  },
});

Deno.test({
  name: "netns: a client on one host debugs through a server on another, by host name",
  ignore: skip !== undefined,
  async fn() {
    await using tmp = withScratch();
    const program = buildSample(tmp.dir);
    await using lab = await NetLab.create(["lab1", "alice"]);
    const env = { ...tmp.env, LAB_PW: "correct horse" };
    const server = lab.spawn("lab1", [
      "server",
      "--noio",
      "tcp:port=5005,password_env=LAB_PW",
      "--",
      "gdb",
      program,
    ], { env });
    // The banner says how to come in from other machines: by this host's name.
    const [, address] = await server.waitFor(
      /listening on tcp:port=5005\S*: dbgremote client \S+ \(from other machines: dbgremote client (\S+)\)/,
    );
    assert.equal(address, "tcp:server=lab1,port=5005,password_env=LAB_PW");
    const client = lab.spawn("alice", ["client", address], { env });
    await client.waitFor("*** connected to lab1");
    client.send("break add");
    client.send("run");
    await client.waitFor(/-- stopped at .*demo\.c:\d+ in add/);
    // The server sees the client come from alice's address on the bridge.
    client.send(".clients");
    await client.waitFor(/\S+@alice\s+operator\s+tcp:198\.18\.0\.2:\d+/);
    client.send("q");
    assert.equal((await client.wait()).code, 0);
    assert.equal((await server.wait()).code, 0);
  },
});
