/**
 * The system's ssh and scp clients, run non-interactively (BatchMode: a key
 * or an agent, never a password prompt), with the user's extra `-o` options.
 * Scripts go to the remote `sh -s` on stdin, never in a command line.
 */
import { spawn } from "node:child_process";
import { DbgRemoteError } from "../errors.ts";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface SshOptions {
  /** Extra `-o` options (`--ssh-option`), e.g. "Port=2222". */
  options: string[];
  /** Give up on a remote script after this long (default 120 s). */
  timeoutMs?: number;
  /** The programs, for tests (default "ssh", "scp"). */
  ssh?: string;
  scp?: string;
}

/** The ssh/scp options every call gets. */
export function commonOptions(extra: string[]): string[] {
  return [
    "-o",
    "BatchMode=yes",
    "-o",
    "ConnectTimeout=10",
    "-o",
    "ServerAliveInterval=15",
    "-o",
    "ServerAliveCountMax=4",
    ...extra.flatMap((o) => ["-o", o]),
  ];
}

function run(
  program: string,
  args: string[],
  input: string | undefined,
  timeoutMs: number | undefined,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr!.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    child.stdin!.on("error", () => {}); // it may exit before reading everything
    const timer = timeoutMs
      ? setTimeout(() => {
        child.kill("SIGKILL");
        stderr += `\n(no answer within ${Math.round(timeoutMs / 1000)} s)`;
      }, timeoutMs)
      : undefined;
    child.on("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new DbgRemoteError(
          "E_SHIP",
          err.code === "ENOENT"
            ? `cannot run ${program}: it is not installed here`
            : `cannot run ${program}: ${err.message}`,
          { hint: "ship needs the OpenSSH client (Debian/Ubuntu: apt-get install openssh-client)" },
        ),
      );
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 255, stdout, stderr });
    });
    child.stdin!.end(input ?? "");
  });
}

/** scp's `[user@]host:path`; an IPv6 address goes in brackets, or its colons would end the host. */
export function scpTarget(destination: string, remote: string): string {
  const at = destination.lastIndexOf("@");
  const host = destination.slice(at + 1);
  return `${destination.slice(0, at + 1)}${host.includes(":") ? `[${host}]` : host}:${remote}`;
}

export interface Ssh {
  /** The command line that runs a script on `destination`, for --dry-run. */
  describeRun(destination: string): string;
  describeCopy(local: string, destination: string, remote: string): string;
  /** Run a POSIX shell script on `destination`. */
  run(destination: string, script: string): Promise<RunResult>;
  /** Copy one file, keeping its mode. `remote` is relative to the login's home unless absolute. */
  copy(local: string, destination: string, remote: string): Promise<RunResult>;
}

export function createSsh(o: SshOptions): Ssh {
  const ssh = o.ssh ?? "ssh";
  const scp = o.scp ?? "scp";
  const common = commonOptions(o.options);
  const runArgs = (destination: string) => [...common, "--", destination, "sh", "-s"];
  const copyArgs = (local: string, destination: string, remote: string) => [
    "-q",
    "-p",
    ...common,
    "--",
    local,
    scpTarget(destination, remote),
  ];
  const show = (args: string[]) =>
    args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(
      " ",
    );
  return {
    describeRun: (destination) => `${ssh} ${show(runArgs(destination))}`,
    describeCopy: (local, destination, remote) =>
      `${scp} ${show(copyArgs(local, destination, remote))}`,
    run: (destination, script) => run(ssh, runArgs(destination), script, o.timeoutMs ?? 120_000),
    copy: (local, destination, remote) =>
      run(scp, copyArgs(local, destination, remote), undefined, undefined),
  };
}

/** An ssh failure as a message with a way out. */
export function sshFailure(host: string, what: string, r: RunResult): DbgRemoteError {
  const said = r.stderr.trim().split("\n").filter(Boolean).slice(-3).join("; ") ||
    `exit code ${r.code}`;
  const hint = /Permission denied|publickey/i.test(r.stderr)
    ? `ship logs in with a key, never a password: check \`ssh ${host} true\` works (ssh-copy-id ${host}), or set ssh_user in the lab`
    : /Could not resolve|Name or service not known/i.test(r.stderr)
    ? `the host name "${host}" does not resolve here: check the lab's host, or add it to ~/.ssh/config`
    : /Host key verification failed/i.test(r.stderr)
    ? `this machine does not know ${host}'s host key yet: connect once with \`ssh ${host}\` to check and accept it`
    : /timed out|Connection refused|No route/i.test(r.stderr)
    ? `is ${host} up, with an ssh server? (\`ssh ${host} true\` must work; --ssh-option Port=N for another port)`
    : `check that \`ssh ${host} true\` works from here`;
  return new DbgRemoteError("E_SHIP", `${host}: ${what} failed: ${said}`, { hint });
}
