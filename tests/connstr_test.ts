import assert from "node:assert/strict";
import {
  expandPipeName,
  formatConnStr,
  isLoopback,
  maskSecrets,
  parseConnStr,
} from "../src/connstr.ts";
import { ConnStrError } from "../src/errors.ts";

Deno.test("tcp and npipe, for listening and connecting", () => {
  assert.deepEqual(parseConnStr("tcp:port=5005", "listen"), { transport: "tcp", port: 5005 });
  assert.deepEqual(parseConnStr("TCP:Port=5005,server=127.0.0.1,ipversion=6", "listen"), {
    transport: "tcp",
    port: 5005,
    server: "127.0.0.1",
    ipversion: 6,
  });
  assert.deepEqual(parseConnStr(" tcp:server=lab1, port=5005 ", "connect"), {
    transport: "tcp",
    server: "lab1",
    port: 5005,
  });
  assert.deepEqual(parseConnStr("npipe:pipe=crash-%d", "listen"), {
    transport: "npipe",
    pipe: "crash-%d",
  });
  assert.deepEqual(parseConnStr("npipe:pipe=/run/x.sock"), {
    transport: "npipe",
    pipe: "/run/x.sock",
  });
});

Deno.test("clicon: the server dials the client; a client without server= waits for it", () => {
  assert.deepEqual(parseConnStr("tcp:clicon=laptop,port=5005", "listen"), {
    transport: "tcp",
    clicon: "laptop",
    port: 5005,
  });
  assert.deepEqual(parseConnStr("tcp:port=5005", "connect"), { transport: "tcp", port: 5005 });
  assert.equal(
    formatConnStr(parseConnStr("tcp:clicon=laptop,port=5005")),
    "tcp:clicon=laptop,port=5005",
  );
});

Deno.test("a port range for listening; clients dial one port", () => {
  assert.deepEqual(parseConnStr("tcp:port=51:60", "listen"), {
    transport: "tcp",
    port: 51,
    portEnd: 60,
  });
  assert.equal(formatConnStr(parseConnStr("tcp:port=51:60")), "tcp:port=51:60");
  assert.throws(() => parseConnStr("tcp:port=60:51"), /port range 60:51 is empty or backwards/);
  assert.throws(
    () => parseConnStr("tcp:server=x,port=51:60", "connect"),
    /a client dials one port, not a range/,
  );
});

Deno.test("format round-trips", () => {
  for (
    const s of [
      "tcp:server=lab1,port=5005",
      "tcp:port=1",
      "tcp:server=::1,port=9,ipversion=6",
      "npipe:pipe=a",
    ]
  ) {
    assert.equal(formatConnStr(parseConnStr(s)), s);
  }
});

Deno.test("expandPipeName replaces %d with the pid and %x with the thread id in hex", () => {
  assert.equal(expandPipeName("crash-%d-%d", 42), "crash-42-42");
  assert.equal(expandPipeName("plain", 42), "plain");
  assert.equal(expandPipeName("t-%d-%x", 42, 255), "t-42-ff");
});

