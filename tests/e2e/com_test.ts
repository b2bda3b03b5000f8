/** End-to-end on the compiled binary over a serial line: a socat pty pair as the null-modem cable. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { buildSample, Proc, requireBinary, scratch } from "./harness.ts";

Deno.test("e2e: a session over a serial line (com:), and the next client on the same line", async () => {
  requireBinary();
  await using tmp = scratch();
  const program = buildSample(tmp.dir);
  const a = path.join(tmp.dir, "ttyA");
  const b = path.join(tmp.dir, "ttyB");
  const socat = spawn("socat", [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: "ignore",
  });
  socat.on("error", () => {});
  try {
    for (let i = 0; i < 100 && !(fs.existsSync(a) && fs.existsSync(b)); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(fs.existsSync(b), "socat (apt-get install socat) made a pty pair");
    await using server = new Proc("server", [
      "server",
      "--noio",
      `com:port=${a},baud=115200`,
      "--",
      "gdb",
      program,
    ], tmp.env);
    await server.waitFor(`listening on com:port=${a},baud=115200`);
    await using alice = new Proc("alice", [
      "client",
      "--user",
      "alice",
      `com:port=${b},baud=115200`,
    ], tmp.env);
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
    await using bob = new Proc("bob", ["client", "--user", "bob", `com:port=${b}`], tmp.env);
    await bob.waitFor("*** connected", { timeoutMs: 20_000 });
    assert.match(bob.stdout, /alice@\S+> bt/);
    bob.send("q");
    assert.equal((await server.wait()).code, 0);
  } finally {
    socat.kill();
  }
});
