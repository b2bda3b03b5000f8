/**
 * The server's endpoints as session controls: opened live with the startup checks, closed
 * while their clients stay, secrets masked. Real tcp and pipe transports on loopback, the
 * fake engine.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import { openClient } from "../../src/client/connection.ts";
import { parseConnStr, type TcpSpec } from "../../src/connstr.ts";
import { DbgRemoteError } from "../../src/errors.ts";
import type { SessionEvent } from "../../src/protocol/messages.ts";
import { clientAddress, type Endpoint, endpointInfo } from "../../src/server/server.ts";
import { tokenFor, tokenPath } from "../../src/transport/loopback_token.ts";
import { CURRENT } from "../../src/version.ts";
import { type FakeServer, serveFake } from "./fake_server.ts";

type Fixture = FakeServer;

function serve(endpoints: string[], env: Record<string, string> = {}): Promise<Fixture> {
  return serveFake(endpoints, { env });
}

/** Join as the server's user: a loopback endpoint's token is found as `dbgremote client` finds it. */
async function join(
  f: Fixture,
  address: string,
  user: string,
  password?: string,
  options: { token?: boolean } = {},
) {
  const spec = parseConnStr(address, "connect");
  const channel = await f.transports[spec.transport].connect(spec, { timeoutMs: 2000 });
  const events: SessionEvent[] = [];
  const conn = await openClient(channel, {
    who: { user, host: "h", tool: "test" },
    version: CURRENT,
    password,
    token: options.token === false ? undefined : tokenFor(spec, f.dir),
    onEvent: (e) => events.push(e),
  });
  return { conn, events };
}

function rejectsWith(code: string, pattern: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof DbgRemoteError, String(err));
    assert.equal(err.code, code, err.message);
    assert.match(err.message, pattern);
    return true;
  };
}

Deno.test("server controls: open an endpoint live; clients come in through it", async () => {
  await using f = await serve(["tcp:port=0,server=127.0.0.1"]);
  const { controls, endpoints } = f.server;
  const info = await controls.open("npipe:pipe=more", "alice@h");
  assert.deepEqual(info, {
    id: 1,
    spec: "npipe:pipe=more",
    address: "npipe:pipe=more",
    state: "accepting",
    observe: false,
  });
  assert.equal(endpoints.length, 2);
  const bob = await join(f, "npipe:pipe=more", "bob");
  assert.equal(bob.conn.welcome.role, "operator");
  assert.equal(f.server.session.clients()[0].endpoint, 1);
  assert.match(f.logs.join("\n"), /endpoint 1 opened by alice@h: npipe:pipe=more/);
  bob.conn.leave();
});

Deno.test("server controls: a bad endpoint is refused with the startup checks; nothing changes", async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
  const busy = (blocker.address() as net.AddressInfo).port;
  try {
    await using f = await serve(["npipe:pipe=a"], {});
    const { controls } = f.server;
    await assert.rejects(
      controls.open("tcp:prot=1", "alice@h"),
      rejectsWith("E_CONNSTR", /unknown option "prot"/),
    );
    await assert.rejects(
      controls.open("tcp:port=abc,observe,password=hunter2", "alice@h"),
      (err: unknown) => {
        assert.ok(err instanceof DbgRemoteError);
        assert.doesNotMatch(err.message, /hunter2/);
        return true;
      },
    );
    await assert.rejects(
      controls.open("tcp:port=5999", "alice@h"),
      rejectsWith(
        "E_INSECURE",
        /would let anyone who reaches every interface control the debugger/,
      ),
    );
    await assert.rejects(
      controls.open("tcp:port=5999,password_env=NOT_SET_PW", "alice@h"),
      rejectsWith("E_SECRET_MISSING", /\$NOT_SET_PW, which is not set/),
    );
    await assert.rejects(
      controls.open(`tcp:port=${busy},server=127.0.0.1`, "alice@h"),
      rejectsWith(
        "E_ADDR_IN_USE",
        new RegExp(`tcp port ${busy} on 127\\.0\\.0\\.1 is already in use`),
      ),
    );
    assert.deepEqual(controls.servers().map((e) => e.id), [0], "no endpoint added");
    // A failed open uses up no id.
    assert.equal((await controls.open("npipe:pipe=b", "alice@h")).id, 1);
  } finally {
    await new Promise((r) => blocker.close(r));
  }
});

