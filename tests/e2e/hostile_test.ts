/**
 * Hostile input against the compiled server: random bytes, truncated and
 * oversized frames, slow-loris partial frames, and a thousand connects that
 * never finish the handshake, while a legitimate client works. Afterwards the
 * client has lost nothing, no unauthenticated peer saw session output, and
 * the server's memory stayed bounded.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import {
  buildSample,
  endpointAddress,
  Proc,
  requireBinary,
  scratch,
  serverProc,
} from "./harness.ts";

function rssKiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]);
}

/** Connect, send `bytes` (maybe in pieces), collect what comes back until close or `holdMs`. */
function attack(port: number, bytes: Uint8Array, holdMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    let got = "";
    const s = net.connect(port, "127.0.0.1", () => s.write(bytes));
    const done = () => {
      clearTimeout(t);
      s.destroy();
      resolve(got);
    };
    const t = setTimeout(done, holdMs);
    s.on("data", (d) => (got += d.toString("latin1")));
    s.on("close", done);
    s.on("error", () => {});
  });
}

function frame(obj: unknown): Uint8Array {
  const body = new TextEncoder().encode(JSON.stringify(obj));
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
}

Deno.test("e2e: hostile peers never reach the session, never stall it, and memory stays bounded", async () => {
  requireBinary();
  await using tmp = scratch();
  const program = buildSample(tmp.dir);
  const env = { ...tmp.env, LAB_PW: "s3cret" };
  await using server = serverProc(
    tmp,
    program,
    ["tcp:port=0,server=127.0.0.1,password_env=LAB_PW"],
    { env },
  );
  const address = await endpointAddress(server, "tcp");
  const port = Number(/port=(\d+)/.exec(address)![1]);
  await using alice = new Proc("alice", ["client", "--user", "alice", address], env);
  await alice.waitFor("*** connected");
  const rssBefore = rssKiB(server.child.pid!);

  const counts = {
    random: 0,
    truncated: 0,
    oversized: 0,
    slowLoris: 0,
    silent: 0,
    wrongPassword: 0,
  };
  const replies: string[] = [];
  const hello = frame({
    t: "hello",
    protocol: "1.0",
    release: "0.1.0",
    who: { user: "eve", host: "x", tool: "t" },
  });

  // A thousand connects that never complete the handshake, held open together.
  const silent: net.Socket[] = [];
  for (let i = 0; i < 1000; i++) {
    const s = net.connect(port, "127.0.0.1");
    s.on("error", () => {});
    s.on("data", (d) => replies.push(d.toString("latin1")));
    silent.push(s);
    counts.silent++;
  }
  const attacks: Promise<string>[] = [];
  for (let i = 0; i < 100; i++) {
    attacks.push(attack(port, crypto.getRandomValues(new Uint8Array(1 + (i * 37) % 4000))));
    counts.random++;
  }
  for (let i = 0; i < 50; i++) {
    attacks.push(attack(port, hello.subarray(0, 1 + (i % (hello.length - 1))), 500));
    counts.truncated++;
  }
  for (let i = 0; i < 50; i++) {
    attacks.push(attack(port, new Uint8Array([0x7f + (i % 128), 0xff, 0xff, 0xff])));
    counts.oversized++;
  }
  for (let i = 0; i < 20; i++) {
    // Slow loris: a frame header promising 100 bytes, then one byte at a time, never finishing.
    attacks.push(
      new Promise((resolve) => {
        const s = net.connect(port, "127.0.0.1");
        let got = "";
        s.on("data", (d) => (got += d.toString("latin1")));
        s.on("error", () => {});
        s.write(new Uint8Array([0, 0, 0, 100]));
        let n = 0;
        const drip = setInterval(() => (n++ < 10 ? s.write("{") : undefined), 50);
        setTimeout(() => {
          clearInterval(drip);
          s.destroy();
          resolve(got);
        }, 1500);
      }),
    );
    counts.slowLoris++;
  }
  for (let i = 0; i < 3; i++) {
    // A hello, then a made-up answer to the challenge.
    attacks.push(
      attack(
        port,
        new Uint8Array([...hello, ...frame({ t: "auth", nonce: "eA==", proof: "eA==" })]),
        3000,
      ),
    );
    counts.wrongPassword++;
  }

  // Meanwhile the legitimate client works.
  alice.send("break main");
  alice.send("run");
  for (let i = 1; i <= 20; i++) alice.send(`print ${i}*2`);
  await alice.waitFor(/alice@\S+> print 20\*2\n\$\d+ = 40/, { timeoutMs: 30_000 });

  replies.push(...await Promise.all(attacks));
  const rssDuring = rssKiB(server.child.pid!);
  silent.forEach((s) => s.destroy());

  // Nothing was lost: every command and its answer, in order.
  for (let i = 1; i <= 20; i++) {
    assert.match(alice.stdout, new RegExp(`> print ${i}\\*2\\n\\$\\d+ = ${i * 2}\\n`));
  }
  assert.match(alice.stdout, /-- stopped at .* in main/);
  // No unauthenticated peer ever saw a byte of the session.
  const leaked = replies.filter((r) => /"t":"(welcome|echo|out|state|done)"|print \d+\*2/.test(r));
  assert.equal(leaked.length, 0, `session output leaked to ${leaked.length} peers`);
  assert.doesNotMatch(alice.stdout, /joined/);
  // Memory stayed bounded.
  const grownMiB = (rssDuring - rssBefore) / 1024;
  console.log(
    `hostile peers: ${JSON.stringify(counts)}; server RSS ${
      (rssBefore / 1024).toFixed(1)
    } MiB before, ` +
      `${(rssDuring / 1024).toFixed(1)} MiB under attack (+${grownMiB.toFixed(1)} MiB)`,
  );
  assert.ok(grownMiB < 128, `server memory grew by ${grownMiB.toFixed(1)} MiB`);
  // The silent thousand fill their address's share of handshakes: the other strangers are turned
  // away at once, or (given a free place) refused for their wrong password.
  assert.match(
    server.stderr,
    /wrong password from eve@x|turned away tcp:127\.0\.0\.1:\d+: too many connections still logging in/,
  );

  alice.send("q");
  assert.equal((await server.wait(20_000)).code, 0);
});
