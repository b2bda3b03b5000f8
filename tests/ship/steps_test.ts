/**
 * ship's steps: what `--dry-run` prints for a host is what a shipment does there,
 * command for command (a stand-in ssh records each call by its description).
 */
import assert from "node:assert/strict";
import { planShipment } from "../../src/ship/plan.ts";
import type { RunResult, Ssh } from "../../src/ship/ssh.ts";
import { checkStep, deliverySteps, newDelivery, type Shipment } from "../../src/ship/steps.ts";
import { parseTopology } from "../../src/topology/parse.ts";
import { CURRENT } from "../../src/version.ts";

const LAB = `[nodes.store]
host = "lab1"
engine = { kind = "gdb", program = "./a" }
listen = ["ssl:port=5006,certfile=certs/lab.crt,keyfile=certs/lab.key,password_env=PW"]

[nodes.alice]
host = "lab2"
connect = "store"
cafile = "certs/lab.crt"
`;

/** An ssh that answers like a healthy host and records what it was asked to do. */
function recordingSsh(): Ssh & { did: string[] } {
  const did: string[] = [];
  const describeRun = (d: string) => `ssh ${d}`;
  const describeCopy = (l: string, d: string, r: string) => `scp ${l} ${d}:${r}`;
  const answer = (script: string): RunResult => ({
    code: 0,
    stdout: script.includes("nohup")
      ? "@@started store 4242\n@@log store *** listening on ssl:port=5006\n@@done\n"
      : "@@uname Linux x86_64\n@@done\n",
    stderr: "",
  });
  return {
    did,
    describeRun,
    describeCopy,
    run: (d, script) => {
      did.push(describeRun(d));
      return Promise.resolve(answer(script));
    },
    copy: (l, d, r) => {
      did.push(describeCopy(l, d, r));
      return Promise.resolve({ code: 0, stdout: "", stderr: "" });
    },
  };
}

const plan = planShipment(parseTopology(LAB, "lab.toml"), "lab.toml");
const shipment = (ssh: Ssh): Shipment => ({
  ssh,
  self: import.meta.filename!, // any file: its size is shown
  labFile: "lab.toml",
  labName: "lab.toml",
  dir: ".dbgremote",
  secrets: { PW: "s3cret" },
});

/** The commands in a step's description (its lines hold them after a colon). */
function commands(describe: string[], ssh: Ssh & { did: string[] }, dest: string): string[] {
  const known = [
    ssh.describeRun(dest),
    ...plan.hosts.flatMap((h) =>
      ["lab.toml", "certs/lab.crt", "certs/lab.key", "dbgremote.new"].map((n) =>
        ssh.describeCopy(
          n === "dbgremote.new" ? import.meta.filename! : n,
          h.destination,
          `.dbgremote/${n}`,
        )
      )
    ),
  ];
  return describe.flatMap((line) => known.filter((k) => line.includes(k)));
}

for (const newBinary of [true, false]) {
  Deno.test(`ship steps: a server's host does what the dry run describes (new binary: ${newBinary})`, async () => {
    const ssh = recordingSsh();
    const host = plan.hosts.find((h) => h.host === "lab1")!;
    const s = shipment(ssh);
    const check = checkStep(host, s, { version: CURRENT, os: "linux-x64" });
    const steps = deliverySteps(host, s);
    const described = [check, ...steps].flatMap((step) =>
      commands(step.describe, ssh, host.destination)
    );

    const said: string[] = [];
    await check.run({
      ours: "abc",
      probes: new Map(),
      problems: [],
      refused: false,
      say: (l) => said.push(l.text),
    });
    const d = newDelivery(newBinary);
    for (const step of steps) await step.run(d);

    // Every command run was described, in the same order; the binary is skipped when it is there.
    const expected = newBinary ? described : described.filter((c) => !c.includes("dbgremote.new"));
    assert.deepEqual(ssh.did, expected);
    assert.ok(described.some((c) => c.includes("dbgremote.new")), described.join("\n"));
    assert.deepEqual(d.started, ["store on lab1"]);
    assert.equal(d.failed, false);
    const report = d.lines.map((l) => l.text).join("");
    assert.match(report, /lab1: started store \(pid 4242\), log ~\/\.dbgremote\/store\.log\n/);
    const all = steps.flatMap((step) => step.describe).join("\n");
    assert.match(all, /passing PW=\*\*\* inside the script/);
    assert.doesNotMatch(all + report + said.join(""), /s3cret/);
  });
}

Deno.test("ship steps: a client's host gets its certificate, the binary installed, and a command to type", async () => {
  const ssh = recordingSsh();
  const host = plan.hosts.find((h) => h.host === "lab2")!;
  const steps = deliverySteps(host, shipment(ssh));
  const all = steps.flatMap((step) => step.describe);
  // No server here, yet a new binary is installed by the start script: the dry run says so.
  assert.ok(
    all.some((l) => l.startsWith("install the binary (if a new one was copied): ssh lab2")),
  );
  assert.ok(
    all.includes(
      "print for client alice: cd ~/.dbgremote && ./dbgremote run lab.toml --node alice",
    ),
  );
  const d = newDelivery(true);
  for (const step of steps) await step.run(d);
  assert.deepEqual(ssh.did, steps.flatMap((step) => commands(step.describe, ssh, "lab2")));
  assert.deepEqual(d.byHand, ["alice on lab2"]);

  // With the same binary there and no server, the start script is not run at all.
  const same = recordingSsh();
  const d2 = newDelivery(false);
  for (const step of deliverySteps(host, shipment(same))) await step.run(d2);
  assert.deepEqual(same.did, [
    "ssh lab2",
    "scp lab.toml lab2:.dbgremote/lab.toml",
    "scp certs/lab.crt lab2:.dbgremote/certs/lab.crt",
  ]);
});
