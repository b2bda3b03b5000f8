/**
 * Real OpenSSH servers on test hosts (see netns.ts), for `dbgremote ship`:
 * one host key and one client key made for the test, root login by that key
 * only, and each host's home directory a directory of its own (a bind mount
 * over /root, private to that sshd), so hosts do not share files the way
 * namespaces on one machine otherwise would. Everything goes on dispose.
 *
 *   await using sshd = await SshHosts.start(lab, ["lab1", "lab2"]);
 *   sshd.options     // --ssh-option values that log in with the test's key
 *   sshd.home("lab1") // lab1's home directory, to look at what arrived
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Proc } from "./harness.ts";
import type { NetLab } from "./netns.ts";

/** Why sshd cannot be used here, or undefined when it can. */
export function sshdUnavailable(): string | undefined {
  for (const tool of ["/usr/sbin/sshd", "ssh", "scp", "ssh-keygen"]) {
    try {
      execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    } catch {
      return `${tool} is missing (openssh-server, openssh-client): run scripts/setup.sh`;
    }
  }
  return undefined;
}

export class SshHosts implements AsyncDisposable {
  readonly dir: string;
  /** `--ssh-option` values: the test's key and known hosts, nothing from ~/.ssh. */
  readonly options: string[];
  readonly #daemons: Proc[];
  readonly #madeRunDir: boolean;

  private constructor(dir: string, options: string[], daemons: Proc[], madeRunDir: boolean) {
    this.dir = dir;
    this.options = options;
    this.#daemons = daemons;
    this.#madeRunDir = madeRunDir;
  }

  /** `env`: variables every ssh session there gets (sshd's SetEnv), e.g. the test's sample dir. */
  static async start(
    lab: NetLab,
    hosts: string[],
    env: Record<string, string> = {},
  ): Promise<SshHosts> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-sshd-"));
    const keygen = (file: string) =>
      execFileSync("ssh-keygen", [
        "-q",
        "-t",
        "ed25519",
        "-N",
        "",
        "-C",
        "dbgremote-test",
        "-f",
        file,
      ]);
    keygen(path.join(dir, "host_ed25519"));
    keygen(path.join(dir, "id_ed25519"));
    fs.copyFileSync(path.join(dir, "id_ed25519.pub"), path.join(dir, "authorized_keys"));
    const hostKey = fs.readFileSync(path.join(dir, "host_ed25519.pub"), "utf8").split(" ")
      .slice(0, 2).join(" ");
    fs.writeFileSync(path.join(dir, "known_hosts"), `${hosts.join(",")} ${hostKey}\n`);
    fs.writeFileSync(
      path.join(dir, "sshd_config"),
      [
        "Port 22",
        "ListenAddress 0.0.0.0",
        `HostKey ${dir}/host_ed25519`,
        `AuthorizedKeysFile ${dir}/authorized_keys`,
        "PermitRootLogin prohibit-password", // for this test only
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "StrictModes no",
        "PidFile none",
        "Subsystem sftp internal-sftp",
        "LogLevel INFO",
        // One line: sshd takes the first SetEnv it reads.
        ...(Object.keys(env).length
          ? [`SetEnv ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(" ")}`]
          : []),
        "",
      ].join("\n"),
    );
    // sshd insists on its privilege-separation directory.
    const madeRunDir = !fs.existsSync("/run/sshd");
    if (madeRunDir) fs.mkdirSync("/run/sshd", { mode: 0o755 });
    const daemons: Proc[] = [];
    const sshd = new SshHosts(
      dir,
      [
        `IdentityFile=${dir}/id_ed25519`,
        "IdentitiesOnly=yes",
        `UserKnownHostsFile=${dir}/known_hosts`,
        "GlobalKnownHostsFile=/dev/null",
        "StrictHostKeyChecking=yes",
        "LogLevel=ERROR",
      ],
      daemons,
      madeRunDir,
    );
    try {
      for (const h of hosts) {
        const home = sshd.home(h);
        fs.mkdirSync(home, { mode: 0o700 });
        daemons.push(lab.spawnProgram(h, [
          "sh",
          "-c",
          'mount --bind "$1" /root && exec /usr/sbin/sshd -D -e -f "$2"',
          "sshd",
          home,
          path.join(dir, "sshd_config"),
        ], { name: `${h}: sshd` }));
      }
      for (const d of daemons) {
        await d.waitFor("Server listening on 0.0.0.0 port 22", { stream: "stderr" });
      }
    } catch (err) {
      await sshd[Symbol.asyncDispose]();
      throw err;
    }
    return sshd;
  }

  /** The home directory (~) of root on `host`, as the host's sshd and its sessions see it. */
  home(host: string): string {
    return path.join(this.dir, `home-${host}`);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Promise.allSettled(this.#daemons.map((d) => d[Symbol.asyncDispose]()));
    fs.rmSync(this.dir, { recursive: true, force: true });
    if (this.#madeRunDir) fs.rmSync("/run/sshd", { recursive: true, force: true });
  }
}
