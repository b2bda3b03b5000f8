/** A child's stdin and stdout through pipes made here (as under Bun) or its own streams: the same. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type ChildInput,
  type ChildOutput,
  pipeInput,
  pipeOutput,
  spawnPiped,
  streamInput,
  streamOutput,
  streamPipes,
} from "../../src/engine/child_pipes.ts";
import { type DenoFfi, denoLibc, setNonBlocking } from "../../src/libc_ffi.ts";

const libc = denoLibc(Deno as unknown as DenoFfi);
const F_GETFD = 1;

/** A reader of a file descriptor for the test (Bun's file reader stands here under Deno). */
async function* pollingReader(fd: number): AsyncIterable<Uint8Array> {
  setNonBlocking(libc, fd);
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
  const utf8 = new TextDecoder();
  await output.read(child, (b) => (text += utf8.decode(b, { stream: true })));
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

/** `cat` given `chunks` through `input`, its answer read through `output`; then its input closed. */
async function catThrough(input: ChildInput, output: ChildOutput, chunks: string[]) {
  const child = spawn("cat", [], { stdio: [input.stdio, output.stdio, "ignore"] });
  const stdin = input.open(child);
  let text = "";
  const utf8 = new TextDecoder();
  const ended = output.read(child, (b) => (text += utf8.decode(b, { stream: true })));
  for (const c of chunks) stdin.write(c);
  // The end of input once all is through: cat then exits and its output ends.
  const total = chunks.join("").length;
  for (let i = 0; i < 2000 && text.length < total; i++) await sleep(5);
  stdin.close();
  await ended;
  return text;
}

Deno.test("child input: written in order through a pipe made here, more than the pipe holds at once; the same through the child's own stream", async () => {
  // 300 KB: more than a pipe's 64 KiB, so part of it waits here while cat catches up.
  const chunks = Array.from({ length: 300 }, (_, i) => `${i} ${"é".repeat(300)}\n`);
  const want = chunks.join("");
  assert.equal(await catThrough(pipeInput(libc)!, pipeOutput(libc, pollingReader)!, chunks), want);
  assert.equal(await catThrough(streamInput(), streamOutput(), chunks), want);
});

Deno.test("child input: writes after close, or to a child that is gone, are dropped without an error", async () => {
  const input = pipeInput(libc)!;
  const child = spawn("true", [], { stdio: [input.stdio, "ignore", "ignore"] });
  const stdin = input.open(child);
  await new Promise((r) => child.on("close", r));
  stdin.write("to nobody\n"); // no reader: EPIPE, kept and tried again until closed
  stdin.close();
  stdin.write("after close\n");
});

Deno.test("spawnPiped: the close is told after every byte the child wrote, with its code; its stdin is closed then", async () => {
  for (
    const pipes of [
      { input: pipeInput(libc)!, output: pipeOutput(libc, pollingReader)! },
      streamPipes(),
    ]
  ) {
    let text = "";
    const utf8 = new TextDecoder();
    const { stdin, closed } = spawnPiped(
      "sh",
      ["-c", SCRIPT + "; exit 3"],
      { cwd: ".", env: { PATH: Deno.env.get("PATH") } },
      pipes,
      (b) => (text += utf8.decode(b, { stream: true })),
    );
    assert.deepEqual(await closed, { code: 3, signal: null });
    assert.equal(text, EXPECTED, "all of it, before the close");
    stdin.write("after the end\n"); // closed already: dropped, no error
  }
});
