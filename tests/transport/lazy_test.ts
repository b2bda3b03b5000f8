/** Transports whose modules load on first use: every name at once, loaded once, calls passed on. */
import assert from "node:assert/strict";
import { type ConnSpec, parseConnStr } from "../../src/connstr.ts";
import { lazyTransports } from "../../src/transport/lazy.ts";
import type { Channel, Transport } from "../../src/transport/transport.ts";
import type { Transports } from "../../src/transport/transports.ts";

const NAMES = ["tcp", "npipe", "ssl", "spipe", "com", "http", "https"] as const;

function recording(calls: string[]): Transports {
  const one = (name: ConnSpec["transport"]): Transport => ({
    name,
    listen: (spec, _accept, options) => {
      calls.push(`${name} listen ${spec.transport} pid=${options.pid}`);
      return Promise.resolve({ address: `${name}:here`, close: () => Promise.resolve() });
    },
    connect: (spec) => {
      calls.push(`${name} connect ${spec.transport}`);
      return Promise.resolve({ peer: name } as Channel);
    },
  });
  return Object.fromEntries(NAMES.map((n) => [n, one(n)])) as Transports;
}

Deno.test("lazy transports: every transport named, nothing loaded until used, then loaded once", async () => {
  let loads = 0;
  const calls: string[] = [];
  const transports = lazyTransports(() => {
    loads++;
    return Promise.resolve(recording(calls));
  });
  assert.deepEqual(Object.keys(transports).sort(), [...NAMES].sort());
  for (const n of NAMES) assert.equal(transports[n].name, n);
  assert.equal(loads, 0);
  const tcp = parseConnStr("tcp:port=5005", "listen");
  const listener = await transports.tcp.listen(tcp, () => {}, { pid: 7 });
  assert.equal(listener.address, "tcp:here");
  const channel = await transports.npipe.connect(parseConnStr("npipe:pipe=x", "connect"));
  assert.equal(channel.peer, "npipe");
  assert.equal(loads, 1);
  assert.deepEqual(calls, ["tcp listen tcp pid=7", "npipe connect npipe"]);
});

Deno.test("lazy transports: a load that fails fails the call that needed it", async () => {
  const transports = lazyTransports(() => Promise.reject(new Error("cannot load")));
  await assert.rejects(
    transports.tcp.connect(parseConnStr("tcp:port=5005", "connect")),
    /cannot load/,
  );
});
