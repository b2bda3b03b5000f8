import assert from "node:assert/strict";
import { parseConnStr } from "../src/connstr.ts";
import { DbgRemoteError } from "../src/errors.ts";
import {
  type Access,
  checkServerPassword,
  endpointAccess,
  listensEverywhere,
} from "../src/endpoint_policy.ts";
import { parseTopology } from "../src/topology/parse.ts";

/** [listening connection string, has a password, what the policy decides]. */
const TABLE: [string, boolean, Access | "E_INSECURE"][] = [
  ["npipe:pipe=p", false, "open"],
  ["npipe:pipe=p", true, "password"],
  ["spipe:pipe=p,certfile=c,keyfile=k", false, "open"],
  ["com:port=/dev/ttyS0", false, "open"],
  ["tcp:port=5005,server=127.0.0.1", false, "token"],
  ["tcp:port=5005,server=127.3.2.1", false, "token"],
  ["tcp:port=5005,server=::1", false, "token"],
  ["tcp:port=5005,server=localhost", false, "token"],
  ["tcp:port=5005,server=127.0.0.1", true, "password"],
  ["tcp:port=5005,server=127.0.0.1,insecure", false, "open"],
  ["http:port=8080,server=127.0.0.1", false, "token"],
  ["https:port=8443,server=127.0.0.1,certfile=c,keyfile=k", false, "token"],
  ["ssl:port=5006,server=127.0.0.1,certfile=c,keyfile=k", false, "token"],
  // A name that merely starts like a loopback address is the network.
  ["tcp:port=5005,server=127.evil.invalid", false, "E_INSECURE"],
  ["tcp:port=5005", false, "E_INSECURE"],
  ["tcp:port=5005,ipversion=6", false, "E_INSECURE"],
  ["tcp:port=5005,server=10.0.0.5", false, "E_INSECURE"],
  ["tcp:port=5005", true, "password"],
  ["tcp:port=5005,insecure", false, "open"],
  ["http:port=8080", false, "E_INSECURE"],
  ["https:port=8443,certfile=c,keyfile=k", false, "E_INSECURE"],
  ["ssl:port=5006,certfile=c,keyfile=k", false, "E_INSECURE"],
  ["ssl:port=5006,certfile=c,keyfile=k,clientca=ca", false, "password"],
  // A reverse connection hands the debugger to whoever listens there, loopback included.
  ["tcp:clicon=laptop,port=5005", false, "E_INSECURE"],
  ["tcp:clicon=127.0.0.1,port=5005", false, "E_INSECURE"],
  ["tcp:clicon=127.0.0.1,port=5005", true, "password"],
  ["tcp:clicon=laptop,port=5005,insecure", false, "open"],
];

Deno.test("endpoint policy: one table for every listening endpoint", () => {
  for (const [text, hasPassword, want] of TABLE) {
    const spec = parseConnStr(text, "listen");
    let got: Access | "E_INSECURE";
    try {
      got = endpointAccess(spec, hasPassword);
    } catch (err) {
      assert.ok(err instanceof DbgRemoteError, text);
      assert.match(err.hint ?? "", /password_env=VAR/, text);
      got = err.code as "E_INSECURE";
    }
    assert.equal(got, want, `${text} (password: ${hasPassword})`);
  }
});

Deno.test("check agrees with the server on every row of the table", () => {
  for (const [text, hasPassword, want] of TABLE) {
    const listen = hasPassword ? `${text},password_env=LAB_PW` : text;
    const lab = `[nodes.t]\nengine = { kind = "gdb", program = "./app" }\nlisten = ["${listen}"]\n`;
    let refused = false;
    try {
      parseTopology(lab, "lab.toml");
    } catch (err) {
      refused = /control (of )?the debugger/.test((err as Error).message);
    }
    assert.equal(refused, want === "E_INSECURE", listen);
  }
});

Deno.test("listensEverywhere: wildcard binds only", () => {
  assert.ok(listensEverywhere(parseConnStr("tcp:port=1", "listen")));
  assert.ok(listensEverywhere(parseConnStr("http:port=1,server=::", "listen")));
  assert.ok(!listensEverywhere(parseConnStr("tcp:port=1,server=10.0.0.1", "listen")));
  assert.ok(!listensEverywhere(parseConnStr("tcp:port=1,server=127.0.0.1", "listen")));
  assert.ok(!listensEverywhere(parseConnStr("tcp:clicon=x,port=1", "listen")));
  assert.ok(!listensEverywhere(parseConnStr("npipe:pipe=x", "listen")));
});

Deno.test("a server password: never a well-known variable, never a short one", () => {
  const spec = (env: string) => parseConnStr(`tcp:port=1,password_env=${env}`, "listen");
  for (
    const name of ["HOME", "PATH", "USER", "PWD", "LC_ALL", "XDG_RUNTIME_DIR", "SSH_AUTH_SOCK"]
  ) {
    assert.throws(
      () => checkServerPassword(spec(name), "/root/some/long/value"),
      (e: unknown) => e instanceof DbgRemoteError && e.code === "E_SECRET_WEAK",
      name,
    );
  }
  assert.throws(
    () => checkServerPassword(spec("LAB_PW"), "12345"),
    (e: unknown) => e instanceof DbgRemoteError && e.code === "E_SECRET_WEAK",
  );
  checkServerPassword(spec("LAB_PW"), "hunter2");
  checkServerPassword(parseConnStr("tcp:port=1,password=s3cret", "listen"), "s3cret");
});
