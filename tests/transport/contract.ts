/**
 * The transport contract: every transport passes these. A transport's test
 * file calls {@link transportContract} with a way to make a fresh transport
 * and an address to listen on.
 */
import assert from "node:assert/strict";
import { type ConnSpec, parseConnStr } from "../../src/connstr.ts";
import { TransportError } from "../../src/errors.ts";
import type { Channel, Listener, Transport } from "../../src/transport/transport.ts";

export interface TransportTarget {
  make(): Transport;
  /** A fresh address to listen on (unique per call). */
  listenSpec(): ConnSpec;
  /** An address where nothing listens. */
  deadSpec(): ConnSpec;
  /** How a client dials a listener's address (default: the address as it is). */
  connectSpec?(address: string): ConnSpec;
  /** Clean up after a test. */
  cleanup?(): void;
  /**
   * Why `pending` cannot be observed under this test runtime, if it cannot: that one test is
   * skipped here and the transport's own tests check it in the runtime that ships.
   */
  pendingUnobservable?: string;
  /**
   * The listening side reads whatever arrives and cannot pause (a WebSocket
   * server): `pending` is then checked on the server's writes to a client that
   * does not read, the direction a session drops slow clients in.
   */
  serverReadsAhead?: boolean;
}

interface Collected {
  bytes(): Uint8Array;
  closed: Promise<Error | undefined>;
}

function collect(ch: Channel): Collected {
  const chunks: Uint8Array[] = [];
  let done!: (e?: Error) => void;
  const closed = new Promise<Error | undefined>((r) => (done = r));
  ch.start({ data: (c) => chunks.push(c.slice()), close: (e) => done(e) });
  return {
    bytes() {
      const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let o = 0;
      for (const c of chunks) {
        out.set(c, o);
        o += c.length;
      }
      return out;
    },
    closed,
  };
}

async function waitUntil(pred: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Listen, then hand accepted channels to a queue the test can take from. */
async function serve(t: Transport, spec: ConnSpec) {
  const accepted: Channel[] = [];
  const listener = await t.listen(spec, (ch) => accepted.push(ch), { pid: 4242 });
  return {
    listener,
    accepted,
    async next(): Promise<Channel> {
      await waitUntil(() => accepted.length > 0, "an accepted channel");
      return accepted.shift()!;
    },
  };
}

function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + (i >> 8)) & 0xff;
  return b;
}

