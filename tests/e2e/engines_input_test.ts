/**
 * End-to-end on the compiled binary: the lldb and Python engines' programs run on the server's
 * pty, so participants type to them (`.input`, `.eof`) as under gdb, and everyone sees the
 * program's words on its terminal.
 */
import fs from "node:fs";
import path from "node:path";
import assert from "node:assert/strict";
import { buildEcho, debugServer, endpointAddress, withScratch } from "./harness.ts";

/** Debian's python3-debugpy serves this interpreter (a pyenv python3 may come first on PATH). */
const PYTHON = "/usr/bin/python3";

Deno.test("e2e: an lldb program reads what participants type (.input, .eof) on its own terminal", async () => {
  await using tmp = withScratch();
  const program = buildEcho(tmp.dir);
  const srv = debugServer(tmp, "ll", ["lldb-19", program]);
  const tcp = await endpointAddress(srv, "tcp");
  const alice = tmp.spawn("alice", ["client", "--user", "alice", tcp]);
  const bob = tmp.spawn("bob", ["client", "--user", "bob", tcp]);
  await alice.waitFor("*** connected to ll");
  await bob.waitFor("*** connected to ll");
  alice.send("run 'first arg'");
  await bob.waitFor("echo: stdin is a terminal, 80x24, TERM=xterm-256color\n");
  await bob.waitFor("echo: 1 args: [first arg]\n");
  bob.send(".input hello there");
  await alice.waitFor("echo: line 1: [hello there]\n");
  alice.send(".eof");
  await bob.waitFor("echo: end of input after 1 lines\n");
  for (const c of [alice, bob]) await c.waitFor("-- program exited with code 41");
  alice.send("q");
  assert.equal((await srv.wait()).code, 0);
});

Deno.test("e2e: a Python script reads what participants type (.input, .eof) on its own terminal", async () => {
  await using tmp = withScratch();
  const script = path.join(tmp.dir, "echo.py");
  fs.copyFileSync(path.resolve(import.meta.dirname!, "../../samples/echo.py"), script);
  const srv = debugServer(tmp, "py", [PYTHON, "-m", "pdb", script, "a b"]);
  const tcp = await endpointAddress(srv, "tcp");
  const alice = tmp.spawn("alice", ["client", "--user", "alice", tcp]);
  const bob = tmp.spawn("bob", ["client", "--user", "bob", tcp]);
  await alice.waitFor("*** connected to py");
  await bob.waitFor("*** connected to py");
  alice.send("c");
  await bob.waitFor("echo: stdin is a terminal, 80x24, TERM=xterm-256color\n");
  await bob.waitFor("echo: 1 args: [a b]\n");
  bob.send(".input one");
  await alice.waitFor("echo: line 1: [one]\n");
  alice.send(".eof");
  await bob.waitFor("echo: end of input after 1 lines\n");
  for (const c of [alice, bob]) await c.waitFor("-- program exited with code 41");
  alice.send("q");
  assert.equal((await srv.wait()).code, 0);
});
