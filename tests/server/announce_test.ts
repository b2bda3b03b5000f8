import assert from "node:assert/strict";
import { parseConnStr } from "../../src/connstr.ts";
import { currentAdvert, discoveryScope } from "../../src/server/announce.ts";
import { type Participant, Session } from "../../src/session/session.ts";
import { createFakeEngine } from "../session/fake_engine.ts";

const V = { protocol: "1.0", release: "0.1.0" };

function participant(user: string, via: string): Participant {
  return { who: { user, host: "h", tool: "test" }, via, deliver() {}, close() {} };
}

const endpoint = (spec: string, address: string) => ({
  spec: parseConnStr(spec, "listen"),
  address,
});

Deno.test("session: clients-change watchers run on every join, leave and drop", () => {
  const session = new Session({ name: "s", host: "lab1", makeEngine: createFakeEngine });
  let calls = 0;
  const stop = session.onClientsChange(() => calls++);
  const a = session.join(participant("a", "tcp:1")).id;
  const b = session.join(participant("b", "tcp:2")).id;
  session.leave(a);
  session.drop(b, "too slow");
  assert.equal(calls, 4);
  stop();
  session.join(participant("c", "tcp:3"));
  assert.equal(calls, 4, "a stopped watcher hears nothing");
});

Deno.test("advert: a live server's advert counts clients (not its own terminal) and leaves hidden endpoints out", () => {
  const session = new Session({ name: "crash", host: "lab1", makeEngine: createFakeEngine });
  const endpoints = [
    endpoint("tcp:port=5005,password_env=LAB_PW", "tcp:server=127.0.0.1,port=5005"),
    endpoint("tcp:port=5006,hidden,password_env=LAB_PW", "tcp:server=127.0.0.1,port=5006"),
    endpoint("npipe:pipe=crash-%d", "npipe:pipe=crash-7"),
  ];
  const src = {
    name: "crash",
    host: "lab1",
    pid: 7,
    engine: { kind: "gdb", program: "/srv/app", args: ["-v"] },
    version: V,
    session,
    endpoints: () => endpoints,
  };
  session.join(participant("lab1", "server console"));
  session.join(participant("alice", "tcp:198.18.0.3:4000"));
  assert.deepEqual(currentAdvert(src), {
    name: "crash",
    host: "lab1",
    pid: 7,
    engine: "gdb",
    program: "/srv/app",
    release: "0.1.0",
    protocol: "1.0",
    clients: 1,
    endpoints: ["tcp:server=lab1,port=5005,password_env=LAB_PW", "npipe:pipe=crash-7"],
  });
  assert.equal(discoveryScope(endpoints, "lab1"), "network");
  // Endpoints change while it runs (.endsrv): the advert follows.
  endpoints.splice(0, 1);
  assert.deepEqual(currentAdvert(src)?.endpoints, ["npipe:pipe=crash-7"]);
  assert.equal(discoveryScope(endpoints, "lab1"), "this machine");
  endpoints.splice(1, 1);
  assert.equal(currentAdvert(src), undefined, "only hidden endpoints: nothing to advertise");
  assert.equal(discoveryScope(endpoints, "lab1"), undefined);
});