export function transportContract(name: string, target: TransportTarget): void {
  const test = (title: string, fn: () => Promise<void>) =>
    Deno.test(`${name} transport: ${title}`, async () => {
      try {
        await fn();
      } finally {
        target.cleanup?.();
      }
    });
  const skipped = (why: string) => (title: string, _fn: () => Promise<void>) =>
    Deno.test({ name: `${name} transport: ${title} (skipped: ${why})`, ignore: true, fn() {} });

  const connectTo = (t: Transport, l: Listener) =>
    t.connect(target.connectSpec?.(l.address) ?? parseConnStr(l.address, "connect"), {
      timeoutMs: 5000,
    });
  /** A listener of this transport, one client connected to it, and the server's end of it. */
  const connectedPair = async () => {
    const t = target.make();
    const srv = await serve(t, target.listenSpec());
    const client = await connectTo(t, srv.listener);
    const server = await srv.next();
    return { t, srv, client, server };
  };

  test("the listener's address is a connection string that connects; bytes flow both ways", async () => {
    const { srv, client, server } = await connectedPair();
    const fromClient = collect(server);
    const fromServer = collect(client);
    client.write(new TextEncoder().encode("ping"));
    server.write(new TextEncoder().encode("pong"));
    await waitUntil(
      () => fromClient.bytes().length === 4 && fromServer.bytes().length === 4,
      "both messages",
    );
    assert.equal(new TextDecoder().decode(fromClient.bytes()), "ping");
    assert.equal(new TextDecoder().decode(fromServer.bytes()), "pong");
    assert.ok(server.peer.startsWith(`${name}:`), server.peer);
    client.end();
    assert.equal(await fromClient.closed, undefined, "a clean end is no error");
    await fromServer.closed;
    await srv.listener.close();
  });

  test("4 MiB arrive intact and in order", async () => {
    const { srv, client, server } = await connectedPair();
    const got = collect(server);
    collect(client);
    const data = pattern(4 * 1024 * 1024);
    for (let i = 0; i < data.length; i += 65536) client.write(data.subarray(i, i + 65536));
    await waitUntil(() => got.bytes().length >= data.length, "4 MiB", 20_000);
    assert.deepEqual(got.bytes(), data);
    client.destroy();
    server.destroy();
    await srv.listener.close();
  });

  test("20 clients at once, each with its own stream", async () => {
    const t = target.make();
    const srv = await serve(t, target.listenSpec());
    const clients = await Promise.all(Array.from({ length: 20 }, () => connectTo(t, srv.listener)));
    await waitUntil(() => srv.accepted.length === 20, "20 accepts");
    const servers = srv.accepted.splice(0);
    const inbox = servers.map(collect);
    clients.forEach((c, i) => {
      collect(c);
      c.write(new TextEncoder().encode(`client-${i};`));
    });
    await waitUntil(
      () => inbox.every((b) => b.bytes().length > 0 && b.bytes().at(-1) === 59),
      "every message",
    );
    const seen = inbox.map((b) => new TextDecoder().decode(b.bytes())).sort();
    assert.deepEqual(seen, Array.from({ length: 20 }, (_, i) => `client-${i};`).sort());
    clients.forEach((c) => c.destroy());
    servers.forEach((s) => s.destroy());
    await srv.listener.close();
  });

  test("destroy closes the other side at once", async () => {
    const { srv, client, server } = await connectedPair();
    const s = collect(server);
    collect(client);
    client.destroy();
    await s.closed;
    await srv.listener.close();
  });

  const pendingTest = target.pendingUnobservable ? skipped(target.pendingUnobservable) : test;
  pendingTest("pending grows while the peer does not read", async () => {
    const { srv, client, server } = await connectedPair(); // never started: it reads nothing
    let [writer, reader] = [client, server];
    if (target.serverReadsAhead) [writer, reader] = [server, client];
    collect(writer);
    const chunk = new Uint8Array(1024 * 1024);
    for (let i = 0; i < 16; i++) writer.write(chunk);
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(writer.pending > 1024 * 1024, `pending is ${writer.pending}`);
    void reader;
    client.destroy();
    server.destroy();
    await srv.listener.close();
  });

  test("listening twice on one address: E_ADDR_IN_USE with a hint", async () => {
    const t = target.make();
    const spec = target.listenSpec();
    const srv = await serve(t, spec);
    // The same address again: for tcp, the port the first listener was given.
    const bound = parseConnStr(srv.listener.address);
    const again = { ...spec, ...("port" in bound ? { port: bound.port } : {}) } as ConnSpec;
    await assert.rejects(t.listen(again, () => {}, { pid: 4242 }), (err: unknown) => {
      assert.ok(err instanceof TransportError, String(err));
      assert.equal(err.code, "E_ADDR_IN_USE");
      assert.ok(err.hint);
      return true;
    });
    await srv.listener.close();
  });

  test("connecting where nothing listens: E_CONNECT with a hint", async () => {
    const t = target.make();
    await assert.rejects(t.connect(target.deadSpec(), { timeoutMs: 5000 }), (err: unknown) => {
      assert.ok(err instanceof TransportError, String(err));
      assert.equal(err.code, "E_CONNECT");
      assert.ok(err.hint, err.message);
      return true;
    });
  });

  test("closing the listener stops new connections but keeps the open ones", async () => {
    const { t, srv, client, server } = await connectedPair();
    const got = collect(server);
    collect(client);
    await srv.listener.close();
    await assert.rejects(connectTo(t, srv.listener), TransportError);
    client.write(new TextEncoder().encode("still here"));
    await waitUntil(() => got.bytes().length === 10, "data after close");
    client.destroy();
    server.destroy();
  });
}
