/** What the server starts gets its environment without the endpoints' password variables. */
import assert from "node:assert/strict";
import { parseConnStr } from "../../src/connstr.ts";
import { secretNames, withoutSecrets } from "../../src/secrets.ts";

Deno.test("secretNames: every password_env named, once; inline passwords name none", () => {
  const specs = [
    "tcp:port=5005,password_env=LAB_PW",
    "npipe:pipe=w,observe,password_env=WATCH_PW",
    "tcp:port=5006,password_env=LAB_PW",
    "npipe:pipe=x,password=inline",
    "npipe:pipe=y",
  ].map((s) => parseConnStr(s, "listen"));
  assert.deepEqual(secretNames(specs), ["LAB_PW", "WATCH_PW"]);
});

Deno.test("withoutSecrets: a copy without them; the original is untouched (the server still reads it)", () => {
  const env = { PATH: "/bin", LAB_PW: "s3cret", HOME: "/root" };
  assert.deepEqual(withoutSecrets(env, ["LAB_PW", "NOT_SET"]), { PATH: "/bin", HOME: "/root" });
  assert.equal(env.LAB_PW, "s3cret");
});
