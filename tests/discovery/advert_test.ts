import assert from "node:assert/strict";
import { parseConnStr } from "../../src/connstr.ts";
import {
  type Advert,
  advertisedEndpoint,
  advertTxt,
  hostLabel,
  instanceLabel,
  isLocalOnly,
  parseAdvertTxt,
} from "../../src/discovery/advert.ts";

const ep = (spec: string, address: string) =>
  advertisedEndpoint(parseConnStr(spec, "listen"), address, "lab1");

Deno.test("advert: endpoints are written as the connection strings clients use", () => {
  // Every interface: reached by the host's name, on the port actually taken.
  assert.equal(
    ep("tcp:port=5005,password_env=LAB_PW", "tcp:server=127.0.0.1,port=5005"),
    "tcp:server=lab1,port=5005,password_env=LAB_PW",
  );
  assert.equal(
    ep("tcp:port=5005:5015,password_env=LAB_PW", "tcp:server=127.0.0.1,port=5007"),
    "tcp:server=lab1,port=5007,password_env=LAB_PW",
  );
  assert.equal(
    ep("tcp:port=5005,ipversion=6,password_env=P", "tcp:server=::1,port=5005"),
    "tcp:server=lab1,port=5005,ipversion=6,password_env=P",
  );
  // One address: that address.
  assert.equal(
    ep("tcp:server=198.18.0.1,port=5005,insecure", "tcp:server=198.18.0.1,port=5005"),
    "tcp:server=198.18.0.1,port=5005",
  );
  assert.equal(ep("npipe:pipe=crash-%d", "npipe:pipe=crash-42"), "npipe:pipe=crash-42");
  // TLS: the server's own files are nobody else's business.
  assert.equal(
    ep(
      "ssl:port=5006,certfile=/srv/lab.crt,keyfile=/srv/lab.key,password_env=P",
      "ssl:server=127.0.0.1,port=5006",
    ),
    "ssl:server=lab1,port=5006,password_env=P",
  );
});

Deno.test("advert: hidden and reverse endpoints are never advertised", () => {
  assert.equal(
    ep("tcp:port=5005,hidden,password_env=P", "tcp:server=127.0.0.1,port=5005"),
    undefined,
  );
  assert.equal(ep("npipe:pipe=x,hidden", "npipe:pipe=x"), undefined);
  assert.equal(
    ep("tcp:clicon=laptop,port=5005,password_env=P", "tcp:clicon=laptop,port=5005"),
    undefined,
  );
});

Deno.test("advert: an inline password never leaves the server, only that there is one", () => {
  const shown = ep("tcp:port=5005,password=hunter2", "tcp:server=127.0.0.1,port=5005");
  assert.equal(shown, "tcp:server=lab1,port=5005,password=*");
  const ad: Advert = {
    name: "crash",
    host: "lab1",
    pid: 1,
    engine: "gdb",
    program: "./app",
    release: "0.1.0",
    protocol: "1.0",
    clients: 0,
    endpoints: [shown!],
  };
  const wire = advertTxt(ad).map((s) => new TextDecoder().decode(s)).join("\n");
  assert.doesNotMatch(wire, /hunter2/);
});

Deno.test("advert: which endpoints only work on the server's own machine", () => {
  assert.equal(isLocalOnly("npipe:pipe=x"), true);
  assert.equal(isLocalOnly("spipe:pipe=x"), true);
  assert.equal(isLocalOnly("com:port=/dev/ttyS0,baud=115200"), true);
  assert.equal(isLocalOnly("tcp:server=127.0.0.1,port=5"), true);
  assert.equal(isLocalOnly("tcp:server=::1,port=5"), true);
  assert.equal(isLocalOnly("tcp:server=lab1,port=5"), false);
  assert.equal(isLocalOnly("ssl:server=198.18.0.1,port=5"), false);
});

Deno.test("advert: instance labels fit 63 bytes and stay unique by host and pid", () => {
  assert.equal(
    instanceLabel({ name: "crash", host: "lab1.example.com", pid: 42 }),
    "crash on lab1 (42)",
  );
  const long = instanceLabel({ name: "ü".repeat(100), host: "lab1", pid: 123456 });
  assert.ok(new TextEncoder().encode(long).length <= 63);
  assert.ok(long.endsWith(" on lab1 (123456)"));
  assert.ok(!long.includes("\uFFFD"));
  assert.equal(hostLabel("lab1.example.com"), "lab1");
});

Deno.test("advert: TXT round trip, with every field", () => {
  const ad: Advert = {
    name: "crash lab",
    host: "lab1",
    pid: 4242,
    engine: "gdb",
    program: "/srv/app",
    release: "0.1.0",
    protocol: "1.0",
    clients: 3,
    endpoints: ["tcp:server=lab1,port=5005,password_env=LAB_PW", "npipe:pipe=crash"],
  };
  const strings = advertTxt(ad).map((s) => new TextDecoder().decode(s));
  assert.deepEqual(strings, [
    "txtvers=1",
    "name=crash lab",
    "host=lab1",
    "pid=4242",
    "engine=gdb",
    "program=/srv/app",
    "release=0.1.0",
    "protocol=1.0",
    "clients=3",
    "ep1=tcp:server=lab1,port=5005,password_env=LAB_PW",
    "ep2=npipe:pipe=crash",
  ]);
  assert.deepEqual(parseAdvertTxt(advertTxt(ad)), ad);
  // Not one of ours (no name or host): not an advert. Bad numbers read as 0.
  const enc = (...s: string[]) => s.map((x) => new TextEncoder().encode(x));
  assert.equal(parseAdvertTxt(enc("host=lab1")), undefined);
  assert.equal(parseAdvertTxt(enc("name=x", "host=h", "clients=-3", "pid=x"))?.clients, 0);
});
