/**
 * The scripts ship runs remotely, run here by the local sh (in a scratch home),
 * with a stand-in dbgremote: what they find, stop, start and report.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  dirWord,
  judgeInstalled,
  parseProbe,
  parseStart,
  parseVersion,
  platformOfUname,
  type Probe,
  probeScript,
  shellQuote,
  startScript,
} from "../../src/ship/remote.ts";

const OURS = { release: "0.2.0", protocol: "1.3" };

function sh(script: string, home: string): string {
  return execFileSync("sh", ["-s"], {
    input: script,
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: home },
    timeout: 30_000,
  });
}

function home(): { dir: string } & Disposable {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-ship-home-"));
  return { dir, [Symbol.dispose]: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

Deno.test("shellQuote and dirWord survive the shell", () => {
  using h = home();
  const nasty = `it's $HOME; "quoted" \`cmd\``;
  assert.equal(sh(`printf %s ${shellQuote(nasty)}`, h.dir), nasty);
  assert.equal(sh(`printf %s ${dirWord(".dbgremote")}`, h.dir), `${h.dir}/.dbgremote`);
  assert.equal(sh(`printf %s ${dirWord("/opt/lab")}`, h.dir), "/opt/lab");
});

Deno.test("probe: an empty home, then an installed copy answering version --json", () => {
  using h = home();
  const empty = parseProbe(sh(probeScript(".dbgremote"), h.dir));
  assert.equal(empty.exists, false);
  assert.equal(empty.complete, true);
  assert.match(empty.uname ?? "", /^Linux /);
  fs.mkdirSync(path.join(h.dir, ".dbgremote"));
  fs.writeFileSync(
    path.join(h.dir, ".dbgremote", "dbgremote"),
    `#!/bin/sh\n[ "$1 $2" = "version --json" ] && echo '{"name":"dbgremote","release":"0.1.0","protocol":"1.0"}'\n`,
    { mode: 0o755 },
  );
  const found = parseProbe(sh(probeScript(".dbgremote"), h.dir));
  assert.equal(found.exists, true);
  assert.deepEqual(parseVersion(found.versionText), { release: "0.1.0", protocol: "1.0" });
  assert.match(found.sha256 ?? "", /^[0-9a-f]{64}$/);
});

Deno.test("parseVersion: version --json, and the text of releases before it", () => {
  assert.deepEqual(parseVersion('{"release":"0.3.1","protocol":"2.0","runtime":"bun"}'), {
    release: "0.3.1",
    protocol: "2.0",
  });
  assert.deepEqual(parseVersion("dbgremote 0.1.0\nprotocol 1.0\nruntime bun 1.4.5"), {
    release: "0.1.0",
    protocol: "1.0",
  });
  assert.equal(parseVersion("sh: 1: dbgremote: Permission denied"), undefined);
});

Deno.test("judgeInstalled: fresh, same, another release (warn), another protocol major (refuse)", () => {
  const probe = (versionText: string): Probe => ({ exists: true, versionText, complete: true });
  const at = "lab2:~/.dbgremote/dbgremote";
  assert.deepEqual(judgeInstalled(OURS, { exists: false, versionText: "", complete: true }, at), {
    kind: "fresh",
  });
  assert.deepEqual(judgeInstalled(OURS, probe('{"release":"0.2.0","protocol":"1.3"}'), at), {
    kind: "same",
  });
  const minor = judgeInstalled(OURS, probe('{"release":"0.1.0","protocol":"1.0"}'), at);
  assert.equal(minor.kind, "warn");
  const major = judgeInstalled(OURS, probe("dbgremote 0.0.9\nprotocol 0.9"), at);
  assert.ok(major.kind === "refuse");
  assert.equal(
    major.message,
    "lab2:~/.dbgremote/dbgremote is dbgremote 0.0.9 (protocol 0.9); this is dbgremote 0.2.0 " +
      "(protocol 1.3): a different protocol major, so whatever still runs it there could not " +
      "talk to this release's clients and servers",
  );
  const junk = judgeInstalled(OURS, probe("Segmentation fault"), at);
  assert.ok(junk.kind === "refuse");
  assert.match(
    junk.message,
    /not a dbgremote this one can judge: `version` answered "Segmentation fault"/,
  );
});

Deno.test("platformOfUname", () => {
  assert.equal(platformOfUname("Linux x86_64"), "linux-x64");
  assert.equal(platformOfUname("Linux aarch64"), "linux-arm64");
  assert.equal(platformOfUname("Darwin arm64"), "darwin-arm64");
  assert.equal(platformOfUname("Plan9 mips"), undefined);
});

Deno.test("start: installs the binary, starts each node detached, waits until it listens, restarts", () => {
  using h = home();
  const dir = path.join(h.dir, ".dbgremote");
  fs.mkdirSync(dir);
  // A stand-in dbgremote: `run LAB --node N` says it listens (twice for "two"), then stays up;
  // node "broken" fails at once, as a server with a missing password would.
  fs.writeFileSync(
    path.join(dir, "dbgremote.new"),
    `#!/bin/sh
node=$4
[ "$node" = broken ] && { echo "error[E_SECRET_MISSING]: LAB_PW is not set" >&2; exit 1; }
echo "*** server $node: gdb"
echo "*** listening on tcp:port=5005: pw=$LAB_PW"
[ "$node" = two ] && echo "*** listening on npipe:pipe=x"
trap 'kill $! 2>/dev/null; exit 0' TERM
sleep 30 & wait
`,
  );
  const nodes = [{ name: "one", endpoints: 1 }, { name: "two", endpoints: 2 }, {
    name: "broken",
    endpoints: 1,
  }];
  const script = startScript({
    dir: ".dbgremote",
    lab: "lab.toml",
    nodes,
    env: { LAB_PW: "it's secret" },
    newBinary: true,
    waitSeconds: 10,
  });
  assert.doesNotMatch(script, /sleep 30/);
  const pids: number[] = [];
  try {
    const first = parseStart(sh(script, h.dir), nodes.map((n) => n.name));
    pids.push(...first.flatMap((s) => (s.pid ? [s.pid] : [])));
    assert.deepEqual(first.map((s) => s.status), ["started", "started", "failed"]);
    assert.equal(fs.existsSync(path.join(dir, "dbgremote.new")), false);
    assert.equal(fs.statSync(path.join(dir, "dbgremote")).mode & 0o777, 0o755);
    // The password reached the process through the environment the script set.
    assert.match(fs.readFileSync(path.join(dir, "one.log"), "utf8"), /pw=it's secret/);
    assert.match(first[2].log.join("\n"), /E_SECRET_MISSING/);
    // Again: the previous instances (found by their pid files and command lines) are stopped first.
    const again = parseStart(
      sh(
        startScript({
          dir: ".dbgremote",
          lab: "lab.toml",
          nodes: nodes.slice(0, 1),
          env: {},
          newBinary: false,
        }),
        h.dir,
      ),
      ["one"],
    );
    assert.equal(again[0].stopped, first[0].pid);
    assert.equal(again[0].status, "started");
    assert.notEqual(again[0].pid, first[0].pid);
    pids.push(again[0].pid!);
    assert.throws(() => process.kill(first[0].pid!, 0)); // gone
  } finally {
    for (const pid of pids) {
      try {
        process.kill(-pid, "SIGKILL"); // setsid made each the leader of its own group
      } catch {
        // gone already
      }
    }
  }
});

Deno.test("start: a stale pid file never stops another node's process (db is not db2, a.b is not axb)", () => {
  using h = home();
  const dir = path.join(h.dir, ".dbgremote");
  fs.mkdirSync(dir);
  fs.writeFileSync(
    path.join(dir, "dbgremote"),
    `#!/bin/sh
echo "*** listening on tcp:port=5005"
trap 'kill $! 2>/dev/null; exit 0' TERM
sleep 30 & wait
`,
    { mode: 0o755 },
  );
  // Two servers a previous ship started, `db2` and `axb`; the pid files of `db` and `a.b` are
  // stale and point at them (their own processes died and the pids were reused).
  const others = ["db2", "axb"].map((node) =>
    Number(
      sh(
        `cd "$HOME/.dbgremote" && setsid nohup ./dbgremote run lab.toml --node ${node} >/dev/null 2>&1 </dev/null & echo $!`,
        h.dir,
      ).trim(),
    )
  );
  const pids = [...others];
  try {
    fs.writeFileSync(path.join(dir, "db.pid"), `${others[0]}\n`);
    fs.writeFileSync(path.join(dir, "a.b.pid"), `${others[1]}\n`);
    const nodes = [{ name: "db", endpoints: 1 }, { name: "a.b", endpoints: 1 }];
    const out = sh(
      startScript({ dir: ".dbgremote", lab: "lab.toml", nodes, env: {}, newBinary: false }),
      h.dir,
    );
    const started = parseStart(out, ["db", "a.b"]);
    pids.push(...started.flatMap((s) => (s.pid ? [s.pid] : [])));
    assert.deepEqual(started.map((s) => [s.status, s.stopped]), [
      ["started", undefined],
      ["started", undefined],
    ]);
    for (const pid of others) process.kill(pid, 0); // still running: throws if not
    assert.deepEqual(started[1].log, ["*** listening on tcp:port=5005"]);
  } finally {
    for (const pid of pids) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // gone already
      }
    }
  }
});
