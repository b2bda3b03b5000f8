/**
 * End-to-end on the compiled binary for the engines beyond gdb: an lldb server and a
 * Python (pdb) server, each with two console clients and a late joiner, a real session
 * (break, run, step, print, backtrace, Ctrl+C on a running loop, the exit code).
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { buildSample, debugServer, endpointAddress, withScratch } from "./harness.ts";

/** Debian's python3-debugpy serves this interpreter (a pyenv python3 may come first on PATH). */
const PYTHON = "/usr/bin/python3";

Deno.test("e2e: two clients share an lldb session: break, run, step, print, bt, exit code", async () => {
  await using tmp = withScratch();
  const program = buildSample(tmp.dir);
  const srv = debugServer(tmp, "ll", ["lldb-19", program]);
  await srv.waitFor(/\*\*\* server ll: lldb 19[\d.]* debugging .*demo/);
  const tcp = await endpointAddress(srv, "tcp");
  const alice = tmp.spawn("alice", ["client", "--user", "alice", tcp]);
  await alice.waitFor("*** connected to ll");
  const bob = tmp.spawn("bob", ["client", "--user", "bob", tcp]);
  await bob.waitFor("*** connected to ll");

  alice.send("breakpoint set --name add");
  await bob.waitFor(/alice@\S+> breakpoint set --name add\nBreakpoint 1: /);
  bob.send("run");
  await alice.waitFor(/-- stopped at .*demo\.c:\d+ in add \(breakpoint-hit\)/);
  alice.send("bt");
  await bob.waitFor(/frame #1: .*`main\(argc=1, /);
  bob.send("finish");
  await alice.waitFor(/-- stopped at .*demo\.c:\d+ in main/);
  alice.send("next");
  await bob.waitFor(/alice@\S+> next\n/);
  await bob.waitFor(/end-stepping-range/);
  bob.send("p x");
  await alice.waitFor(/bob@\S+> p x\n\(int\) 50\n/);

  // A late joiner gets the scrollback, then the live session.
  const carol = tmp.spawn("carol", ["client", "--user", "carol", tcp]);
  await carol.waitFor("*** recent output");
  await carol.waitFor("(int) 50");
  carol.send("continue");
  for (const c of [alice, bob, carol]) await c.waitFor("-- program exited with code 0");
  await bob.waitFor("demo: x is 50");
  alice.send("q");
  assert.equal((await srv.wait()).code, 0);
});

Deno.test("e2e: Ctrl+C interrupts a running lldb target for everyone", async () => {
  await using tmp = withScratch();
  const program = buildSample(tmp.dir);
  const srv = debugServer(tmp, "ll", ["lldb-19", "--", program, "loop"]);
  const tcp = await endpointAddress(srv, "tcp");
  const alice = tmp.spawn("alice", ["client", "--user", "alice", tcp]);
  const bob = tmp.spawn("bob", ["client", "--user", "bob", tcp]);
  await alice.waitFor("*** connected");
  await bob.waitFor("*** connected");
  alice.send("run");
  await bob.waitFor("demo: x is 50");
  process.kill(bob.child.pid!, "SIGINT");
  await alice.waitFor(/\*\*\* bob@\S+ interrupted the target/);
  await alice.waitFor(/-- stopped .*\(SIGINT\)/);
  bob.send("p 1+1");
  await alice.waitFor(/bob@\S+> p 1\+1\n\(int\) 2\n/);
  alice.send("q");
  assert.equal((await srv.wait()).code, 0);
});

Deno.test("e2e: two clients share a Python session with pdb's words; Ctrl+C stops a loop", async () => {
  await using tmp = withScratch();
  const script = path.join(tmp.dir, "demo.py");
  fs.copyFileSync(path.resolve(import.meta.dirname!, "../../samples/demo.py"), script);
  const srv = debugServer(tmp, "py", [PYTHON, "-m", "pdb", script, "loop"]);
  await srv.waitFor(/\*\*\* server py: Python 3[\d.]* \(debugpy .*\) debugging .*demo\.py loop/);
  const tcp = await endpointAddress(srv, "tcp");
  const alice = tmp.spawn("alice", ["client", "--user", "alice", tcp]);
  await alice.waitFor("*** connected to py");
  const bob = tmp.spawn("bob", ["client", "--user", "bob", tcp]);
  await bob.waitFor("*** connected to py");

  alice.send("b add");
  await bob.waitFor(/alice@\S+> b add\nBreakpoint 1 at .*demo\.py:\d+/);
  bob.send("c");
  await alice.waitFor(/-- stopped at .*demo\.py:\d+ in add \(breakpoint-hit\)/);
  alice.send("where");
  await bob.waitFor(/ {2}.*demo\.py\(\d+\)main\(\)\n-> x = add\(x, 8\)/);
  bob.send("n");
  await alice.waitFor(/end-stepping-range/);
  alice.send("p total * 2");
  await bob.waitFor(/alice@\S+> p total \* 2\n100\n/);
  bob.send("r");
  await alice.waitFor(/-- stopped at .*demo\.py:\d+ in main/);

  const carol = tmp.spawn("carol", ["client", "--user", "carol", tcp]);
  await carol.waitFor("*** recent output");
  await carol.waitFor("100");
  carol.send("c");
  await bob.waitFor("demo: x is 50");
  process.kill(carol.child.pid!, "SIGINT");
  await alice.waitFor(/\*\*\* carol@\S+ interrupted the target/);
  await alice.waitFor(/-- stopped .*\(SIGINT\)/);
  // restart: the script again from line 1 for everyone, its breakpoint kept.
  let from = carol.stdout.length;
  bob.send("restart");
  await alice.waitFor(/bob@\S+> restart\nRestarting .*demo\.py with arguments:\n\tloop\n/);
  await carol.waitFor(/-- stopped at .*demo\.py:1 in <module>/, { from });
  from = carol.stdout.length;
  alice.send("c");
  await carol.waitFor(/-- stopped at .*demo\.py:\d+ in add \(breakpoint-hit\)/, { from });
  // Python statements run in the stopped frame.
  bob.send("!import os; os._exit(3)");
  for (const c of [alice, bob, carol]) await c.waitFor("-- program exited with code 3");
  alice.send("q");
  assert.equal((await srv.wait()).code, 0);
});

Deno.test({
  name: "e2e web: the page's panel shows a Python stop (source and stack) and follows `u`",
  ignore: !fs.existsSync("/usr/bin/chromium"),
  async fn() {
    const { chromium } = await import("playwright-core");
    await using tmp = withScratch({ LAB_PW: "s3cret pass" });
    const script = path.join(tmp.dir, "demo.py");
    fs.copyFileSync(path.resolve(import.meta.dirname!, "../../samples/demo.py"), script);
    const srv = tmp.spawn("server", [
      "server",
      "--noio",
      "--name",
      "py",
      "http:port=0,server=127.0.0.1,password_env=LAB_PW",
      "--",
      PYTHON,
      "-m",
      "pdb",
      script,
    ]);
    const url =
      (await srv.waitFor(/listening on https?:\S*: open (https?:\/\/\S+) in a browser/))[1];
    const browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
      timeout: 30_000,
    });
    try {
      const page = await browser.newPage();
      page.setDefaultTimeout(15_000);
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(url);
      await page.fill("#name", "alice");
      await page.fill("#password", "s3cret pass");
      await page.click("#join");
      await page.locator("#transcript").getByText("*** connected to py").waitFor();
      for (const cmd of ["b add", "c"]) {
        await page.fill("#cmd", cmd);
        await page.press("#cmd", "Enter");
      }
      await page.locator("#state").getByText(/stopped at demo\.py:\d+/).waitFor();
      await page.locator("#stack li").first().getByText(/#0 {2}add .*demo\.py:\d+/).waitFor();
      await page.locator("#stack li").nth(1).getByText(/#1 {2}main .*demo\.py:\d+/).waitFor();
      await page.locator("#source li.here").getByText("LINE:in-add").waitFor();
      await page.fill("#cmd", "u");
      await page.press("#cmd", "Enter");
      await page.locator("#stack li.selected").getByText(/^#1 {2}main/).waitFor();
      await page.locator("#source li.here").getByText("LINE:call-add").waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  },
});

Deno.test("e2e: a Python script that does not exist is named; exit 1 as for any missing program", async () => {
  await using tmp = withScratch();
  const script = path.join(tmp.dir, "no-such-script.py");
  const srv = debugServer(tmp, "py", [PYTHON, "-m", "pdb", script]);
  assert.equal((await srv.wait()).code, 1, srv.stderr);
  assert.match(srv.stderr, /E_PROGRAM_MISSING/);
  assert.match(srv.stderr, new RegExp(`${script.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  assert.match(srv.stderr, /hint: check the path/);
});
