/** End-to-end on the compiled binary: bad input gets one clear message and a fitting exit code. */
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { step, withScratch } from "./harness.ts";

Deno.test("e2e: a port in use is named, with a fix", async () => {
  await using tmp = withScratch();
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const s = tmp.startServer("/bin/true", { endpoints: [`tcp:port=${port},server=127.0.0.1`] });
    assert.equal((await s.wait()).code, 1);
    assert.match(
      s.stderr,
      new RegExp(`E_ADDR_IN_USE.*tcp port ${port} on 127\\.0\\.0\\.1 is already in use`),
    );
    assert.match(s.stderr, /hint: pick another port/);
  } finally {
    await new Promise((r) => blocker.close(r));
  }
});

Deno.test("e2e: a missing program is named, with a fix", async () => {
  await using tmp = withScratch();
  const s = tmp.startServer("./no-such-app", { endpoints: ["npipe:pipe=x"] });
  assert.equal((await s.wait()).code, 1);
  assert.match(s.stderr, /E_PROGRAM_MISSING/);
  assert.match(s.stderr, /no-such-app/);
});

Deno.test("e2e: gdb missing from PATH is named, with a fix", async () => {
  await using tmp = withScratch();
  const s = tmp.startServer("/bin/true", { endpoint: "npipe:pipe=x", env: { PATH: tmp.dir } });
  assert.equal((await s.wait()).code, 1);
  assert.match(s.stderr, /E_ENGINE_MISSING/);
  assert.match(s.stderr, /apt-get install gdb/);
});

Deno.test("e2e: a client with nothing to connect to says so", async () => {
  await using tmp = withScratch();
  const c = tmp.spawn("client", ["client", "npipe:pipe=nobody-home"]);
  assert.equal((await c.wait()).code, 1);
  assert.match(c.stderr, /E_CONNECT.*nobody-home/);
  assert.match(c.stderr, /hint: no server listens there/);
});

Deno.test("e2e: bad command lines are usage errors (exit 2)", async (t) => {
  await using tmp = withScratch();
  // One step a command line: a failing one does not hide the others.
  for (
    const [args, pattern] of [
      [["server", "tcp:port=5005,password_env=LAB_PW"], /no debugger given after --/],
      [
        ["server", "tcp:prot=5005", "--", "gdb", "x"],
        /unknown option "prot" for tcp.*\n.*did you mean "port"/,
      ],
      [["client", "tcp:server=lab1"], /tcp needs port=N to connect/],
      [["client", "udp:port=1"], /unknown transport "udp"/],
      [["server", "npipe:pipe=a", "--", "gdb", "a", "b"], /gdb takes one program.*\n.*--args/],
      [["frobnicate"], /unknown command "frobnicate"/],
    ] as const
  ) {
    await t.step(args.join(" "), async () => {
      const p = tmp.spawn(args.join(" "), [...args]);
      assert.equal((await p.wait()).code, 2, `${args.join(" ")}: ${p.stderr}`);
      assert.match(p.stderr, pattern);
    });
  }
});

Deno.test("e2e: check lists every problem with file:line:col and exits 2; plan and check pass a good lab", async (t) => {
  await using tmp = withScratch();
  await step(t, "a bad lab: every problem with file:line:col, exit 2", async () => {
    const bad = path.join(tmp.dir, "bad.toml");
    fs.writeFileSync(
      bad,
      [
        "[lab]",
        'name = "bad"',
        "",
        "[nodes.target]",
        'engine = { kind = "gdb", program = "./app" }',
        'listen = ["tcp:port=5005,password_env=LAB_PW"]',
        'connect = "other"',
        "",
        "[nodes.alice]",
        'conect = "target"',
        "",
      ].join("\n"),
    );
    const check = tmp.spawn("check", ["check", bad]);
    assert.equal((await check.wait()).code, 2);
    assert.match(check.stderr, new RegExp(`${bad.replaceAll(".", "\\.")}:\\d+:\\d+: .*never both`));
    assert.match(check.stderr, /did you mean .*connect/);
  });
  await step(t, "a good lab passes check and plan", async () => {
    const good = path.resolve(import.meta.dirname!, "../../topologies/crash-lab.toml");
    const ok = tmp.spawn("check", ["check", good]);
    assert.equal((await ok.wait()).code, 0, ok.stderr);
    assert.match(ok.stdout, /ok/);
    const plan = tmp.spawn("plan", ["plan", good]);
    assert.equal((await plan.wait()).code, 0, plan.stderr);
    assert.match(plan.stdout, /server/);
  });
});

Deno.test("e2e: secure by default: tcp on every interface without a password refuses to start", async (t) => {
  await using tmp = withScratch();
  await step(t, "no password: E_INSECURE, with a hint", async () => {
    const s = tmp.startServer("/bin/true", { endpoints: ["tcp:port=0"] });
    assert.equal((await s.wait()).code, 1);
    assert.match(
      s.stderr,
      /E_INSECURE.*tcp:port=0 would let anyone who reaches every interface control the debugger/,
    );
    assert.match(s.stderr, /hint: add password_env=VAR/);
  });
  await step(t, "a password variable that is not set: E_SECRET_MISSING", async () => {
    const unset = tmp.startServer("/bin/true", {
      endpoints: ["tcp:port=0,password_env=NOT_SET_PW"],
    });
    assert.equal((await unset.wait()).code, 1);
    assert.match(unset.stderr, /E_SECRET_MISSING.*\$NOT_SET_PW, which is not set/);
  });
});
