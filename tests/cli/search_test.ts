import assert from "node:assert/strict";
import {
  formatJson,
  formatTable,
  normaliseHost,
  nothingFound,
  onHost,
  parseTimeout,
  usableHere,
  withAddress,
} from "../../src/cli/search.ts";
import type { SearchResult } from "../../src/discovery/search.ts";
import { UsageError } from "../../src/errors.ts";
import { crashAdvert } from "../support/samples.ts";

const MINE = { protocol: "1.0", release: "0.1.0" };
const CRASH: SearchResult = {
  ...crashAdvert({
    clients: 2,
    endpoints: ["tcp:server=lab1,port=5005,password_env=LAB_PW", "npipe:pipe=crash"],
  }),
  instance: "crash on lab1 (42)",
  addresses: ["198.18.0.1"],
  from: "198.18.0.1",
  local: false,
};

Deno.test("search cli: --timeout takes seconds; nonsense is a usage error with an example", () => {
  assert.equal(parseTimeout(undefined), 1500);
  assert.equal(parseTimeout("5"), 5000);
  assert.equal(parseTimeout("0.25"), 250);
  for (const bad of ["0", "-1", "abc", "1e3", "601", ""]) {
    assert.throws(() => parseTimeout(bad), (err: unknown) => {
      assert.ok(err instanceof UsageError, bad);
      assert.match(err.hint ?? "", /--timeout 5/);
      return true;
    });
  }
});

Deno.test("search cli: HOST as WinDbg (\\\\Server), .local or any case; matched by name or address", () => {
  assert.equal(normaliseHost("\\\\LAB1"), "lab1");
  assert.equal(normaliseHost("lab1.local."), "lab1");
  assert.equal(normaliseHost("//lab1"), "lab1");
  const none = new Set<string>();
  assert.ok(onHost(CRASH, "lab1", none));
  assert.ok(onHost(CRASH, "lab1.example.com", none), "a full name matches the short one");
  assert.ok(onHost({ ...CRASH, host: "lab1.example.com" }, "lab1", none));
  assert.ok(onHost(CRASH, "198.18.0.1", none));
  assert.ok(onHost(CRASH, "target", new Set(["198.18.0.1"])), "a name that resolves to it");
  assert.ok(!onHost(CRASH, "lab2", none));
  assert.ok(!onHost({ ...CRASH, host: "lab1.a.com" }, "lab1.b.com", none));
  assert.ok(!onHost(CRASH, "localhost", none));
  assert.ok(onHost({ ...CRASH, local: true }, "localhost", none));
});

Deno.test("search cli: endpoints for the server's machine only are shown only there", () => {
  assert.deepEqual(usableHere(CRASH).endpoints, [CRASH.endpoints[0]]);
  assert.equal(usableHere(CRASH).elsewhere, 1);
  assert.deepEqual(usableHere({ ...CRASH, local: true }).endpoints, CRASH.endpoints);
});

Deno.test("search cli: a host name that does not resolve here is replaced by the address", () => {
  assert.equal(
    withAddress("tcp:server=lab1,port=5005,password_env=P", "lab1", "198.18.0.1"),
    "tcp:server=198.18.0.1,port=5005,password_env=P",
  );
  assert.equal(withAddress("npipe:pipe=x", "lab1", "198.18.0.1"), "npipe:pipe=x");
  assert.equal(
    withAddress("tcp:server=10.0.0.5,port=1", "lab1", "198.18.0.1"),
    "tcp:server=10.0.0.5,port=1",
  );
});

Deno.test("search cli: the table, one endpoint a line, versions compared with ours", () => {
  const other = {
    ...CRASH,
    name: "old",
    host: "lab2",
    addresses: ["198.18.0.2"],
    release: "0.0.9",
    clients: 0,
    endpoints: ["tcp:server=lab2,port=1"],
  };
  const future = { ...other, name: "new", release: "2.0.0", protocol: "2.0" };
  const table = formatTable([usableHere(CRASH), usableHere(other), usableHere(future)], MINE);
  assert.equal(
    table,
    [
      "NAME   HOST             CLIENTS  ENGINE  PROGRAM   RELEASE                                             ENDPOINTS",
      "crash  lab1 198.18.0.1  2        gdb     /srv/app  0.1.0                                               tcp:server=lab1,port=5005,password_env=LAB_PW",
      "                                                                                                       (+1 usable only on lab1)",
      "old    lab2 198.18.0.2  0        gdb     /srv/app  0.0.9 (yours: 0.1.0)                                tcp:server=lab2,port=1",
      "new    lab2 198.18.0.2  0        gdb     /srv/app  2.0.0 (protocol 2.0: cannot connect, yours is 1.0)  tcp:server=lab2,port=1",
      "",
    ].join("\n"),
  );
  assert.match(formatTable([{ ...usableHere(CRASH), local: true }], MINE), /lab1 \(this machine\)/);
});

Deno.test("search cli: JSON for scripts", () => {
  const [s] = JSON.parse(formatJson([usableHere(CRASH)]));
  assert.deepEqual(s, {
    name: "crash",
    host: "lab1",
    addresses: ["198.18.0.1"],
    local: false,
    pid: 42,
    engine: "gdb",
    program: "/srv/app",
    release: "0.1.0",
    protocol: "1.0",
    clients: 2,
    endpoints: ["tcp:server=lab1,port=5005,password_env=LAB_PW"],
    instance: "crash on lab1 (42)",
  });
  assert.equal(formatJson([]), "[]\n");
});

Deno.test("search cli: nothing found says why it may be, and who else answered", () => {
  const text = nothingFound(1500, "lab9", [usableHere(CRASH)]);
  assert.match(text, /^no dbgremote server on lab9 answered within 1\.5 s\n/);
  assert.match(text, /\(1 elsewhere did: crash on lab1\)/);
  assert.match(text, /hidden, or started with --nodiscover/);
  assert.match(text, /udp port 5353, group 224\.0\.0\.251/);
  assert.match(text, /--timeout 5/);
  assert.doesNotMatch(nothingFound(2000, undefined, []), /elsewhere/);
});

Deno.test("search cli: text from the network cannot drive the terminal", () => {
  // Any host on the link may answer with any TXT: an escape sequence in a name could retitle the
  // window or redraw the screen, a right-to-left override could disguise an endpoint.
  const hostile = usableHere({
    ...CRASH,
    local: true, // every endpoint shown
    name: "crash\x1b]0;pwned\x07",
    host: "lab1\r\x1b[2K",
    program: "/srv/\u202eppa",
    engine: "gdb\x9b31m",
    endpoints: ["tcp:server=lab1,port=5005\x1b[8m"],
  });
  for (const text of [formatTable([hostile], MINE), nothingFound(1500, "lab9", [hostile])]) {
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(text, /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]/);
  }
  const table = formatTable([hostile], MINE);
  assert.match(table, /crash\\x1b\]0;pwned\\x07 /);
  assert.match(table, /lab1\\x0d\\x1b\[2K/);
  assert.match(table, /\/srv\/\\u\{202e\}ppa/);
  assert.match(table, /tcp:server=lab1,port=5005\\x1b\[8m/);
  // Scripts get the text as it came, escaped by JSON.
  assert.match(formatJson([hostile]), /"crash\\u001b\]0;pwned\\u0007"/);
});
