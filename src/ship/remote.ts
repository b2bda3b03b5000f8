/**
 * The POSIX shell scripts `ship` runs on a lab's hosts (fed to `sh -s` over
 * ssh, so secrets never appear in a command line), and the reading of what
 * they print back: `@@key value` lines. Also the judgement of a dbgremote
 * already installed there. Pure.
 */
import type { VersionInfo } from "../version.ts";

/** Quote for a POSIX shell: 'it'\''s'. */
export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** The remote directory as a shell word: relative paths are under the login's home. */
export function dirWord(dir: string): string {
  return dir.startsWith("/") ? shellQuote(dir) : `"$HOME"/${shellQuote(dir)}`;
}

/** How people see the remote directory: `~/.dbgremote`. */
export function dirLabel(dir: string): string {
  return dir.startsWith("/") ? dir : `~/${dir}`;
}

/** Find out what is there: the machine's OS and CPU, and any dbgremote in `dir`. Changes nothing. */
export function probeScript(dir: string): string {
  return `dir=${dirWord(dir)}
echo "@@uname $(uname -s -m 2>/dev/null)"
if [ -e "$dir/dbgremote" ]; then
  echo "@@exists"
  "$dir/dbgremote" version --json 2>&1 | head -n 5 | sed 's/^/@@version /'
  if command -v sha256sum >/dev/null 2>&1; then
    echo "@@sha256 $(sha256sum "$dir/dbgremote" | cut -d ' ' -f 1)"
  fi
fi
echo "@@done"
`;
}

export interface Probe {
  /** `uname -s -m`, e.g. "Linux x86_64". */
  uname?: string;
  exists: boolean;
  /** What the installed copy's `version --json` (or an older `version`) printed. */
  versionText: string;
  sha256?: string;
  /** The script ran to its end (else the output was cut off). */
  complete: boolean;
}

function lines(output: string, key: string): string[] {
  const prefix = `@@${key}`;
  return output.split("\n").filter((l) => l === prefix || l.startsWith(prefix + " ")).map((l) =>
    l.slice(prefix.length + 1)
  );
}

export function parseProbe(output: string): Probe {
  return {
    uname: lines(output, "uname")[0]?.trim() || undefined,
    exists: lines(output, "exists").length > 0,
    versionText: lines(output, "version").join("\n"),
    sha256: lines(output, "sha256")[0]?.trim() || undefined,
    complete: lines(output, "done").length > 0,
  };
}

/**
 * The release and protocol in a `version` answer: the JSON line of `version --json`,
 * or the text of releases before it (`dbgremote 0.1.0` / `protocol 1.0`).
 */
export function parseVersion(text: string): VersionInfo | undefined {
  for (const line of text.split("\n")) {
    if (!line.trim().startsWith("{")) continue;
    try {
      const v = JSON.parse(line);
      if (typeof v.release === "string" && typeof v.protocol === "string") {
        return { release: v.release, protocol: v.protocol };
      }
    } catch {
      // not the JSON line
    }
  }
  const release = /^dbgremote (\S+)$/m.exec(text)?.[1];
  const protocol = /^protocol (\S+)$/m.exec(text)?.[1];
  return release && protocol ? { release, protocol } : undefined;
}

/** `uname -s -m` as this build names platforms (`process.platform-process.arch`). */
export function platformOfUname(uname: string): string | undefined {
  const [os, machine] = uname.trim().split(/\s+/);
  const osName = { Linux: "linux", Darwin: "darwin", FreeBSD: "freebsd" }[os];
  const arch = {
    x86_64: "x64",
    amd64: "x64",
    aarch64: "arm64",
    arm64: "arm64",
    armv7l: "arm",
    i686: "ia32",
  }[machine];
  return osName && arch ? `${osName}-${arch}` : undefined;
}

export type Verdict =
  | { kind: "fresh" }
  | { kind: "same" }
  | { kind: "warn"; message: string }
  | { kind: "refuse"; message: string; hint: string };

function major(protocol: string): string {
  return protocol.split(".")[0];
}

/**
 * May the dbgremote found at `where` be replaced by this one? A different
 * protocol major is refused (whatever still uses it there could not talk to
 * this one's peers); a different release is replaced with a warning.
 */
export function judgeInstalled(ours: VersionInfo, probe: Probe, where: string): Verdict {
  if (!probe.exists) return { kind: "fresh" };
  const theirs = parseVersion(probe.versionText);
  if (!theirs) {
    const said = probe.versionText.trim().split("\n")[0] || "nothing";
    return {
      kind: "refuse",
      message: `${where} is not a dbgremote this one can judge: \`version\` answered ${
        JSON.stringify(said.slice(0, 120))
      }`,
      hint:
        `nothing was shipped; if it may go, remove it (ssh HOST rm ${
          where.replace(/^[^:]*:/, "")
        }) ` +
        "or ship to another directory with --dir",
    };
  }
  const us = `dbgremote ${ours.release} (protocol ${ours.protocol})`;
  const them = `dbgremote ${theirs.release} (protocol ${theirs.protocol})`;
  if (major(theirs.protocol) !== major(ours.protocol)) {
    return {
      kind: "refuse",
      message: `${where} is ${them}; this is ${us}: a different protocol major, ` +
        "so whatever still runs it there could not talk to this release's clients and servers",
      hint: `nothing was shipped; to replace it anyway, stop what uses it and remove it ` +
        `(ssh HOST rm ${where.replace(/^[^:]*:/, "")}), or ship to another directory with --dir`,
    };
  }
  if (theirs.release !== ours.release) {
    return { kind: "warn", message: `${where} is ${them}; replacing it with ${us}` };
  }
  return { kind: "same" };
}

