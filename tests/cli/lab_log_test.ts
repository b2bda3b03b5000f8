/** A lab server's `log = "FILE"`: `run` records its session from the start, as `server --log`. */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runCli } from "../../src/cli/main.ts";
import { parseRecord } from "../../src/record/format.ts";
import { fakeCli, tcpNowhere } from "./fake_ctx.ts";

Deno.test("run: a server node's log records its session from the start, until it ends", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-lablog-"));
  try {
    const lab = path.join(dir, "lab.toml");
    const record = path.join(dir, "store.jsonl");
    fs.writeFileSync(
      lab,
      `[nodes.store]
engine = { kind = "gdb", program = "./app" }
listen = ["tcp:port=5005,server=127.0.0.1"]
noio = true
log = ${JSON.stringify(record)}
`,
    );
    const f = fakeCli({ transports: { tcp: tcpNowhere } });
    const running = runCli(f.ctx, ["run", lab]);
    await f.stdoutMatches(/\*\*\* listening on /);
    assert.match(f.err(), /recording the session to \S+store\.jsonl/);
    f.signal("SIGTERM");
    assert.equal(await running, 0, f.err());
    assert.equal(fs.statSync(record).mode & 0o777, 0o600);
    const { entries } = parseRecord(fs.readFileSync(record, "utf8"), record);
    const [head] = entries;
    assert.ok("header" in head && head.header.server === "store");
    assert.equal(head.header.by, "the server (--log)");
    const last = entries.at(-1);
    assert.ok(last && "event" in last && last.event.t === "end");
    assert.match((last.event as { reason: string }).reason, /SIGTERM/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
