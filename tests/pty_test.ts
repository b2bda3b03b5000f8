/** The program's terminal (src/pty.ts) through this runtime's libc bindings (src/platform.ts). */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { openPty } from "../src/platform.ts";
import { indexOf, partialSuffix } from "../src/pty.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

Deno.test("pty: a program on it is on a terminal of the size given, reads what is typed, and its output comes out as written", async () => {
  const pty = await openPty({ cols: 100, rows: 30 });
  let out = "";
  const decoder = new TextDecoder();
  pty.onData((c) => (out += decoder.decode(c, { stream: true })));
  try {
    const child = spawn("sh", [
      "-c",
      `exec <"$0" >"$0" 2>&1; [ -t 0 ] && echo tty; stty size; read a; read b; echo "got:$a:$b"; cat`,
      pty.path,
    ], { stdio: "ignore" });
    const closed = new Promise((r) => child.on("close", r));
    // Typed before the program reads: kept, in order; echo is off (nothing comes back).
    pty.write(bytes("first\n"));
    pty.write(bytes("second\n"));
    pty.write(bytes("third line\n\x04")); // cat echoes it, then Ctrl+D ends its input
    await closed;
    await pty.drain(); // everything the program wrote is out before this resolves
    assert.equal(out, "tty\n30 100\ngot:first:second\nthird line\n");
  } finally {
    await pty.close();
  }
});

Deno.test("pty: drain() waits for output still in the terminal, and leaves no marker in it", async () => {
  const pty = await openPty({ cols: 80, rows: 24 });
  let out = 0;
  pty.onData((c) => (out += c.length));
  try {
    const child = spawn(
      "sh",
      ["-c", `exec >"$0"; head -c 300000 /dev/zero | tr '\\0' x`, pty.path],
      {
        stdio: "ignore",
      },
    );
    await new Promise((r) => child.on("close", r));
    await pty.drain();
    assert.equal(out, 300000);
  } finally {
    await pty.close();
  }
});

Deno.test("pty: indexOf and partialSuffix find a marker whole or cut at the end", () => {
  const m = bytes("\0mark\0");
  assert.equal(indexOf(bytes("ab\0mark\0cd"), m), 2);
  assert.equal(indexOf(bytes("ab\0mar"), m), -1);
  assert.equal(partialSuffix(bytes("ab\0mar"), m), 4);
  assert.equal(partialSuffix(bytes("ab"), m), 0);
  assert.equal(partialSuffix(bytes("x\0"), m), 1);
});
