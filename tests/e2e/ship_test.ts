/**
 * `dbgremote ship` against real OpenSSH servers on test hosts: the binary, the
 * lab and its certificates arrive, the server starts in the background and a
 * client on another host works through it; a host with a dbgremote of another
 * protocol refuses the whole shipment before anything changes.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { PROTOCOL, RELEASE } from "../../src/version.ts";
import { BINARY, withScratch } from "./harness.ts";
import { NetLab, netnsUnavailable, reportSkip } from "./netns.ts";
import { sshdUnavailable, SshHosts } from "./sshd.ts";

const skip = netnsUnavailable() ?? sshdUnavailable();
reportSkip(skip, "ship tests over ssh (tests/e2e/ship_test.ts)");

const LAB = `# shipped by the test
[lab]
name = "shipped"
ssh_user = "root"

[nodes.target]
host = "lab1"
engine = { kind = "gdb", program = "{sample}" }
listen = [
  "tcp:port=5005,password_env=SHIP_PW",
  "ssl:port=5006,certfile=certs/lab.crt,keyfile=certs/lab.key,password_env=SHIP_PW",
]
noio = true

[nodes.alice]
host = "lab2"
connect = "target"
cafile = "certs/lab.crt"
user = "alice"
`;

/** A literal for a RegExp source. */
const esc = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function sha256(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** The admin host, two lab hosts with sshd, and the lab (with its certificate) on admin. */
async function shipLab(tmp: { dir: string; env: Record<string, string> }) {
  const lab = await NetLab.create(["admin", "lab1", "lab2"]);
  let sshd: SshHosts;
  try {
    // Sessions there build the sample and make pipes in the test's directories, not in /tmp.
    sshd = await SshHosts.start(lab, ["lab1", "lab2"], tmp.env);
  } catch (err) {
    await lab[Symbol.asyncDispose]();
    throw err;
  }
  const labDir = path.join(tmp.dir, "lab");
  fs.mkdirSync(labDir);
  fs.writeFileSync(path.join(labDir, "shipped.toml"), LAB);
  const cert = lab.spawn("admin", [
    "cert",
    "--host",
    "lab1",
    "--name",
    "lab",
    "--out",
    path.join(labDir, "certs"),
  ]);
  assert.equal((await cert.wait()).code, 0, cert.stderr);
  const env = { ...tmp.env, SHIP_PW: "ship it" };
  const ship = (...args: string[]) =>
    lab.spawn("admin", [
      "ship",
      "shipped.toml",
      ...sshd.options.flatMap((o) => ["--ssh-option", o]),
      ...args,
    ], { env, cwd: labDir, name: "admin: ship" });
  return { lab, sshd, labDir, env, ship };
}

Deno.test({
  name: "ship: binary, lab and certificates reach two hosts; the server runs; a client works there",
  ignore: skip !== undefined,
  async fn() {
    await using tmp = withScratch();
    const { lab, sshd, ship, env } = await shipLab(tmp);
    await using _lab = lab;
    await using _sshd = sshd;

    const first = ship();
    assert.equal((await first.wait(120_000)).code, 0, first.stdout + first.stderr);
    const out = first.stdout;
    assert.match(out, /lab1: Linux x86_64; no dbgremote in ~\/\.dbgremote yet/);
    assert.match(
      out,
      /lab1: copied dbgremote \(\d+ MB, [\d.]+ s\), shipped\.toml, certs\/lab\.crt, certs\/lab\.key\n/,
    );
    // lab2 runs only a client: it gets the certificate, never the key.
    assert.match(
      out,
      /lab2: copied dbgremote \(\d+ MB, [\d.]+ s\), shipped\.toml, certs\/lab\.crt\n/,
    );
    assert.match(out, /lab1: started target \(pid \d+\), log ~\/\.dbgremote\/target\.log\n/);
    assert.match(out, / {4}\*\*\* listening on ssl:port=5006/);
    const printed =
      /lab2: alice is a client[^\n]*\(set SHIP_PW there first\):\n {4}(cd ~\/\.dbgremote && \.\/dbgremote run shipped\.toml --node alice)\n/
        .exec(out);
    assert.ok(printed, out);
    assert.match(out, /done: started target on lab1; start by hand: alice on lab2/);

    // What arrived, on each host's own disk.
    const at = (host: string, f: string) => path.join(sshd.home(host), ".dbgremote", f);
    assert.equal(sha256(at("lab1", "dbgremote")), sha256(BINARY));
    assert.equal(sha256(at("lab2", "dbgremote")), sha256(BINARY));
    assert.equal(fs.statSync(at("lab1", "certs/lab.key")).mode & 0o777, 0o600);
    assert.equal(fs.existsSync(at("lab2", "certs/lab.key")), false);
    assert.equal(fs.existsSync(at("lab2", "dbgremote.new")), false);
    // The password went inside the script, never into a file or a command line there.
    assert.doesNotMatch(fs.readFileSync(at("lab1", "target.log"), "utf8"), /ship it/);

    // The command ship printed, typed on lab2 (over ssh from admin, stdin a pipe).
    const alice = lab.spawnProgram("admin", [
      "ssh",
      ...sshd.options.flatMap((o) => ["-o", o]),
      "root@lab2",
      `export SHIP_PW='${env.SHIP_PW}'; ${printed[1]}`,
    ], { name: "lab2: alice" });
    await alice.waitFor("*** connected to target on lab1", { timeoutMs: 30_000 });
    alice.send("print 6*7");
    await alice.waitFor(/alice@lab2> print 6\*7\n\$1 = 42/);
    alice.send(".clients");
    await alice.waitFor(/alice@lab2 +operator +ssl:198\.18\.0\.3:\d+/); // over TLS, by node name + cafile

    // Shipping again: the same binary is not copied again; the running server is restarted.
    const again = ship("--node", "target");
    assert.equal((await again.wait(120_000)).code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /lab1: Linux x86_64; this same dbgremote is there already/);
    assert.match(
      again.stdout,
      /lab1: copied shipped\.toml, certs\/lab\.crt, certs\/lab\.key \(dbgremote itself is up to date\)/,
    );
    assert.match(again.stdout, /lab1: stopped the target a previous ship started \(pid \d+\)/);
    assert.match(again.stdout, /lab1: started target \(pid \d+\)/);
    assert.doesNotMatch(again.stdout, /lab2/);
    await alice.waitFor(/session ended: the server was stopped \(SIGTERM\)/);
    assert.equal((await alice.wait()).code, 0);
  },
});

Deno.test({
  name:
    "ship: a host with another protocol's dbgremote refuses the whole shipment; another release is replaced",
  ignore: skip !== undefined,
  async fn() {
    await using tmp = withScratch();
    const { lab, sshd, ship } = await shipLab(tmp);
    await using _lab = lab;
    await using _sshd = sshd;
    // lab1: an older release of this protocol (JSON answer); lab2: a release before
    // `version --json` that speaks protocol 0.9 (text answer).
    const fake = (host: string, script: string) => {
      const dir = path.join(sshd.home(host), ".dbgremote");
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "dbgremote"), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
      return path.join(dir, "dbgremote");
    };
    const old1 = fake(
      "lab1",
      `echo '{"name":"dbgremote","release":"0.0.1","protocol":"1.0","runtime":"bun","platform":"linux-x64"}'`,
    );
    const old2 = fake("lab2", `printf 'dbgremote 0.0.9\\nprotocol 0.9\\nruntime bun 1.0.0\\n'`);
    const before = [sha256(old1), sha256(old2)];

    const refused = ship();
    assert.equal((await refused.wait(60_000)).code, 3, refused.stdout + refused.stderr);
    assert.match(
      refused.stderr,
      new RegExp(
        `error\\[E_SHIP\\]: lab2:~/\\.dbgremote/dbgremote is dbgremote 0\\.0\\.9 \\(protocol 0\\.9\\); this is dbgremote ${
          esc(RELEASE)
        } \\(protocol ${esc(PROTOCOL)}\\): a different protocol major`,
      ),
    );
    assert.match(
      refused.stderr,
      /hint: nothing was shipped; .*ssh HOST rm ~\/\.dbgremote\/dbgremote/,
    );
    assert.match(refused.stderr, /nothing was shipped: 1 host problem\(s\) above/);
    // Nothing changed anywhere, not even on lab1, which was fine.
    assert.deepEqual([sha256(old1), sha256(old2)], before);
    assert.equal(fs.existsSync(path.join(sshd.home("lab1"), ".dbgremote", "shipped.toml")), false);

    // Once the old copy on lab2 is gone, ship goes ahead; lab1's older release is replaced, with a warning.
    fs.rmSync(old2);
    const shipped = ship();
    assert.equal((await shipped.wait(120_000)).code, 0, shipped.stdout + shipped.stderr);
    assert.match(
      shipped.stderr,
      new RegExp(
        `warning: lab1:~/\\.dbgremote/dbgremote is dbgremote 0\\.0\\.1 \\(protocol 1\\.0\\); replacing it with dbgremote ${
          esc(RELEASE)
        } \\(protocol ${esc(PROTOCOL)}\\)`,
      ),
    );
    assert.equal(sha256(old1), sha256(BINARY));
    assert.match(shipped.stdout, /lab1: started target/);
  },
});

