import assert from "node:assert/strict";
import { servePeer } from "../../src/session/peer.ts";
import { memoryPair } from "../../src/transport/memory.ts";
import { ProtocolError } from "../../src/errors.ts";
import { doneOf, lab, stalledClient, V, whileRunning } from "./lab.ts";

Deno.test("every client sees every command with its issuer, and all output, in order", async () => {
  const l = lab();
  const a = await l.join("alice");
  const b = await l.join("bob");
  a.conn.command("print 1");
  await a.until((e) => e.t === "echo");
  b.conn.command("print 2");
  await a.until((e) => e.t === "echo" && e.text === "print 2");
  a.conn.command("nosuch");
  for (const c of [a, b]) await c.until(doneOf(3));
  const expected = [
    "alice@h> print 1",
    "$1 = 1",
    "done",
    "bob@h> print 2",
    "$1 = 2",
    "done",
    "alice@h> nosuch",
    'Undefined command: "nosuch".',
    "done",
  ];
  assert.deepEqual(a.transcript(), expected);
  assert.deepEqual(b.transcript(), expected);
  assert.deepEqual(l.engine.executed, ["print 1", "print 2", "nosuch"]);
  const failed = a.events.find(doneOf(3));
  assert.equal(failed?.t === "done" && failed.ok, false);
  await l.session.end("test over");
});

Deno.test("commands run one at a time: a second waits for the running one", async () => {
  const l = lab();
  const a = await l.join("alice");
  l.engine.hold();
  a.conn.command("continue");
  const print = a.conn.command("print 9");
  await a.until((e) => e.t === "state" && e.state === "running");
  // A barrier: `.input` is answered ahead of the queue, and a command that starts is echoed at
  // once, so had print 9 started, its echo would have come before this answer.
  const barrier = a.conn.command(".input barrier");
  await a.until((e) => e.t === "done" && e.id === barrier);
  assert.ok(!a.events.some((e) => e.t === "echo" && e.id === print), "print 9 did not start");
  assert.deepEqual(l.engine.executed, ["continue"], "print must wait for continue");
  l.engine.release();
  await a.until((e) => e.t === "done" && e.id === print);
  assert.deepEqual(l.engine.executed, ["continue", "print 9"]);
  await l.session.end("test over");
});

Deno.test("interrupt goes ahead of the queue and is announced", async () => {
  const l = lab();
  const a = await l.join("alice");
  const b = await l.join("bob");
  await whileRunning(l, a, b);
  b.conn.interrupt();
  await a.until(doneOf(1));
  assert.ok(a.events.some((e) => e.t === "notice" && e.text === "bob@h interrupted the target"));
  await l.session.end("test over");
});

Deno.test("joins and leaves are announced; a late joiner gets scrollback first", async () => {
  const l = lab();
  const a = await l.join("alice");
  a.conn.command("print 42");
  await a.until(doneOf(1));
  const late = await l.join("carol");
  const sb = late.conn.welcome.scrollback;
  assert.ok(sb.some((e) => e.t === "echo" && e.text === "print 42"));
  assert.ok(sb.some((e) => e.t === "out" && e.text === "$1 = 42\n"));
  assert.deepEqual(late.conn.welcome.clients.map((c) => c.who.user), ["alice", "carol"]);
  assert.equal(late.conn.welcome.clients[1].id, late.conn.welcome.you);
  await a.until((e) =>
    e.t === "notice" && e.kind === "join" && e.text.startsWith("carol@h joined")
  );
  late.conn.leave();
  await a.until((e) => e.t === "notice" && e.kind === "leave" && e.text === "carol@h left");
  await l.session.end("test over");
});

Deno.test("scrollback is bounded", async () => {
  const l = lab({ scrollback: 5 });
  const a = await l.join("alice");
  for (let i = 0; i < 10; i++) a.conn.command(`print ${i}`);
  await a.until(doneOf(10));
  const late = await l.join("dave");
  assert.equal(late.conn.welcome.scrollback.length, 5);
  const last = late.conn.welcome.scrollback.at(-1);
  assert.equal(last?.t === "done" && last.seq, 10);
  await l.session.end("test over");
});