Deno.test("every mistake names the string, the cause and a fix", () => {
  const cases: [string, "listen" | "connect" | undefined, RegExp, RegExp?][] = [
    ["5005", undefined, /expected transport:key=value/, /tcp:port=5005/],
    ["tpc:port=1", undefined, /unknown transport "tpc"/, /did you mean "tcp"/],
    ["ssl:port=1", "listen", /ssl needs certfile= and keyfile= to listen/, /dbgremote cert/],
    ["spipe:pipe=x,certfile=a.crt", undefined, /certfile and keyfile go together/],
    ["tcp:", undefined, /no options after the transport/],
    ["tcp:prot=1", undefined, /unknown option "prot" for tcp/, /did you mean "port"/],
    ["tcp:port", undefined, /option "port" needs a value/],
    ["tcp:port=1,port=2", undefined, /option "port" given twice/],
    ["tcp:port=abc", undefined, /port "abc" is not a number/],
    ["tcp:port=65536", undefined, /port 65536 is out of range/],
    ["tcp:port=1,,server=x", undefined, /empty option/],
    ["tcp:server=x", "listen", /tcp needs port=N to listen/],
    ["tcp:server=a,clicon=b,port=1", undefined, /give server= or clicon=, not both/],
    ["tcp:clicon=a,port=1:5", "listen", /clicon dials one port, not a range/],
    ["tcp:server=x,port=0", "connect", /cannot connect to port 0/],
    ["tcp:port=1,ipversion=5", undefined, /ipversion must be 4 or 6/],
    ["npipe:name=x", undefined, /unknown option "name" for npipe/],
    ["npipe:pipe=a/b", undefined, /contains a slash/],
    ["tcp:port=1,password=a,password_env=B", undefined, /give password or password_env, not both/],
    ["tcp:port=1,password_env=1BAD", undefined, /is not an environment variable name/],
    ["tcp:port=1,hidden=maybe", undefined, /"hidden" is a flag and takes no value/],
    ["tcp:port=1,observe=no", undefined, /"observe" is a flag and takes no value/],
    [
      "tcp:server=x,port=1,observe",
      "connect",
      /"observe" marks a server's endpoint/,
      /dbgremote client --observe CONNSTR/,
    ],
  ];
  for (const [text, role, message, hint] of cases) {
    assert.throws(() => parseConnStr(text, role), (err: unknown) => {
      assert.ok(err instanceof ConnStrError, `${text}: ${err}`);
      assert.equal(err.code, "E_CONNSTR");
      assert.ok(
        // as given, but for secrets (and values under unknown keys: maybe a mistyped secret)
        err.message.includes(`"${maskSecrets(text)}"`),
        `${text}: ${err.message}`,
      );
      assert.match(err.message, message, text);
      if (hint) assert.match(err.hint ?? "", hint, text);
      return true;
    }, text);
  }
});

Deno.test("passwords, flags, and secrets never shown", () => {
  assert.deepEqual(parseConnStr("tcp:port=5005,password=hunter2,hidden", "listen"), {
    transport: "tcp",
    port: 5005,
    password: "hunter2",
    hidden: true,
  });
  assert.deepEqual(parseConnStr("npipe:pipe=p,password_env=LAB_PW,insecure=yes"), {
    transport: "npipe",
    pipe: "p",
    passwordEnv: "LAB_PW",
    insecure: true,
  });
  assert.equal(formatConnStr(parseConnStr("tcp:port=1,password=hunter2")), "tcp:port=1,password=*");
  assert.equal(
    formatConnStr(parseConnStr("tcp:port=1,password_env=PW,insecure,hidden")),
    "tcp:port=1,password_env=PW,insecure,hidden",
  );
  assert.throws(() => parseConnStr("tcp:port=x,password=hunter2"), (err: unknown) => {
    assert.ok(err instanceof ConnStrError);
    assert.doesNotMatch(err.message, /hunter2/);
    assert.match(err.message, /password=\*/);
    return true;
  });
});

Deno.test("observe: a listen-only flag on every transport, shown when formatted", () => {
  assert.deepEqual(parseConnStr("tcp:port=5007,observe,password_env=WATCH_PW", "listen"), {
    transport: "tcp",
    port: 5007,
    observe: true,
    passwordEnv: "WATCH_PW",
  });
  assert.deepEqual(parseConnStr("npipe:pipe=w,observe=yes", "listen"), {
    transport: "npipe",
    pipe: "w",
    observe: true,
  });
  assert.equal(
    formatConnStr(parseConnStr("tcp:port=5007,password=s3cret,observe")),
    "tcp:port=5007,password=*,observe",
  );
  assert.equal(parseConnStr("tcp:port=5005", "listen").observe, undefined);
});

