/**
 * End-to-end on the compiled binary: output of any size. A single 5 MB line
 * from the debugger and 20 MB written by the program reach three clients
 * whole and identical, while a fourth that stopped reading (SIGSTOP) is
 * dropped alone, and told why once it reads again.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { withServer } from "./harness.ts";

const INTS = 700_000; // `print big`: {0, 1, ..., 699999}, about 5.5 MB on one line
const LINES = 200_000; // the program's output: 200,000 lines of 100 bytes, 20 MB
const FLOOD = `
#include <stdio.h>
#include <string.h>
int big[${INTS}];
void stop_here(void) {}
int main(int argc, char **argv) {
  for (int i = 0; i < ${INTS}; i++) big[i] = i;
  if (argc > 1) {
    char pad[91];
    memset(pad, 'f', 90);
    pad[90] = 0;
    for (long i = 0; i < ${LINES}; i++) printf("L%07ld %s\\n", i, pad);
    fflush(stdout);
  }
  stop_here();
  return 0;
}
`;

/** Where `text` holds `expected` but for a difference: the first one, with some context. */
function near(text: string, expected: string): string {
  const start = text.indexOf(expected.slice(0, 40));
  if (start < 0) return "its start is missing";
  let i = 0;
  while (i < expected.length && text[start + i] === expected[i]) i++;
  return `differs at ${i} of ${expected.length}: got ${
    JSON.stringify(text.slice(start + i - 40, start + i + 80))
  }, expected ${JSON.stringify(expected.slice(i - 40, i + 80))}`;
}

function buildFlood(dir: string): string {
  fs.writeFileSync(path.join(dir, "flood.c"), FLOOD);
  execFileSync("cc", ["-g", "-O0", "-o", path.join(dir, "flood"), path.join(dir, "flood.c")]);
  return path.join(dir, "flood");
}

/**
 * The program's output as a client showed it, from its first line to its last, without the
 * line ends (a pty ends them with \r\n) and without the session's notices: the console starts
 * a notice that comes in the middle of a line (dave's drop, under load) on a line of its own.
 */
function floodText(stdout: string): string {
  const from = stdout.indexOf("L0000000 ");
  const last = `L${String(LINES - 1).padStart(7, "0")} ${"f".repeat(90)}`;
  const to = stdout.indexOf(last, from);
  if (from < 0 || to < 0) return "";
  return stdout.slice(from, to + last.length).replace(/^\*\*\* .*\n/gm, "").replace(/\r?\n/g, "");
}

Deno.test("e2e: a 5 MB debugger line and 20 MB of program output reach every client whole; a stalled one is dropped alone and told why", async () => {
  await using session = await withServer({
    endpoints: ["tcp:port=0,server=127.0.0.1", "npipe:pipe=flood"],
    program: buildFlood,
    args: ["flood"],
  });
  const { server } = session;
  const alice = await session.join("alice");
  const bob = await session.join("bob");
  const carol = await session.join("carol");
  // Over a pipe: its small socket buffers make "not reading" show in the server's queue soon.
  const dave = await session.join("dave", {
    args: ["--reconnect"],
    address: await session.addressOf("npipe"),
  });
  await alice.waitFor(/dave@\S+ joined/);
  process.kill(dave.child.pid!, "SIGSTOP");

  for (
    const line of [
      "set print elements unlimited",
      "set print repeats unlimited",
      "set max-value-size unlimited",
      "break stop_here",
      "run",
    ]
  ) alice.send(line);
  // The server drops dave once 8 MiB wait for him; the others go on.
  await server.waitFor(/dropping npipe:\S*: not reading \(\d+ bytes queued\)/, {
    stream: "stderr",
    timeoutMs: 180_000,
  });
  process.kill(dave.child.pid!, "SIGCONT");
  // Reading again, dave gets what was queued, then why he was dropped; he does not come back.
  const daveExit = await dave.wait(120_000);
  assert.equal(daveExit.code, 1, dave.stderr);
  assert.match(dave.stdout, /\*\*\* disconnected by the server: not reading \(\d+ bytes queued\)/);
  assert.match(dave.stderr, /error\[E_SLOW_CLIENT\]/);
  assert.doesNotMatch(dave.stdout, /waiting for it to come back|went away/);

  alice.send("print big");
  alice.send("continue");
  alice.send("q");
  for (const p of [alice, bob, carol]) assert.equal((await p.wait(300_000)).code, 0, p.stderr);
  assert.equal((await server.wait(30_000)).code, 0, server.stderr);
  assert.doesNotMatch(server.stderr, /FrameError|E_FRAME_TOO_LARGE|not sent to/);

  const expectedFlood = Array.from(
    { length: LINES },
    (_, i) => `L${String(i).padStart(7, "0")} ${"f".repeat(90)}`,
  );
  const big = `$1 = {${Array.from({ length: INTS }, (_, i) => i).join(", ")}}\n`;
  const sessions: string[] = [];
  for (const p of [alice, bob, carol]) {
    const flood = floodText(p.stdout);
    assert.equal(flood.length, expectedFlood.join("").length, `${p.name} got every byte`);
    assert.ok(flood === expectedFlood.join(""), `${p.name}: every line of the program, in order`);
    const at = p.stdout.indexOf(big);
    assert.ok(at >= 0, `${p.name} got the 5 MB line whole, nothing added: ${near(p.stdout, big)}`);
    // The session from the program's first line to the end of the big line, byte for byte.
    const from = p.stdout.indexOf("L0000000 ");
    sessions.push(p.stdout.slice(from, at + big.length));
    assert.match(p.stdout, /\*\*\* dave@\S+ was disconnected: not reading/);
  }
  assert.equal(sessions[1], sessions[0], "bob saw exactly what alice saw");
  assert.equal(sessions[2], sessions[0], "carol saw exactly what alice saw");
});
