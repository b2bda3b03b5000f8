/** End-to-end on the compiled binary over a serial line: a socat pty pair as the null-modem cable. */
import assert from "node:assert/strict";
import { buildSample, serialCable, withScratch } from "./harness.ts";

Deno.test("e2e: a session over a serial line (com:), and the next client on the same line", async () => {
  await using tmp = withScratch();
  const program = buildSample(tmp.dir);
  const { tty: a, other: b } = await serialCable(tmp);
  const server = tmp.startServer(program, { endpoint: `com:port=${a},baud=115200` });
  await server.waitFor(`listening on com:port=${a},baud=115200`);
  const alice = tmp.spawn("alice", ["client", "--user", "alice", `com:port=${b},baud=115200`]);
  await alice.waitFor("*** connected");
  alice.send("break add");
  alice.send("run");
  await alice.waitFor(/-- stopped at .* in add \(breakpoint-hit\)/);
  alice.send("bt");
  await alice.waitFor(/#1 .* main /);
  alice.send("info functions add");
  await alice.waitFor(/static int add\(int, int\);/);
  alice.send("\x02");
  assert.equal((await alice.wait()).code, 0);
  // The line is opened again: the next engineer plugs in and sees the same session.
  const bob = tmp.spawn("bob", ["client", "--user", "bob", `com:port=${b}`]);
  await bob.waitFor("*** connected", { timeoutMs: 20_000 });
  assert.match(bob.stdout, /alice@\S+> bt/);
  bob.send("q");
  assert.equal((await server.wait()).code, 0);
});