Deno.test("server controls: secrets are masked in every view of an endpoint", async () => {
  await using f = await serve(["tcp:port=0,server=127.0.0.1,password=hunter2"], { W_PW: "s3cret" });
  const opened = await f.server.controls.open("npipe:pipe=w,observe,password_env=W_PW", "alice@h");
  assert.equal(opened.spec, "npipe:pipe=w,password_env=W_PW,observe");
  assert.equal(opened.address, "npipe:pipe=w,password_env=W_PW");
  const [first] = f.server.controls.servers();
  assert.equal(first.spec, "tcp:server=127.0.0.1,port=0,password=*");
  assert.match(first.address, /^tcp:server=127\.0\.0\.1,port=\d+,password=\*$/);
  const everything = JSON.stringify([f.server.controls.servers(), f.logs]);
  assert.doesNotMatch(everything, /hunter2|s3cret/);
});

Deno.test("server controls: a closed endpoint takes nobody new; its clients stay", async () => {
  await using f = await serve(["tcp:port=0,server=127.0.0.1", "npipe:pipe=p"]);
  const { controls, endpoints } = f.server;
  const tcp = endpoints[0].address;
  const alice = await join(f, tcp, "alice");
  const closed = await controls.close(0, "alice@h");
  assert.equal(closed.state, "closed");
  assert.equal(closed.closedBy, "alice@h");
  await assert.rejects(join(f, tcp, "late"), rejectsWith("E_CONNECT", /cannot connect/));
  alice.conn.command("print 5");
  await alice.conn.idle();
  assert.ok(alice.events.some((e) => e.t === "out" && e.text === "$1 = 5\n"), "alice goes on");
  await assert.rejects(
    controls.close(0, "x"),
    rejectsWith("E_USAGE", /endpoint 0 is already closed/),
  );
  await assert.rejects(controls.close(9, "x"), rejectsWith("E_USAGE", /there is no endpoint 9/));
  // Closing a pipe removes its socket file.
  await controls.close(1, "alice@h");
  await assert.rejects(join(f, "npipe:pipe=p", "late"), rejectsWith("E_CONNECT", /./));
  assert.deepEqual(controls.servers().map((e) => e.state), ["closed", "closed"]);
  // Shutting down after .endsrv closes nothing twice and finishes.
  await f.server.shutdown("done");
  assert.equal(await f.server.finished, "done");
});

Deno.test("server controls: everyone through an observe endpoint is an observer, whatever the hello asks", async () => {
  await using f = await serve(["npipe:pipe=op", "npipe:pipe=watch,observe"]);
  const op = await join(f, "npipe:pipe=op", "alice");
  const watcher = await join(f, "npipe:pipe=watch", "walt");
  assert.equal(op.conn.welcome.role, "operator");
  assert.equal(watcher.conn.welcome.role, "observer");
  watcher.conn.command("print 1");
  await watcher.conn.idle();
  const done = watcher.events.find((e) => e.t === "done");
  assert.ok(done?.t === "done" && done.refused === true);
  assert.deepEqual(f.server.session.clients().map((c) => [c.who.user, c.role, c.endpoint]), [
    ["alice", "operator", 0],
    ["walt", "observer", 1],
  ]);
});

Deno.test("endpointInfo: an endpoint on every interface is shown with the server's host name", () => {
  const at = (text: string, address: string): Endpoint => {
    const spec = parseConnStr(text, "listen");
    return {
      id: 3,
      spec,
      address,
      client: clientAddress(spec, address),
      listener: { address, close: () => Promise.resolve() },
      access: "password",
      state: "accepting",
    };
  };
  const wide = at("tcp:port=5005,password_env=LAB_PW", "tcp:server=127.0.0.1,port=5005");
  assert.equal(wide.client, "tcp:server=127.0.0.1,port=5005,password_env=LAB_PW");
  assert.deepEqual(endpointInfo(wide, "lab1"), {
    id: 3,
    spec: "tcp:port=5005,password_env=LAB_PW",
    address: "tcp:server=lab1,port=5005,password_env=LAB_PW",
    state: "accepting",
    observe: false,
  });
  const v6 = at(
    "ssl:port=5006,ipversion=6,certfile=c.crt,keyfile=c.key",
    "ssl:server=::1,port=5006",
  );
  assert.equal(endpointInfo(v6, "lab1").address, "ssl:server=lab1,port=5006,cafile=c.crt");
  const bound = at("tcp:port=5005,server=127.0.0.1", "tcp:server=127.0.0.1,port=5005");
  assert.equal(endpointInfo(bound, "lab1").address, "tcp:server=127.0.0.1,port=5005");
  const pipe = at("npipe:pipe=p-%d,observe", "npipe:pipe=p-42");
  assert.equal(endpointInfo(pipe, "lab1").address, "npipe:pipe=p-42");
  assert.equal(endpointInfo(pipe, "lab1").observe, true);
  const com = at("com:port=/dev/ttyS0,baud=9600", "com:port=/dev/ttyS0,baud=9600");
  assert.equal(endpointInfo(com, "lab1").address, "com:port=DEVICE-AT-THE-OTHER-END,baud=9600");
});