Deno.test("q ends the session for everyone", async () => {
  const l = lab();
  const a = await l.join("alice");
  const b = await l.join("bob");
  a.conn.command("q");
  const end = await b.until((e) => e.t === "end");
  assert.equal(end.t === "end" && end.reason, "alice@h ended the session (q)");
  // Clients must not wait for a server a user ended on purpose.
  assert.equal(end.t === "end" && end.cause, "quit");
  await Promise.all([a.conn.closed, b.conn.closed]);
  assert.equal(l.session.ended, true);
});

Deno.test("the engine dying ends the session with a reason", async () => {
  const l = lab();
  const a = await l.join("alice");
  l.engine.die();
  const end = await a.until((e) => e.t === "end");
  assert.match(end.t === "end" ? end.reason : "", /exited unexpectedly \(signal SIGKILL\)/);
  assert.equal(end.t === "end" && end.cause, "engine");
  await a.conn.closed;
});

Deno.test(".clients lists everyone; .echo speaks to all; unknown meta-commands fail", async () => {
  const l = lab();
  const a = await l.join("alice");
  const b = await l.join("bob");
  a.conn.command(".clients");
  a.conn.command(".echo hello all");
  a.conn.command(".bogus");
  await b.until(doneOf(3));
  const text = b.events.filter((e) => e.t === "out").map((e) => e.t === "out" ? e.text : "").join(
    "",
  );
  assert.match(text, /alice@h/);
  assert.match(text, /bob@h/);
  assert.match(text, /hello all\n/);
  assert.match(text, /unknown meta-command \.bogus/);
  assert.deepEqual(l.engine.executed, [], "meta-commands never reach the engine");
  await l.session.end("test over");
});

Deno.test("a protocol mismatch is refused with both versions named", async () => {
  const l = lab();
  await assert.rejects(
    l.join("old", { version: { protocol: "2.0", release: "9.9.9" } }),
    (err: unknown) => {
      assert.ok(err instanceof ProtocolError);
      assert.equal(err.code, "E_PROTOCOL_MISMATCH");
      assert.match(err.message, /1\.1/);
      assert.match(err.message, /2\.0/);
      return true;
    },
  );
  assert.match(l.logs.join("\n"), /refused .*protocol mismatch/);
  assert.equal(l.session.clients().length, 0);
  await l.session.end("test over");
});

Deno.test("a different release connects with a warning on both sides", async () => {
  const l = lab();
  const c = await l.join("new", { version: { protocol: "1.3", release: "0.2.0" } });
  assert.match(c.conn.welcome.warning ?? "", /release mismatch.*0\.2\.0.*0\.1\.0/);
  assert.match(l.logs.join("\n"), /new@h: release mismatch.*0\.1\.0.*0\.2\.0/);
  await l.session.end("test over");
});

Deno.test("a malformed frame closes that peer only; the others go on", async () => {
  const l = lab();
  const a = await l.join("alice");
  const [server, evil] = memoryPair("mem:evil", "mem:server");
  servePeer(l.session, server, { version: V, helloTimeoutMs: 1000, log: (x) => l.logs.push(x) });
  const got: Uint8Array[] = [];
  const closed = new Promise<void>((resolve) =>
    evil.start({ data: (c) => got.push(c), close: () => resolve() })
  );
  evil.write(new Uint8Array([0, 0, 0, 3, 0x7b, 0x7b, 0x7b])); // "{{{"
  await closed;
  const reply = new TextDecoder().decode(
    got.reduce((x, y) => new Uint8Array([...x, ...y]), new Uint8Array()),
  );
  assert.match(reply, /E_FRAME_MALFORMED/);
  a.conn.command("print 5");
  await a.until(doneOf(1));
  await l.session.end("test over");
});

Deno.test("an oversized frame closes that peer with E_FRAME_TOO_LARGE", async () => {
  const l = lab();
  const [server, evil] = memoryPair("mem:evil", "mem:server");
  servePeer(l.session, server, { version: V, maxFrame: 1024, helloTimeoutMs: 1000 });
  const got: Uint8Array[] = [];
  const closed = new Promise<void>((resolve) =>
    evil.start({ data: (c) => got.push(c), close: () => resolve() })
  );
  evil.write(new Uint8Array([0x7f, 0xff, 0xff, 0xff]));
  await closed;
  assert.match(new TextDecoder().decode(got[0]), /E_FRAME_TOO_LARGE/);
  await l.session.end("test over");
});

