/**
 * End-to-end on the compiled binary: Ctrl+C from a client, hostile peers,
 * and gdb dying under a live session.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import net from "node:net";
import { step, within, withServer } from "./harness.ts";

function tcpPort(address: string): number {
  return Number(/port=(\d+)/.exec(address)![1]);
}

Deno.test("e2e: Ctrl+C in a client interrupts the running target for everyone", async () => {
  await using session = await withServer({ endpoint: "npipe:pipe=int", args: ["loop"] });
  const alice = await session.join("alice");
  const bob = await session.join("bob");
  alice.send("run");
  await bob.waitFor("demo: x is 50");
  // Without a terminal, Ctrl+C reaches the client as SIGINT: it interrupts, it does not kill the client.
  process.kill(bob.child.pid!, "SIGINT"); // (Deno's ChildProcess.kill also closes stdin)
  await alice.waitFor(/\*\*\* bob@\S+ interrupted the target/);
  await alice.waitFor(/-- stopped .*\(SIGINT\)/);
  bob.send("print 1+1");
  await alice.waitFor(/bob@\S+> print 1\+1\n\$1 = 2/);
  await session.quit(alice);
});

Deno.test("e2e: garbage, oversized frames and silent peers never disturb a working client", async (t) => {
  await using session = await withServer({ endpoint: "tcp:port=0,server=127.0.0.1" });
  const { server, address } = session;
  const alice = await session.join("alice");

  const attack = (bytes: Uint8Array) =>
    new Promise<string>((resolve) => {
      const s = net.connect(tcpPort(address), "127.0.0.1", () => s.write(bytes));
      let got = "";
      s.on("data", (d) => (got += d.toString("latin1")));
      s.on("close", () => resolve(got));
      s.on("error", () => {});
    });
  const frameOf = (text: string, length: number) =>
    new Uint8Array([0, 0, 0, length, ...new TextEncoder().encode(text).slice(0, length)]);
  const attacks: [string, Uint8Array, RegExp][] = [
    [
      "HTTP instead of frames",
      new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
      /E_FRAME_TOO_LARGE|E_FRAME_MALFORMED/,
    ],
    ["a frame header over the limit", new Uint8Array([0x7f, 0, 0, 0]), /E_FRAME_TOO_LARGE/],
    ["a frame that is not JSON", new Uint8Array([0, 0, 0, 2, 0x7b, 0x7b]), /E_FRAME_MALFORMED/],
    ["a cut command before any hello", frameOf('{"t":"cmd","id":1,"text":"q"}', 24), /E_/],
  ];
  // One step an attack: one the server mishandles does not hide what it does with the others.
  for (const [what, bytes, reply] of attacks) {
    await step(t, `${what}: an error code, then the server closes`, async () => {
      const got = await within(attack(bytes), 15_000, () => `${what}: never closed`);
      assert.match(got, reply);
    });
  }
  // Half a frame, then silence: the server closes it after the hello timeout; nothing leaks meanwhile.
  const s = net.connect(tcpPort(address), "127.0.0.1");
  s.on("error", () => {});
  await new Promise((r) => s.once("connect", r));
  s.write(new Uint8Array([0, 0, 0, 50, 0x7b]));

  alice.send("break main");
  alice.send("run");
  await alice.waitFor(/-- stopped at .* in main/);
  alice.send("print 40+2");
  await alice.waitFor(/\$1 = 42/);
  assert.doesNotMatch(alice.stdout, /joined/, "no hostile peer ever joined the session");
  assert.match(server.stderr, /closing tcp:127\.0\.0\.1:\d+: incoming frame of \d+ bytes is over/);
  s.destroy();
  await session.quit(alice);
});

Deno.test("e2e: gdb dying ends the session, and every client is told why", async () => {
  await using session = await withServer({ endpoint: "npipe:pipe=die" });
  const { server } = session;
  const alice = await session.join("alice");
  const gdbPid = execFileSync("pgrep", ["-P", String(server.child.pid), "gdb"]).toString().trim();
  process.kill(Number(gdbPid), "SIGKILL");
  await alice.waitFor(
    /\*\*\* session ended: the debugger \(gdb\) exited unexpectedly \(signal SIGKILL\)/,
  );
  assert.equal((await alice.wait()).code, 1, "the debugger died: a runtime failure");
  assert.equal((await server.wait()).code, 1);
});

Deno.test("e2e: the server's own terminal takes part in the session", async () => {
  await using session = await withServer({ endpoint: "npipe:pipe=own", name: "box", noio: false });
  const { server } = session;
  const alice = await session.join("alice");
  server.send("print 7*6");
  await alice.waitFor(/\S+@\S+> print 7\*6\n\$1 = 42/);
  alice.send("print 1");
  await server.waitFor(/alice@\S+> print 1\n\$2 = 1/);
  // The server's terminal cannot leave its own session: it is told how to end it instead.
  server.send(".remote_exit");
  await server.waitFor("this is the server's terminal: type q to end the session");
  server.send("q");
  assert.equal((await alice.wait()).code, 0);
  assert.equal((await server.wait()).code, 0);
});
