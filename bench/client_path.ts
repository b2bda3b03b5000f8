/**
 * The console client's own path from socket to screen, in-process and without the network:
 * the bytes of one `print x` round (echo, out, done) as the server writes them, decoded,
 * checked, rendered and handed to a terminal that keeps the text. What it prints per round is
 * the client's share of the user-seen round trip (the rest is the network, the server, gdb, and
 * the scheduler handing the three processes a core).
 *
 *   deno run -A bench/client_path.ts        (ROUNDS=100000 by default)
 */
import process from "node:process";
import { eventPrinter } from "../src/client/console.ts";
import { encodeFrame, FrameDecoder } from "../src/protocol/frame.ts";
import type { SessionEvent } from "../src/protocol/messages.ts";
import { parseServerMessage } from "../src/protocol/parse_server.ts";

const ROUNDS = Number(process.env.ROUNDS ?? 100_000);
const round: SessionEvent[] = [
  { t: "echo", from: "alice@laptop", client: 1, id: 7, seq: 7, text: "print x" },
  { t: "out", seq: 7, stream: "console", text: "$7 = 42\n" },
  { t: "done", client: 1, id: 7, seq: 7, ok: true },
];
// As the server's write batch joins them: usually echo in one chunk, out and done in the next.
const chunks = [
  encodeFrame(round[0]),
  new Uint8Array([...encodeFrame(round[1]), ...encodeFrame(round[2])]),
];

function time(name: string, once: () => void): void {
  for (let i = 0; i < 10_000; i++) once(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < ROUNDS; i++) once();
  const us = ((performance.now() - t0) * 1000) / ROUNDS;
  console.log(`${name.padEnd(44)} ${us.toFixed(2)} µs per round`);
}

const decoder = new FrameDecoder();
let screen = 0;
const print = eventPrinter((text) => (screen += text.length));
time("decode (FrameDecoder.push)", () => {
  for (const c of chunks) decoder.push(c);
});
time("decode + parse (parseServerMessage)", () => {
  for (const c of chunks) for (const m of decoder.push(c)) parseServerMessage(m);
});
time("decode + parse + render (eventPrinter)", () => {
  for (const c of chunks) {
    for (const m of decoder.push(c)) {
      const parsed = parseServerMessage(m);
      if (parsed.ok && parsed.msg.t !== "welcome" && parsed.msg.t !== "challenge") {
        print(parsed.msg as SessionEvent);
      }
    }
  }
});
console.log(`(${screen} characters rendered)`);