Deno.test("a peer that never says hello is closed after the timeout: quietly if it never spoke", async () => {
  const l = lab();
  const [server, mute] = memoryPair("mem:mute", "mem:server");
  servePeer(l.session, server, { version: V, helloTimeoutMs: 50 });
  const got: Uint8Array[] = [];
  await new Promise<void>((resolve) =>
    mute.start({ data: (c) => got.push(c), close: () => resolve() })
  );
  assert.equal(got.length, 0, "a silent peer gets nothing, not even an error");

  const [server2, slow] = memoryPair("mem:slow", "mem:server");
  servePeer(l.session, server2, { version: V, helloTimeoutMs: 50 });
  const got2: Uint8Array[] = [];
  const closed = new Promise<void>((resolve) =>
    slow.start({ data: (c) => got2.push(c), close: () => resolve() })
  );
  slow.write(new Uint8Array([0, 0, 0, 40, 0x7b])); // half a frame, then nothing
  await closed;
  assert.match(new TextDecoder().decode(got2[0]), /no hello within 50 ms/);
  await l.session.end("test over");
});

Deno.test("a client that stops reading is dropped; the others see every event", async () => {
  const { l, a } = await stalledClient();
  const drop = await a.until((e) => e.t === "notice" && e.kind === "drop");
  assert.match(
    drop.t === "notice" ? drop.text : "",
    /^slow@h was disconnected: not reading \(\d+ bytes queued\)/,
  );
  const outs = a.events.filter((e) => e.t === "out" && e.text.length === 10001);
  assert.equal(outs.length, 20, "the reading client got all output");
  assert.deepEqual(l.session.clients().map((c) => c.who.user), ["alice"]);
  await l.session.end("test over");
});

Deno.test("a client that disconnects mid-command does not stop the command or the others", async () => {
  const l = lab();
  const a = await l.join("alice");
  const b = await l.join("bob");
  await whileRunning(l, a, b);
  a.conn.destroy();
  await b.until((e) => e.t === "notice" && e.kind === "leave" && e.text.startsWith("alice@h"));
  l.engine.release();
  const done = await b.until(doneOf(1));
  assert.equal(done.t === "done" && done.ok, true);
  b.conn.command("print 3");
  await b.until(doneOf(2));
  await l.session.end("test over");
});

Deno.test(".remote_exit sent as a command leaves quietly; the others are told", async () => {
  const l = lab();
  const a = await l.join("alice");
  const b = await l.join("bob");
  a.conn.command(".remote_exit");
  await a.conn.closed;
  await b.until((e) => e.t === "notice" && e.text === "alice@h left (.remote_exit)");
  assert.ok(!a.events.some((e) => e.t === "notice" && /disconnected by the server/.test(e.text)));
  assert.deepEqual(l.session.clients().map((c) => c.who.user), ["bob"]);
  await l.session.end("test over");
});

Deno.test("joins and leaves name the client; a late joiner learns where the target stopped", async () => {
  const l = lab();
  const a = await l.join("alice");
  const b = await l.join("bob");
  const joined = await a.until((e) => e.t === "notice" && e.kind === "join");
  assert.ok(joined.t === "notice");
  const bob = l.session.clients().find((c) => c.id === b.conn.welcome.you);
  assert.equal(bob?.who.user, "bob");
  assert.deepEqual(joined.client, bob, "the same entry as in the client list");
  assert.equal(a.conn.welcome.info, undefined, "not stopped yet: no place to show");
  a.conn.command("run");
  await a.until(doneOf(1));
  const c = await l.join("carol");
  assert.equal(c.conn.welcome.state, "stopped");
  assert.deepEqual(c.conn.welcome.info, {
    file: "demo.c",
    line: 7,
    func: "main",
    reason: "breakpoint-hit",
  });
  b.conn.leave();
  const left = await a.until((e) => e.t === "notice" && e.kind === "leave");
  assert.ok(left.t === "notice");
  assert.equal(left.client?.id, b.conn.welcome.you);
  await l.session.end("test over");
});
