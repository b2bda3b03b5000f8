/**
 * A swarm of light raw-protocol observers, run as its own process by the bench so that what is
 * measured is the server's cost, not the harness's: N sockets to a tcp endpoint, each says
 * hello as an observer (answering a loopback token's challenge with a key derived once), and
 * then only counts frames: a frame's JSON is parsed only when it is a `done` or before the
 * welcome (the rest, the welcome too, are skipped by their length header).
 *
 *   bun bench/swarm.ts HOST PORT COUNT [TOKEN]
 *
 * Prints JSON lines: {"joined": ms, "cpu": s} once all are welcomed (with its own CPU time), then {"done": seq, "at": epoch ms}
 * when the last of them has received the `done` of command `seq`. Ends on stdin's end.
 */
import net from "node:net";
import process from "node:process";
import { deriveKey, proof } from "../src/protocol/auth.ts";
import { encodeFrame } from "../src/protocol/frame.ts";
import { CURRENT } from "../src/version.ts";

const [host, port, countText, token] = process.argv.slice(2);
const count = Number(countText);
const loopback = host.startsWith("127.");
const now = () => performance.timeOrigin + performance.now();
const say = (m: unknown) => process.stdout.write(JSON.stringify(m) + "\n");
const DONE = new TextEncoder().encode('{"t":"done"');
const WELCOME = new TextEncoder().encode('{"t":"welcome"');
const utf8 = new TextDecoder();
/** The token's key, derived once (every observer gets the same salt). */
const keys = new Map<string, Uint8Array>();
/** How many observers got the done of each seq. */
const dones = new Map<number, number>();
const sockets: net.Socket[] = [];

function startsWith(buf: Uint8Array, at: number, prefix: Uint8Array): boolean {
  if (buf.length - at < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[at + i] !== prefix[i]) return false;
  return true;
}

function observer(i: number): Promise<void> {
  return new Promise((welcomed, failed) => {
    // To a loopback server, from one of 16 loopback addresses, as a room's people come from
    // many machines (the server lets 8 connections per address, 64 in all, be in their
    // handshake at once); to a network address, from this machine's.
    const localAddress = loopback ? `127.0.0.${2 + (i % 16)}` : undefined;
    const socket = net.connect({ host, port: Number(port), noDelay: true, localAddress });
    sockets.push(socket);
    let buffer = new Uint8Array(0);
    let joined = false;
    socket.on("error", failed);
    socket.on("connect", () => {
      socket.write(encodeFrame({
        t: "hello",
        protocol: CURRENT.protocol,
        release: CURRENT.release,
        who: { user: `watcher${i}`, host: "bench", tool: "bench-swarm" },
        observe: true,
      }));
    });
    const onFrame = (body: Uint8Array) => {
      if (joined) {
        if (!startsWith(body, 0, DONE)) return;
        const seq = JSON.parse(utf8.decode(body)).seq as number;
        const n = (dones.get(seq) ?? 0) + 1;
        dones.set(seq, n);
        if (n === count) {
          dones.delete(seq);
          say({ done: seq, at: now() });
        }
        return;
      }
      // A welcome lists every participant: in a full room, parsing them all would cost the
      // swarm more than the server spends sending them (it is known by its first bytes).
      if (startsWith(body, 0, WELCOME)) {
        joined = true;
        return welcomed();
      }
      const m = JSON.parse(utf8.decode(body));
      if (m.t === "challenge") {
        const id = `${m.salt}/${m.iterations}`;
        if (!keys.has(id)) keys.set(id, deriveKey(token ?? "", m.salt, m.iterations));
        const nonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
        socket.write(encodeFrame({
          t: "auth",
          nonce,
          proof: proof(keys.get(id)!, "client", m.nonce, nonce),
        }));
      } else {
        failed(new Error(`watcher${i}: ${JSON.stringify(m).slice(0, 300)}`));
      }
    };
    socket.on("data", (chunk: Uint8Array) => {
      const all = buffer.length ? new Uint8Array(buffer.length + chunk.length) : chunk;
      if (buffer.length) {
        all.set(buffer);
        all.set(chunk, buffer.length);
      }
      let at = 0;
      while (all.length - at >= 4) {
        const length = new DataView(all.buffer, all.byteOffset + at, 4).getUint32(0);
        if (all.length - at - 4 < length) break;
        onFrame(all.subarray(at + 4, at + 4 + length));
        at += 4 + length;
      }
      buffer = at === all.length ? new Uint8Array(0) : all.slice(at);
    });
  });
}

const t0 = now();
let next = 0;
const worker = async () => {
  while (next < count) await observer(next++);
};
// Joins in flight at once: below the server's cap on handshakes (prelogin_gate.ts).
await Promise.all(Array.from({ length: Math.min(count, loopback ? 48 : 8) }, worker));
const cpu = process.cpuUsage();
say({ joined: now() - t0, cpu: (cpu.user + cpu.system) / 1e6 });
process.stdin.resume();
process.stdin.on("end", () => {
  for (const s of sockets) s.destroy();
  process.exit(0);
});
