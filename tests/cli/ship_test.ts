/** `ship`'s delivery to one host, with a stand-in ssh: what it reports when a copy fails midway. */
import assert from "node:assert/strict";
import { deliverTo } from "../../src/cli/ship.ts";
import { planShipment } from "../../src/ship/plan.ts";
import type { RunResult, Ssh } from "../../src/ship/ssh.ts";
import { parseTopology } from "../../src/topology/parse.ts";

const LAB = `[nodes.store]
host = "lab1"
engine = { kind = "gdb", program = "./a" }
listen = ["ssl:port=5006,certfile=certs/lab.crt,keyfile=certs/lab.key,password_env=PW"]
`;

function fakeSsh(failOn: string): Ssh & { ran: string[]; copied: string[] } {
  const ok: RunResult = { code: 0, stdout: "@@done\n", stderr: "" };
  const ran: string[] = [];
  const copied: string[] = [];
  return {
    ran,
    copied,
    describeRun: () => "",
    describeCopy: () => "",
    run: (_d, script) => {
      ran.push(script.includes("nohup") ? "start" : "prepare");
      return Promise.resolve(ok);
    },
    copy: (_l, _d, remote) => {
      if (remote.endsWith(failOn)) {
        return Promise.resolve({ code: 1, stdout: "", stderr: "scp: disk full\n" });
      }
      copied.push(remote);
      return Promise.resolve(ok);
    },
  };
}

Deno.test("ship: a copy failing midway says what reached the host and that nothing was restarted", async () => {
  const host = planShipment(parseTopology(LAB, "lab.toml"), "lab.toml").hosts[0];
  const ssh = fakeSsh("lab.key");
  const r = await deliverTo(host, {
    ssh,
    probe: { exists: false, versionText: "", complete: true },
    ours: "abc",
    self: import.meta.filename!, // any file: its size is shown
    labFile: "lab.toml",
    labName: "lab.toml",
    dir: ".dbgremote",
    secrets: { PW: "s3cret" },
  });
  assert.deepEqual(ssh.copied, [
    ".dbgremote/dbgremote.new",
    ".dbgremote/lab.toml",
    ".dbgremote/certs/lab.crt",
  ]);
  assert.deepEqual(ssh.ran, ["prepare"]); // the start script never ran: the old servers still run
  assert.equal(r.failed, true);
  assert.deepEqual(r.started, []);
  const said = r.lines.map((l) => `${l.error ? "!" : " "}${l.text}`).join("");
  assert.match(said, /!error\[E_SHIP\]: lab1: copying certs\/lab\.key failed: scp: disk full/);
  assert.match(
    r.unfinished ?? "",
    /^lab1 \(only dbgremote \(.*\), lab\.toml, certs\/lab\.crt reached ~\/\.dbgremote; nothing there was stopped or started, the new binary waits as dbgremote\.new\)$/,
  );
  assert.doesNotMatch(said + r.unfinished, /s3cret/);
});
