/** A child's stdout through a pipe made here (as under Bun) or its own stream: the same text. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { type ChildOutput, pipeOutput, streamOutput } from "../../src/engine/child_output.ts";
import { type DenoFfi, denoLibc } from "../../src/libc_ffi.ts";

const libc = denoLibc(Deno as unknown as DenoFfi);
const F_GETFD = 1;
const F_GETFL = 3;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000;

/** A reader of a file descriptor for the test (Bun's file reader stands here under Deno). */
async function* pollingReader(fd: number): AsyncIterable<Uint8Array> {
  libc.fcntl(fd, F_SETFL, libc.fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
  const buf = new Uint8Array(4096);
  for (let idle = 0; idle < 1000;) {
    const n = libc.read(fd, buf);
    if (n === 0) return; // every writer is gone
    if (n > 0) {
      idle = 0;
      yield buf.slice(0, n);
    } else {
      idle++;
      await sleep(5);
    }
  }
  throw new Error("the pipe never ended");
}

/** What `script` writes to its stdout, through `output`. */
async function through(output: ChildOutput, command = "sh", script = "") {
  const child = spawn(command, ["-c", script], { stdio: ["ignore", output.stdio, "ignore"] });
  child.on("error", () => {});
  let text = "";
  await output.read(child, (t) => (text += t));
  return text;
}

// A character cut in two by the writes, a pause, more lines: what gdb's MI output looks like.
const SCRIPT = `printf 'caf\\303'; sleep 0.05; printf '\\251\\n'; i=0; ` +
  `while [ $i -lt 200 ]; do echo "~\\"line $i\\""; i=$((i+1)); done`;
const EXPECTED = "café\n" + Array.from({ length: 200 }, (_, i) => `~"line ${i}"\n`).join("");

Deno.test("child output: through a pipe made here, the same text as the child's own stream; both ends closed after", async () => {
  const piped = pipeOutput(libc, pollingReader)!;
  assert.equal(typeof piped.stdio, "number");
  const writeEnd = piped.stdio as number;
  assert.equal(await through(piped, "sh", SCRIPT), EXPECTED);
  assert.equal(libc.fcntl(writeEnd, F_GETFD, 0), -1, "this side's write end is closed");
  assert.equal(await through(streamOutput(), "sh", SCRIPT), EXPECTED);
});

Deno.test("child output: a child that never started ends its output at once", async () => {
  const piped = pipeOutput(libc, pollingReader)!;
  assert.equal(await through(piped, "/nonexistent/dbgremote-no-such-program"), "");
});