Deno.test("server controls: endpoints opened at the same time get ids of their own", async () => {
  // A client may come in through the first endpoint and give .server while the server still
  // opens its others: opens overlap, and each must still get its own id.
  await using f = await serve(["npipe:pipe=a"]);
  const { controls } = f.server;
  const [b, c] = await Promise.all([
    controls.open("npipe:pipe=b", "alice@h"),
    controls.open("npipe:pipe=c", "bob@h"),
  ]);
  assert.deepEqual([b.id, c.id], [1, 2]);
  assert.deepEqual(controls.servers().map((e) => [e.id, e.spec]), [
    [0, "npipe:pipe=a"],
    [1, "npipe:pipe=b"],
    [2, "npipe:pipe=c"],
  ]);
  const carol = await join(f, "npipe:pipe=c", "carol");
  assert.equal(f.server.session.clients()[0].endpoint, 2, "her endpoint is the one she used");
  carol.conn.leave();
});

Deno.test("a loopback endpoint without a password is private to the server's user (session token)", async () => {
  await using f = await serve(["tcp:port=0,server=127.0.0.1", "npipe:pipe=p"]);
  const tcp = f.server.endpoints[0].address;
  const port = (parseConnStr(tcp) as TcpSpec).port!;
  // Another local user has no token: the server asks for one, as for a password.
  await assert.rejects(
    join(f, tcp, "mallory", undefined, { token: false }),
    rejectsWith("E_AUTH", /needs a password/),
  );
  await assert.rejects(
    join(f, tcp, "mallory", "a-guessed-token"),
    rejectsWith("E_AUTH", /wrong password/),
  );
  // The token lives where only the server's user reads it.
  const file = tokenPath(f.dir, port);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.equal(fs.statSync(f.dir).mode & 0o077, 0);
  const alice = await join(f, tcp, "alice");
  assert.equal(alice.conn.welcome.role, "operator");
  // Nobody sees it: not .servers, not the log.
  const token = fs.readFileSync(file, "utf8").trim();
  assert.doesNotMatch(JSON.stringify([f.server.controls.servers(), f.logs]), new RegExp(token));
  assert.equal(f.server.endpoints[0].client, tcp, "the client command needs nothing typed");
  // `.server` opens loopback endpoints the same way; closing one removes its token.
  const more = await f.server.controls.open("tcp:port=0,server=127.0.0.1", "alice@h");
  const morePort = (parseConnStr(more.address) as TcpSpec).port!;
  assert.ok(fs.existsSync(tokenPath(f.dir, morePort)));
  await assert.rejects(
    join(f, more.address, "mallory", undefined, { token: false }),
    rejectsWith("E_AUTH", /needs a password/),
  );
  await f.server.controls.close(more.id, "alice@h");
  assert.ok(!fs.existsSync(tokenPath(f.dir, morePort)));
  alice.conn.leave();
});

Deno.test(".server refuses what the startup refuses: look-alike loopback, well-known variables, short passwords", async () => {
  await using f = await serve(["npipe:pipe=p"], { HOME: "/root", SHORT: "abc" });
  await assert.rejects(
    f.server.controls.open("tcp:port=0,server=127.evil.invalid", "alice@h"),
    rejectsWith("E_INSECURE", /127\.evil\.invalid control the debugger/),
  );
  await assert.rejects(
    f.server.controls.open("tcp:port=0,password_env=HOME", "alice@h"),
    rejectsWith("E_SECRET_WEAK", /\$HOME is a well-known variable/),
  );
  await assert.rejects(
    f.server.controls.open("tcp:port=0,password_env=SHORT", "alice@h"),
    rejectsWith("E_SECRET_WEAK", /shorter than 6 characters/),
  );
  assert.equal(f.server.endpoints.length, 1, "nothing opened");
});
