/** Transports whose modules load on first use: named at once, loaded once, calls passed on. */
import assert from "node:assert/strict";
import { parseConnStr } from "../../src/connstr.ts";
import { lazyTransport } from "../../src/transport/lazy.ts";
import type { Channel, Transport } from "../../src/transport/transport.ts";
import { createTransports } from "../../src/transport/transports.ts";

function recording(calls: string[]): Transport {
  return {
    name: "tcp",
    listen: (spec, _accept, options) => {
      calls.push(`listen ${spec.transport} pid=${options.pid}`);
      return Promise.resolve({ address: "tcp:here", close: () => Promise.resolve() });
    },
    connect: (spec) => {
      calls.push(`connect ${spec.transport}`);
      return Promise.resolve({ peer: "there" } as Channel);
    },
  };
}

Deno.test("lazy transport: named at once, nothing loaded until used, then loaded once", async () => {
  let loads = 0;
  const calls: string[] = [];
  const tcp = lazyTransport("tcp", () => {
    loads++;
    return Promise.resolve(recording(calls));
  });
  assert.equal(tcp.name, "tcp");
  assert.equal(loads, 0);
  const listener = await tcp.listen(parseConnStr("tcp:port=5005", "listen"), () => {}, { pid: 7 });
  assert.equal(listener.address, "tcp:here");
  const channel = await tcp.connect(parseConnStr("tcp:server=h,port=5005", "connect"));
  assert.equal(channel.peer, "there");
  assert.equal(loads, 1);
  assert.deepEqual(calls, ["listen tcp pid=7", "connect tcp"]);
});

Deno.test("lazy transport: a load that fails fails the call that needed it", async () => {
  const tcp = lazyTransport("tcp", () => Promise.reject(new Error("cannot load")));
  await assert.rejects(tcp.connect(parseConnStr("tcp:port=5005", "connect")), /cannot load/);
});

Deno.test("transports: every name is there; the web runtime is made only when http is used", async () => {
  let made = 0;
  const transports = createTransports({
    web: () => {
      made++;
      return Promise.reject(new Error("no web runtime here"));
    },
  });
  assert.deepEqual(
    Object.keys(transports).sort(),
    ["com", "dap", "daps", "http", "https", "npipe", "spipe", "ssl", "tcp"],
  );
  for (const [name, t] of Object.entries(transports)) assert.equal(t.name, name);
  assert.equal(made, 0);
  const spec = parseConnStr("http:port=0,server=127.0.0.1", "listen");
  await assert.rejects(transports.http.listen(spec, () => {}, { pid: 1 }), /no web runtime/);
  assert.equal(made, 1);
});