Deno.test({
  name: "ship: --dry-run shows every step and contacts nobody; from source it refuses",
  ignore: skip !== undefined,
  async fn() {
    await using tmp = withScratch();
    const labDir = path.join(tmp.dir, "lab");
    fs.mkdirSync(path.join(labDir, "certs"), { recursive: true });
    fs.writeFileSync(path.join(labDir, "shipped.toml"), LAB);
    for (const f of ["lab.crt", "lab.key"]) fs.writeFileSync(path.join(labDir, "certs", f), "x");
    // No namespaces, no sshd: a dry run must not need them (lab1 does not even resolve here).
    const dry = tmp.spawn("dry", ["ship", "shipped.toml", "--dry-run"], {
      SHIP_PW: "secret value",
    }, { cwd: labDir });
    assert.equal((await dry.wait()).code, 0, dry.stderr);
    assert.match(dry.stdout, /dry run: nothing is contacted or copied/);
    assert.match(dry.stdout, /ssh -o BatchMode=yes .* -- root@lab1 sh -s {2}< probe script/);
    assert.match(
      dry.stdout,
      /scp -q -p .* -- \S+\/dbgremote root@lab1:\.dbgremote\/dbgremote\.new/,
    );
    assert.match(
      dry.stdout,
      /copy target's keyfile: scp .* certs\/lab\.key root@lab1:\.dbgremote\/certs\/lab\.key/,
    );
    assert.match(dry.stdout, /passing SHIP_PW=\*\*\* inside the script/);
    assert.match(
      dry.stdout,
      /print for client alice: cd ~\/\.dbgremote && \.\/dbgremote run shipped\.toml --node alice/,
    );
    assert.doesNotMatch(dry.stdout + dry.stderr, /secret value/);
    // From source there is no binary to ship: a clear refusal, not a copy of the deno runtime.
    const main = path.resolve(import.meta.dirname!, "../../main.ts");
    const fromSource = spawnSync(Deno.execPath(), ["run", "-A", main, "ship", "shipped.toml"], {
      cwd: labDir,
      env: { ...process.env, ...tmp.env },
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(fromSource.status, 1, fromSource.stderr);
    assert.match(fromSource.stderr, /E_SHIP\]: .*this is dbgremote running from source \(deno/);
    assert.match(
      fromSource.stderr,
      /hint: build it \(deno task compile\), then run: dist\/dbgremote ship/,
    );
    // A missing certificate is named before any host is contacted.
    fs.rmSync(path.join(labDir, "certs", "lab.key"));
    const missing = tmp.spawn("missing", ["ship", "shipped.toml"], {}, { cwd: labDir });
    assert.equal((await missing.wait()).code, 1);
    assert.match(
      missing.stderr,
      /E_SHIP\]: files the lab names are missing here: \S*certs\/lab\.key \(target's keyfile, for lab1\)/,
    );
  },
});
