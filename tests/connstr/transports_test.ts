/**
 * The transport table, row by row: for each transport family, what a connection
 * string becomes (keys, defaults, the built endpoint) or the exact error it gets
 * (code, message, hint), and that formatting gives the canonical string back.
 */
import assert from "node:assert/strict";
import { type ConnSpec, formatConnStr, parseConnStr, type Role } from "../../src/connstr.ts";
import { ConnStrError } from "../../src/errors.ts";

interface Parses {
  text: string;
  role?: Role;
  spec: ConnSpec;
  /** formatConnStr(spec), when it differs from `text`. */
  canonical?: string;
}

const PARSES: Parses[] = [
  // tcp family: port (or range), server or clicon, ipversion.
  { text: "tcp:port=5005", role: "listen", spec: { transport: "tcp", port: 5005 } },
  {
    text: "tcp:server=lab1,port=5005,ipversion=6,password_env=PW",
    role: "connect",
    spec: { transport: "tcp", server: "lab1", port: 5005, ipversion: 6, passwordEnv: "PW" },
  },
  {
    text: "tcp:clicon=desk,port=5005,hidden",
    role: "listen",
    spec: { transport: "tcp", clicon: "desk", port: 5005, hidden: true },
  },
  {
    text: "ssl:port=5006:5010,certfile=s.crt,keyfile=s.key,clientca=ca.crt",
    role: "listen",
    spec: {
      transport: "ssl",
      port: 5006,
      portEnd: 5010,
      certfile: "s.crt",
      keyfile: "s.key",
      clientca: "ca.crt",
    },
  },
  {
    text: "http:port=8080,expire=12h,insecure",
    role: "listen",
    spec: { transport: "http", port: 8080, expire: 43200, insecure: true },
  },
  {
    text: "https:server=lab1,port=8443,cafile=ca.crt",
    role: "connect",
    spec: { transport: "https", server: "lab1", port: 8443, cafile: "ca.crt" },
  },
  // pipe family: pipe required.
  {
    text: "npipe:pipe=demo-%d,observe",
    role: "listen",
    spec: { transport: "npipe", pipe: "demo-%d", observe: true },
  },
  {
    text: "spipe:pipe=/run/x.sock,cafile=ca.crt",
    role: "connect",
    spec: { transport: "spipe", pipe: "/run/x.sock", cafile: "ca.crt" },
  },
  // serial family: port (a device) required, baud defaults to 115200.
  {
    text: "com:port=/dev/ttyS0",
    spec: { transport: "com", device: "/dev/ttyS0", baud: 115200 },
    canonical: "com:port=/dev/ttyS0,baud=115200",
  },
  {
    text: "com:port=/dev/ttyUSB0,baud=9600",
    spec: { transport: "com", device: "/dev/ttyUSB0", baud: 9600 },
  },
];

for (const row of PARSES) {
  Deno.test(`transports: ${row.text} (${row.role ?? "no role"})`, () => {
    const spec = parseConnStr(row.text, row.role);
    assert.deepEqual(spec, row.spec);
    assert.equal(formatConnStr(spec), row.canonical ?? row.text);
  });
}

interface Refuses {
  text: string;
  role?: Role;
  message: string;
  hint?: string;
}

const REFUSES: Refuses[] = [
  // Keys belong to their transport; the hint lists a transport's keys in the table's order.
  {
    text: "tcp:port=5005,expire=1h",
    message: 'unknown option "expire" for tcp',
    hint:
      "tcp options are: port, server, ipversion, clicon, password, password_env, insecure, hidden, observe",
  },
  {
    text: "ssl:port=5005,clicon=desk",
    message: 'unknown option "clicon" for ssl',
    hint:
      "ssl options are: port, server, ipversion, password, password_env, insecure, hidden, observe, certfile, keyfile, cafile, clientca",
  },
  {
    text: "https:port=8443,clientca=ca.crt",
    message: 'unknown option "clientca" for https',
    hint:
      "https options are: port, server, ipversion, expire, password, password_env, insecure, hidden, observe, certfile, keyfile, cafile",
  },
  {
    text: "npipe:pipe=x,certfile=a.crt",
    message: 'unknown option "certfile" for npipe',
    hint: "npipe options are: pipe, password, password_env, insecure, hidden, observe",
  },
  {
    text: "com:port=/dev/ttyS0,server=x",
    message: 'unknown option "server" for com',
    hint: "com options are: port, baud, password, password_env, insecure, hidden, observe",
  },
  // Required keys, with the family's example as the hint.
  {
    text: "npipe:hidden",
    message: "npipe needs pipe=NAME",
    hint: "for example npipe:pipe=demo",
  },
  {
    text: "spipe:cafile=ca.crt",
    message: "spipe needs pipe=NAME",
    hint: "for example spipe:pipe=demo",
  },
  {
    text: "com:baud=9600",
    message: "com needs port=DEVICE",
    hint: "for example com:port=/dev/ttyS0,baud=115200",
  },
  // A value missing: the family's example.
  {
    text: "http:port=",
    message: 'option "port" needs a value',
    hint: "for example http:port=5005 or http:server=lab1,port=5005",
  },
  {
    text: "com:port=",
    message: 'option "port" needs a value',
    hint: "for example com:port=/dev/ttyS0,baud=115200",
  },
  // Each family's own values.
  {
    text: "com:port=/dev/ttyS0,baud=1000",
    message: "baud 1000 is not a standard rate",
    hint: "rates: 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600",
  },
  {
    text: "npipe:pipe=a/b",
    message: 'pipe name "a/b" contains a slash',
    hint: "give a plain name or an absolute path",
  },
  {
    text: "http:port=8080,expire=2y",
    message: 'expire "2y" is not a duration',
    hint: "give a number and a unit, from 1s to 366d: e.g. expire=90s, expire=30m, expire=12h",
  },
  // Roles: TLS listeners need a certificate; the tcp family needs a port; pipes and com do not.
  {
    text: "spipe:pipe=x",
    role: "listen",
    message: "spipe needs certfile= and keyfile= to listen",
    hint: "create a pair with: dbgremote cert",
  },
  {
    text: "https:server=0.0.0.0",
    role: "connect",
    message: "https needs port=N to connect",
    hint: "for example https:server=lab1,port=5005",
  },
  {
    text: "http:server=lab1,port=5000:5010",
    role: "connect",
    message: "a client dials one port, not a range",
    hint: "give the port the server took (it prints it)",
  },
];

for (const row of REFUSES) {
  Deno.test(`transports: ${row.text} is refused${row.role ? ` to ${row.role}` : ""}`, () => {
    assert.throws(
      () => parseConnStr(row.text, row.role),
      (err: unknown) => {
        assert.ok(err instanceof ConnStrError);
        assert.equal(err.code, "E_CONNSTR");
        assert.equal(err.message, `bad connection string "${row.text}": ${row.message}`);
        assert.equal(err.hint, row.hint);
        return true;
      },
    );
  });
}

Deno.test("transports: a role-free pipe or serial endpoint listens without a port", () => {
  assert.deepEqual(parseConnStr("npipe:pipe=x", "listen"), { transport: "npipe", pipe: "x" });
  assert.deepEqual(parseConnStr("com:port=/dev/ttyS1", "connect"), {
    transport: "com",
    device: "/dev/ttyS1",
    baud: 115200,
  });
});
