/**
 * `dbgremote search` across test hosts (network namespaces on one bridge):
 * servers on lab1 and lab2, searches from alice and from the servers' own
 * hosts, over real multicast DNS, with the compiled binary.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { PROTOCOL, RELEASE } from "../../src/version.ts";
import { buildSample, withScratch } from "./harness.ts";
import { NetLab, netnsUnavailable, reportSkip } from "./netns.ts";

const skip = netnsUnavailable();
reportSkip(skip, "search tests (tests/e2e/search_test.ts)");

interface Found {
  name: string;
  host: string;
  addresses: string[];
  local: boolean;
  pid: number;
  engine: string;
  program: string;
  release: string;
  protocol: string;
  clients: number;
  endpoints: string[];
}

async function search(
  lab: NetLab,
  host: string,
  args: string[],
  env: Record<string, string>,
): Promise<string> {
  const p = lab.spawn(host, ["search", "--timeout", "2", ...args], {
    env,
    name: `${host}: search`,
  });
  const exit = await p.wait(30_000);
  assert.equal(exit.code, 0, `search on ${host} failed:\n${p.stdout}\n${p.stderr}`);
  return p.stdout;
}

async function searchJson(
  lab: NetLab,
  host: string,
  args: string[],
  env: Record<string, string>,
): Promise<Found[]> {
  return JSON.parse(await search(lab, host, [...args, "--json"], env));
}

Deno.test({
  name: "search: lists exactly the visible servers of the LAN, with live client counts and " +
    "endpoints; HOST filters; a stopped server leaves at once, a killed one by the next search",
  ignore: skip !== undefined,
  async fn() {
    await using tmp = withScratch();
    const program = buildSample(tmp.dir);
    await using lab = await NetLab.create(["lab1", "lab2", "alice"]);
    const env = { ...tmp.env, LAB_PW: "correct horse", DBGREMOTE_DISCOVERY: "on" };
    const server = (host: string, name: string, extra: string[], endpoints: string[]) =>
      lab.spawn(host, [
        "server",
        "--noio",
        "--name",
        name,
        ...extra,
        ...endpoints,
        "--",
        "gdb",
        program,
      ], {
        env,
        name: `${host}: server ${name}`,
      });
    const crash = server("lab1", "crash", [], [
      "tcp:port=5005,password_env=LAB_PW",
      "tcp:port=5006,hidden,password_env=LAB_PW",
      "npipe:pipe=crash-%d",
    ]);
    const web = server("lab2", "web", [], ["tcp:port=6000,password_env=LAB_PW"]);
    const secret = server("lab2", "secret", [], ["tcp:port=6001,hidden,password_env=LAB_PW"]);
    const quiet = server("lab2", "quiet", ["--nodiscover"], ["tcp:port=6002,password_env=LAB_PW"]);
    await crash.waitFor("dbgremote search lists this server on the network");
    await web.waitFor("dbgremote search lists this server on the network");
    await secret.waitFor("listening on tcp:port=6001");
    await quiet.waitFor("listening on tcp:port=6002");
    assert.doesNotMatch(secret.stdout + quiet.stdout, /search lists this server/);

    // From alice: the two visible servers, their visible endpoints only, every field.
    let found = await searchJson(lab, "alice", [], env);
    assert.deepEqual(found.map((s) => [s.name, s.host]), [["crash", "lab1"], ["web", "lab2"]]);
    const [c, w] = found;
    assert.deepEqual(c.endpoints, ["tcp:server=lab1,port=5005,password_env=LAB_PW"]);
    assert.deepEqual(w.endpoints, ["tcp:server=lab2,port=6000,password_env=LAB_PW"]);
    assert.deepEqual(c.addresses, ["198.18.0.1"]);
    assert.equal(c.local, false);
    assert.deepEqual(
      [c.engine, c.program, c.release, c.protocol, c.clients],
      ["gdb", program, RELEASE, PROTOCOL, 0],
    );
    // The same from source under Deno: both runtimes speak the same protocol.
    const deno = path.resolve(import.meta.dirname!, "../../node_modules/.bin/deno");
    const main = path.resolve(import.meta.dirname!, "../../main.ts");
    const fromDeno: Found[] = JSON.parse(
      lab.exec("alice", [deno, "run", "-A", main, "search", "--json", "--timeout", "2"], {
        timeoutMs: 60_000,
      }),
    );
    assert.deepEqual(
      fromDeno.map((s) => [s.name, s.endpoints]),
      found.map((s) => [s.name, s.endpoints]),
    );
    const table = await search(lab, "alice", [], env);
    assert.match(table, /^NAME\s+HOST\s+CLIENTS\s+ENGINE\s+PROGRAM\s+RELEASE\s+ENDPOINTS$/m);
    assert.match(
      table,
      /^crash\s+lab1 198\.18\.0\.1\s+0\s+gdb\s+\S+demo\s+\d+\.\d+\.\d+\s+tcp:server=lab1,port=5005/m,
    );
    assert.match(table, /\(\+1 usable only on lab1\)/); // the pipe
    assert.doesNotMatch(table, /secret|quiet|5006|6001|6002/);
    assert.match(table, /2 server\(s\) answered/);

    // The endpoint search printed is the one to use: a client joins with it; counts follow.
    const client = lab.spawn("alice", ["client", c.endpoints[0]], { env });
    await client.waitFor("*** connected to crash on lab1");
    found = await searchJson(lab, "alice", [], env);
    assert.deepEqual(found.map((s) => [s.name, s.clients]), [["crash", 1], ["web", 0]]);

    // Endpoints closed and opened live (.endsrv, .server): searches follow at once.
    client.send(".endsrv 0"); // crash keeps only its hidden port and its pipe: off the network
    await client.waitFor("closed endpoint 0");
    found = await searchJson(lab, "alice", [], env);
    assert.deepEqual(found.map((s) => s.name), ["web"]);
    client.send(".server tcp:port=5007,password_env=LAB_PW");
    await client.waitFor("opened endpoint 3");
    found = await searchJson(lab, "alice", [], env);
    assert.deepEqual(found.map((s) => [s.name, s.endpoints]), [
      ["crash", ["tcp:server=lab1,port=5007,password_env=LAB_PW"]],
      ["web", ["tcp:server=lab2,port=6000,password_env=LAB_PW"]],
    ]);

    // HOST filters, by name (WinDbg's \\Server too) or address.
    assert.deepEqual((await searchJson(lab, "alice", ["lab2"], env)).map((s) => s.name), ["web"]);
    assert.deepEqual(
      (await searchJson(lab, "alice", ["\\\\LAB1"], env)).map((s) => s.name),
      ["crash"],
    );
    assert.deepEqual(
      (await searchJson(lab, "alice", ["198.18.0.2"], env)).map((s) => s.name),
      ["web"],
    );
    assert.match(
      await search(lab, "alice", ["nowhere"], env),
      /no dbgremote server on nowhere answered within 2 s\n {2}\(2 elsewhere did: crash on lab1, web on lab2\)/,
    );

    // On the server's own machine: its pipe too; the all-hidden server still never.
    const atLab1 = await searchJson(lab, "lab1", [], env);
    const mine = atLab1.find((s) => s.name === "crash")!;
    assert.equal(mine.local, true);
    assert.deepEqual(mine.endpoints, [
      `npipe:pipe=crash-${mine.pid}`,
      "tcp:server=lab1,port=5007,password_env=LAB_PW",
    ]);
    assert.deepEqual(
      (await searchJson(lab, "lab2", [], env)).map((s) => [s.name, s.local]),
      [["crash", false], ["web", true]],
    );

    // Stopped gracefully (q) while a search runs: its goodbye removes it from that very search.
    const spanning = lab.spawn("alice", ["search", "--timeout", "5", "--json"], { env });
    await new Promise((r) => setTimeout(r, 1500));
    client.send("q");
    assert.equal((await crash.wait()).code, 0);
    assert.equal((await spanning.wait(30_000)).code, 0);
    assert.deepEqual(JSON.parse(spanning.stdout).map((s: Found) => s.name), ["web"]);

    // Killed (no goodbye): the next search does not list it.
    web.child.kill("SIGKILL");
    await web.exited;
    assert.deepEqual(await searchJson(lab, "alice", [], env), []);
    assert.match(await search(lab, "alice", [], env), /no dbgremote server answered within 2 s/);
  },
});
