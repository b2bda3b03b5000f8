/**
 * A lab server tells how other machines reach it by the lab's own name for its host (what
 * `ship` reached it by, and what the lab's clients connect to), not by the name the machine
 * gives itself, which may not resolve elsewhere (a lab whose hosts are IP addresses).
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runCli } from "../../src/cli/main.ts";
import { fakeCli, tcpNowhere } from "./fake_ctx.ts";

async function banner(host: string | undefined): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-reach-"));
  try {
    const lab = path.join(dir, "lab.toml");
    fs.writeFileSync(
      lab,
      `[nodes.target]
${host === undefined ? "" : `host = "${host}"\n`}engine = { kind = "gdb", program = "./app" }
listen = ["tcp:port=5005,password_env=LAB_PW"]
noio = true
`,
    );
    const f = fakeCli({
      env: { LAB_PW: "secret" },
      hostname: "target-box.internal",
      transports: { tcp: tcpNowhere },
    });
    const running = runCli(f.ctx, ["run", lab, "--node", "target"]);
    const line = await f.stdoutMatches(/\*\*\* listening on .*\n/);
    f.signal("SIGTERM");
    assert.equal(await running, 0, f.err());
    return line[0];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

Deno.test("from other machines: the lab's host as written (an IP address), not the machine's own name", async () => {
  const line = await banner("192.0.2.10");
  assert.match(
    line,
    /\(from other machines: dbgremote client tcp:server=192\.0\.2\.10,port=5005,password_env=LAB_PW\)/,
  );
  assert.doesNotMatch(line, /target-box/);
});

Deno.test("from other machines: without a lab host, the machine's own name", async () => {
  const line = await banner(undefined);
  assert.match(
    line,
    /\(from other machines: dbgremote client tcp:server=target-box\.internal,port=5005,/,
  );
});