/** Make the remote directory (and the asset subdirectories) before copying. */
export function prepareScript(dir: string, subdirs: string[]): string {
  const made = subdirs.map((d) => ` "$dir"/${shellQuote(d)}`).join("");
  return `dir=${dirWord(dir)}
umask 077
mkdir -p "$dir"${made} && echo "@@done"
`;
}

export interface StartNode {
  name: string;
  /** How many `listening on` lines mean it is up. */
  endpoints: number;
}

export interface StartOptions {
  dir: string;
  /** The lab file's name in `dir`. */
  lab: string;
  nodes: StartNode[];
  /** Variables for the servers (their passwords), set in the script, never in argv. */
  env: Record<string, string>;
  /** The binary was uploaded as dbgremote.new: move it into place first. */
  newBinary: boolean;
  /** Wait at most this many seconds for the servers to listen. */
  waitSeconds?: number;
}

/**
 * Install the uploaded binary, stop what a previous ship started for these nodes
 * (by the pid file it left, checked against the process's command line), start
 * each node detached with its log in NODE.log, and wait until each listens on
 * every endpoint, dies, or the wait ends.
 */
export function startScript(o: StartOptions): string {
  const polls = Math.ceil((o.waitSeconds ?? 60) * 4);
  let s = `dir=${dirWord(o.dir)}
cd "$dir" || { echo "@@error cannot enter $dir"; exit 1; }
nap() { sleep 0.25 2>/dev/null || sleep 1; }
`;
  if (o.newBinary) {
    s +=
      `chmod 755 dbgremote.new && mv -f dbgremote.new dbgremote || { echo "@@error cannot install the binary"; exit 1; }
`;
  }
  for (const [k, v] of Object.entries(o.env)) s += `${k}=${shellQuote(v)}; export ${k}\n`;
  s += `if command -v setsid >/dev/null 2>&1; then detach=setsid; else detach=; fi
`;
  // Each node's files and labels go through shellQuote, whatever the lab's name rules allow.
  const q = (n: StartNode, suffix = "") => shellQuote(n.name + suffix);
  for (const n of o.nodes) {
    // The process a previous ship started for this node, recognised by its command line as a
    // fixed string, up to the space after the name: `--node db` must not match `--node db2`,
    // nor `a.b` match `axb` (/proc's cmdline ends each argument with a NUL, made a space).
    const ownLine = shellQuote(` run ${o.lab} --node ${n.name} `);
    s += `if [ -f ${q(n, ".pid")} ]; then
  old=$(cat ${q(n, ".pid")})
  if kill -0 "$old" 2>/dev/null && tr '\\0' ' ' < "/proc/$old/cmdline" 2>/dev/null | grep -qF -- ${ownLine}; then
    kill "$old"; i=0
    while kill -0 "$old" 2>/dev/null && [ $i -lt 40 ]; do nap; i=$((i+1)); done
    kill -0 "$old" 2>/dev/null && kill -9 "$old"
    printf '@@stopped %s %s\\n' ${q(n)} "$old"
  fi
fi
$detach nohup ./dbgremote run ${shellQuote(o.lab)} --node ${q(n)} > ${
      q(n, ".log")
    } 2>&1 < /dev/null &
echo $! > ${q(n, ".pid")}
`;
  }
  const listening = (n: StartNode) =>
    `[ "$(grep -c '^\\*\\*\\* listening on' ${q(n, ".log")})" -ge ${n.endpoints} ]`;
  const check = (n: StartNode) =>
    `if kill -0 "$(cat ${q(n, ".pid")})" 2>/dev/null; then ${listening(n)} || pending=1; fi`;
  s += `i=0
while [ $i -lt ${polls} ]; do
  pending=0
${o.nodes.map((n) => "  " + check(n)).join("\n")}
  [ $pending = 0 ] && break
  nap; i=$((i+1))
done
`;
  for (const n of o.nodes) {
    s += `pid=$(cat ${q(n, ".pid")})
if ! kill -0 "$pid" 2>/dev/null; then status=failed
elif ${listening(n)}; then status=started
else status=slow; fi
printf '@@%s %s %s\\n' "$status" ${q(n)} "$pid"
tail -n 20 ${
      q(n, ".log")
    } | while IFS= read -r line || [ -n "$line" ]; do printf '@@log %s %s\\n' ${q(n)} "$line"; done
`;
  }
  return s + `echo "@@done"\n`;
}

export interface Started {
  node: string;
  status: "started" | "failed" | "slow";
  pid?: number;
  /** The node's log (its last lines). */
  log: string[];
  /** A previous instance this ship stopped, by pid. */
  stopped?: number;
}

export function parseStart(output: string, nodes: string[]): Started[] {
  return nodes.map((node) => {
    const result: Started = { node, status: "failed", log: [] };
    for (const status of ["started", "failed", "slow"] as const) {
      const hit = lines(output, status).find((l) => l.split(" ")[0] === node);
      if (hit !== undefined) {
        result.status = status;
        const pid = Number(hit.split(" ")[1]);
        if (pid) result.pid = pid;
      }
    }
    const stopped = lines(output, "stopped").find((l) => l.split(" ")[0] === node);
    if (stopped) result.stopped = Number(stopped.split(" ")[1]);
    result.log = lines(output, "log").filter((l) => l.split(" ")[0] === node).map((l) =>
      l.slice(node.length + 1)
    );
    return result;
  });
}

/** Lines `@@error ...` a script printed. */
export function scriptErrors(output: string): string[] {
  return lines(output, "error");
}