Deno.test("isLoopback", () => {
  for (const h of ["127.0.0.1", "127.1.2.3", "::1", "localhost", "LOCALHOST"]) {
    assert.ok(isLoopback(h), h);
  }
  for (const h of [undefined, "0.0.0.0", "::", "10.0.0.1", "lab1"]) {
    assert.ok(!isLoopback(h), String(h));
  }
});

Deno.test("isLoopback is exact: a name that starts like 127. is not loopback", () => {
  for (const h of ["127.0.0.1", "127.255.255.254", "[::1]", "::ffff:127.0.0.1"]) {
    assert.ok(isLoopback(h), h);
  }
  for (
    const h of ["127.evil.invalid", "127.0.0.1.nip.io", "127.0.0.256", "127.1", "localhost.evil"]
  ) {
    assert.ok(!isLoopback(h), h);
  }
});

Deno.test("maskSecrets hides inline passwords and anything under an unknown key", () => {
  assert.equal(maskSecrets("tcp:port=5,password=hunter2"), "tcp:port=5,password=*");
  // A typo of a secret's key is shown to everyone before it is refused: its value never is.
  assert.equal(maskSecrets(".server tcp:port=5,pasword=hunter2"), ".server tcp:port=5,pasword=*");
  assert.equal(maskSecrets("tcp:port=5,hunter2"), "tcp:port=5,*");
  assert.equal(
    maskSecrets("tcp:server=::1,port=5005:5015,password_env=LAB_PW,insecure,hidden"),
    "tcp:server=::1,port=5005:5015,password_env=LAB_PW,insecure,hidden",
  );
  assert.equal(maskSecrets("com:port=/dev/ttyS0,baud=9600"), "com:port=/dev/ttyS0,baud=9600");
  assert.throws(
    () => parseConnStr("tcp:port=5,pasword=hunter2"),
    (e: Error) => e instanceof ConnStrError && !e.message.includes("hunter2"),
  );
});

Deno.test("http and https: the browser client's endpoints", () => {
  assert.deepEqual(parseConnStr("http:port=8081", "listen"), { transport: "http", port: 8081 });
  assert.deepEqual(
    parseConnStr("http:port=8081:8090,server=127.0.0.1,expire=30m,hidden", "listen"),
    {
      transport: "http",
      port: 8081,
      portEnd: 8090,
      server: "127.0.0.1",
      expire: 1800,
      hidden: true,
    },
  );
  assert.deepEqual(
    parseConnStr("https:port=8443,certfile=lab.crt,keyfile=lab.key,password_env=PW", "listen"),
    {
      transport: "https",
      port: 8443,
      certfile: "lab.crt",
      keyfile: "lab.key",
      passwordEnv: "PW",
    },
  );
  assert.deepEqual(parseConnStr("https:server=lab1,port=8443,cafile=lab.crt", "connect"), {
    transport: "https",
    server: "lab1",
    port: 8443,
    cafile: "lab.crt",
  });
  for (
    const s of [
      "http:server=127.0.0.1,port=8081,expire=12h",
      "http:port=8081,expire=90s,password_env=PW,insecure",
      "https:port=8443,expire=7d,certfile=a.crt,keyfile=a.key",
    ]
  ) {
    assert.equal(formatConnStr(parseConnStr(s)), s);
  }
  assert.throws(() => parseConnStr("https:port=8443", "listen"), /https needs certfile=/);
  assert.throws(() => parseConnStr("http:server=x", "listen"), /http needs port=N to listen/);
  assert.throws(() => parseConnStr("http:port=1,expire=soon"), /expire "soon" is not a duration/);
  assert.throws(() => parseConnStr("http:port=1,expire=0h"), /not a duration/);
  assert.throws(() => parseConnStr("http:port=1,clicon=x"), /unknown option "clicon" for http/);
  assert.throws(() => parseConnStr("https:port=1,clientca=x"), /unknown option "clientca"/);
  assert.throws(
    () => parseConnStr("htp:port=1"),
    (e: unknown) => e instanceof ConnStrError && /did you mean "http"/.test(e.hint ?? ""),
  );
});
