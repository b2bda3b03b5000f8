import assert from "node:assert/strict";
import { formatConnStr, parseConnStr } from "../../src/connstr.ts";
import { endpointAccess } from "../../src/endpoint_policy.ts";
import { ConnStrError, DbgRemoteError } from "../../src/errors.ts";

Deno.test("dap: and daps: parse, format back, and are for listening only", () => {
  const spec = parseConnStr("dap:port=4711,server=127.0.0.1,observe", "listen");
  assert.deepEqual(spec, { transport: "dap", port: 4711, server: "127.0.0.1", observe: true });
  assert.equal(formatConnStr(spec), "dap:server=127.0.0.1,port=4711,observe");
  const tls = parseConnStr("daps:port=4711,certfile=a.crt,keyfile=a.key,password_env=PW", "listen");
  assert.equal(formatConnStr(tls), "daps:port=4711,password_env=PW,certfile=a.crt,keyfile=a.key");
  assert.throws(() => parseConnStr("daps:port=4711", "listen"), ConnStrError);
  assert.throws(() => parseConnStr("dap:port=4711,clicon=laptop"), ConnStrError);
  assert.throws(() => parseConnStr("dap:server=lab1,port=4711", "connect"), /editors attach/);
});

Deno.test("dap endpoint policy: loopback takes a token; beyond it a password, which plain dap: must not send in clear", () => {
  const code = (text: string, pw: boolean) => {
    try {
      return endpointAccess(parseConnStr(text, "listen"), pw);
    } catch (err) {
      return (err as DbgRemoteError).code;
    }
  };
  assert.equal(code("dap:port=4711,server=127.0.0.1", false), "token");
  assert.equal(code("dap:port=4711,server=127.0.0.1", true), "password");
  assert.equal(code("dap:port=4711", false), "E_INSECURE");
  assert.equal(code("dap:port=4711", true), "E_INSECURE");
  assert.equal(code("dap:port=4711,insecure", true), "password");
  assert.equal(code("daps:port=4711,certfile=a,keyfile=b", true), "password");
  assert.equal(code("daps:port=4711,certfile=a,keyfile=b", false), "E_INSECURE");
});
