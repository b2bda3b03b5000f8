import assert from "node:assert/strict";
import net from "node:net";
import { TransportError } from "../../src/errors.ts";
import { parseConnStr } from "../../src/connstr.ts";
import { createTcpTransport } from "../../src/transport/tcp.ts";
import { transportContract } from "./contract.ts";

transportContract("tcp", {
  make: createTcpTransport,
  listenSpec: () => parseConnStr("tcp:port=0,server=127.0.0.1", "listen"),
  // Port 1 on loopback: nothing listens there.
  deadSpec: () => parseConnStr("tcp:server=127.0.0.1,port=1", "connect"),
});

Deno.test("tcp transport: a port range takes the first free port; a full range says so", async () => {
  // Find a free port, then block it.
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const base = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(base, "127.0.0.1", r));
  const t = createTcpTransport();
  const range = (end: number) => parseConnStr(`tcp:port=${base}:${end},server=127.0.0.1`, "listen");
  try {
    const l = await t.listen(range(base + 5), () => {}, { pid: 1 });
    const took = Number(/port=(\d+)/.exec(l.address)![1]);
    assert.ok(took > base && took <= base + 5, `took ${took}`);
    // Now base is blocked and `took` is ours: the range base..took is full.
    await assert.rejects(t.listen(range(took), () => {}, { pid: 1 }), (err: unknown) => {
      assert.ok(err instanceof TransportError);
      assert.equal(err.code, "E_ADDR_IN_USE");
      assert.match(
        err.message,
        new RegExp(`every tcp port from ${base} to ${took} on 127\\.0\\.0\\.1 is in use`),
      );
      return true;
    });
    await l.close();
  } finally {
    await new Promise((r) => blocker.close(r));
  }
});

Deno.test("tcp transport: IPv6 (ipversion=6 binds ::, the address dials ::1)", async () => {
  const t = createTcpTransport();
  const l = await t.listen(parseConnStr("tcp:port=0,ipversion=6,insecure", "listen"), (ch) => {
    ch.start({ data: (d) => ch.write(d), close() {} });
  }, { pid: 1 });
  assert.match(l.address, /^tcp:server=::1,port=\d+$/);
  const c = await t.connect(parseConnStr(l.address, "connect"));
  const echoed = new Promise<string>((resolve) =>
    c.start({ data: (d) => resolve(new TextDecoder().decode(d)), close() {} })
  );
  c.write(new TextEncoder().encode("v6"));
  assert.equal(await echoed, "v6");
  assert.match(c.peer, /^tcp:\[::1\]:\d+$/);
  c.destroy();
  await l.close();
});
