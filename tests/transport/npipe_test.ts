import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseConnStr } from "../../src/connstr.ts";
import { TransportError } from "../../src/errors.ts";
import { createNpipeTransport, pipeDirectory } from "../../src/transport/npipe.ts";
import { transportContract } from "./contract.ts";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-npipe-test-"));
const dir = path.join(root, "pipes");
let n = 0;

transportContract("npipe", {
  make: () => createNpipeTransport({ dir }),
  listenSpec: () => parseConnStr(`npipe:pipe=contract-${++n}`, "listen"),
  deadSpec: () => parseConnStr("npipe:pipe=nobody-listens", "connect"),
});

Deno.test("npipe: the directory is 0700, the socket 0600, %d is the pid", async () => {
  const t = createNpipeTransport({ dir });
  const l = await t.listen(parseConnStr("npipe:pipe=mode-%d", "listen"), () => {}, { pid: 777 });
  assert.equal(l.address, "npipe:pipe=mode-777");
  assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
  assert.equal(fs.statSync(path.join(dir, "mode-777")).mode & 0o777, 0o600);
  await l.close();
  assert.equal(
    fs.existsSync(path.join(dir, "mode-777")),
    false,
    "the socket file is removed on close",
  );
});

Deno.test("npipe: a stale socket file (no listener) is replaced", async () => {
  const t = createNpipeTransport({ dir });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, "stale");
  // A process that binds the socket and dies without removing it, as a crashed server would.
  const out = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `Deno.listen({ transport: "unix", path: ${JSON.stringify(file)} }); Deno.exit(0);`,
    ],
  }).outputSync();
  assert.equal(out.code, 0);
  assert.ok(fs.statSync(file).isSocket(), "a stale socket file was left");
  const l = await t.listen(parseConnStr("npipe:pipe=stale", "listen"), (ch) => ch.destroy(), {
    pid: 1,
  });
  const c = await t.connect(parseConnStr("npipe:pipe=stale", "connect"));
  c.destroy();
  await l.close();
});

Deno.test("npipe: a pipe path naming a file that is not a stale socket of ours is never removed", async () => {
  const t = createNpipeTransport({ dir });
  const other = path.join(root, "file.txt");
  fs.writeFileSync(other, "precious");
  const link = path.join(root, "link.sock");
  fs.symlinkSync(other, link);
  const theirs = path.join(root, "theirs.sock");
  const out = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `Deno.listen({ transport: "unix", path: ${JSON.stringify(theirs)} }); Deno.exit(0);`,
    ],
  }).outputSync();
  assert.equal(out.code, 0);
  fs.chownSync(theirs, 65534, 65534); // a stale socket, but another user's
  for (const file of [other, link, theirs, root]) {
    await assert.rejects(
      t.listen(parseConnStr(`npipe:pipe=${file}`, "listen"), () => {}, { pid: 1 }),
      (err: unknown) =>
        err instanceof TransportError && err.code === "E_PIPE_PATH_TAKEN" &&
        err.message.includes(file),
      file,
    );
  }
  assert.equal(fs.readFileSync(other, "utf8"), "precious");
  assert.ok(fs.lstatSync(link).isSymbolicLink());
  assert.ok(fs.lstatSync(theirs).isSocket());
});

Deno.test("npipe: a directory others can read is refused", async () => {
  const open = path.join(root, "open");
  fs.mkdirSync(open, { mode: 0o755 });
  fs.chmodSync(open, 0o755);
  const t = createNpipeTransport({ dir: open });
  await assert.rejects(
    t.listen(parseConnStr("npipe:pipe=x", "listen"), () => {}, { pid: 1 }),
    (err: unknown) => {
      assert.ok(err instanceof TransportError);
      assert.match(err.message, /is not private/);
      assert.match(err.hint ?? "", /chmod 700/);
      return true;
    },
  );
});

Deno.test("npipe: the default directory is per user", () => {
  assert.equal(pipeDirectory({ XDG_RUNTIME_DIR: "/run/user/1000" }), "/run/user/1000/dbgremote");
  assert.match(pipeDirectory({}), /dbgremote-\d+$/);
});

globalThis.addEventListener("unload", () => fs.rmSync(root, { recursive: true, force: true }));
