/**
 * What `ship` does on each host, as a list of steps. Each step says what it does
 * (the dry run prints that) and does it (the shipment runs that), from the same
 * data, so `--dry-run` shows exactly the steps a shipment runs.
 *
 * A host's steps: check what is there (every host is checked before anything is
 * copied anywhere), make the directory, copy the files, install the binary and
 * start the servers, hand the clients to a person.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { DbgRemoteError } from "../errors.ts";
import type { VersionInfo } from "../version.ts";
import type { HostPlan } from "./plan.ts";
import {
  dirLabel,
  judgeInstalled,
  parseProbe,
  parseStart,
  platformOfUname,
  prepareScript,
  type Probe,
  probeScript,
  scriptErrors,
  startScript,
} from "./remote.ts";
import { type Ssh, sshFailure } from "./ssh.ts";

/** One step: what it does, as `--dry-run` prints it (one or more lines), and doing it. */
export interface Step<S> {
  describe: string[];
  /** Do it; a problem is thrown (a DbgRemoteError), which ends the host's shipment. */
  run: (state: S) => Promise<void>;
}

/** What every step of a shipment knows. */
export interface Shipment {
  ssh: Ssh;
  /** This binary, the one shipped. */
  self: string;
  labFile: string;
  /** The lab file's name on the hosts. */
  labName: string;
  /** The directory on the hosts (relative: under the login's home). */
  dir: string;
  /** The password variables set here, by name: passed to the servers inside the start script. */
  secrets: Record<string, string>;
}

/** A line of a host's report. */
export interface Line {
  error: boolean;
  text: string;
}

/** What checking the hosts gathers, host by host. */
export interface Inspection {
  /** The sha256 of this binary: a host with the same one does not get it again. */
  ours: string;
  probes: Map<HostPlan, Probe>;
  problems: DbgRemoteError[];
  /** A host refuses the shipment (another OS or CPU, another protocol major). */
  refused: boolean;
  say: (line: Line) => void;
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    fs.createReadStream(file).on("data", (c) => hash.update(c)).on("error", reject).on(
      "end",
      () => resolve(hash.digest("hex")),
    );
  });
}

/** The first step, run on every host before any other: what is there? Changes nothing. */
export function checkStep(
  h: HostPlan,
  s: Shipment,
  us: { version: VersionInfo; os: string },
): Step<Inspection> {
  const where = dirLabel(s.dir);
  return {
    describe: [`check what is there:   ${s.ssh.describeRun(h.destination)}  < probe script`],
    run: async (state) => {
      const r = await s.ssh.run(h.destination, probeScript(s.dir));
      const probe = parseProbe(r.stdout);
      if (r.code !== 0 || !probe.complete) {
        state.problems.push(sshFailure(h.host, `ssh ${h.destination}`, r));
        return;
      }
      state.probes.set(h, probe);
      const theirs = probe.uname ? platformOfUname(probe.uname) : undefined;
      if (theirs && theirs !== us.os) {
        state.refused = true;
        state.problems.push(
          new DbgRemoteError(
            "E_SHIP",
            `${h.host} is ${probe.uname} (${theirs}); this binary is for ${us.os}`,
            {
              hint:
                `build one for it, e.g. bun build --compile --target=bun-${theirs} main.ts, and ship that`,
            },
          ),
        );
        return;
      }
      const verdict = judgeInstalled(us.version, probe, `${h.host}:${where}/dbgremote`);
      if (verdict.kind === "refuse") {
        state.refused = true;
        state.problems.push(new DbgRemoteError("E_SHIP", verdict.message, { hint: verdict.hint }));
      } else if (verdict.kind === "warn") {
        state.say({ error: true, text: `warning: ${verdict.message}\n` });
      }
      state.say({
        error: false,
        text: `${h.host}: ${probe.uname ?? "?"}; ${
          !probe.exists
            ? `no dbgremote in ${where} yet`
            : probe.sha256 === state.ours
            ? "this same dbgremote is there already"
            : `dbgremote there: ${probe.versionText.split("\n")[0].slice(0, 100)}`
        }\n`,
      });
    },
  };
}

/** What a host's delivery steps share while they run, and what they report. */
export interface Delivery {
  /** The binary there is not this one: it is copied, then installed by the start script. */
  newBinary: boolean;
  lines: Line[];
  /** What reached the host so far, as the report names it. */
  copied: string[];
  /** Still true while a failure would leave what ran on the host before untouched. */
  untouched: boolean;
  started: string[];
  byHand: string[];
  /** A node did not start (a failed step is reported by whoever runs the steps). */
  failed: boolean;
}

/** A host's delivery before its first step. */
export function newDelivery(newBinary: boolean): Delivery {
  return {
    newBinary,
    lines: [],
    copied: [],
    untouched: true,
    started: [],
    byHand: [],
    failed: false,
  };
}

/** What a person types on a client's host. */
export function clientCommand(dir: string, lab: string, node: string): string {
  return `cd ${dirLabel(dir)} && ./dbgremote run ${lab} --node ${node}`;
}

function megabytes(file: string): string {
  return `${Math.round(fs.statSync(file).size / 1e6)} MB`;
}

/** The steps after every host was checked, in order. */
export function deliverySteps(h: HostPlan, s: Shipment): Step<Delivery>[] {
  const where = dirLabel(s.dir);
  const say = (d: Delivery, text: string) => d.lines.push({ error: false, text });
  const subdirs = [...new Set(h.assets.map((a) => path.dirname(a.name)).filter((d) => d !== "."))];
  const make: Step<Delivery> = {
    describe: [`make ${where}:  ${s.ssh.describeRun(h.destination)}  < mkdir script`],
    run: async () => {
      const prep = await s.ssh.run(h.destination, prepareScript(s.dir, subdirs));
      if (prep.code !== 0 || !parseProbe(prep.stdout).complete) {
        throw sshFailure(h.host, `making ${where}`, prep);
      }
    },
  };

  // The binary goes as dbgremote.new (installed by the start script), and only when it is new there.
  const files = [
    {
      what: "the binary (unless the same one is there)",
      local: s.self,
      name: "dbgremote.new",
      binary: true,
    },
    { what: "the lab", local: s.labFile, name: s.labName, binary: false },
    ...h.assets.map((a) => ({ what: a.why, local: a.local, name: a.name, binary: false })),
  ];
  const copy: Step<Delivery> = {
    describe: [
      ...files.map((f) =>
        `copy ${f.what}: ${s.ssh.describeCopy(f.local, h.destination, `${s.dir}/${f.name}`)}`
      ),
      ...h.absolute.map((f) => `(${f} is named by absolute path: it must be on ${h.host} already)`),
    ],
    run: async (d) => {
      for (const f of files) {
        if (f.binary && !d.newBinary) continue;
        const t0 = Date.now();
        const r = await s.ssh.copy(f.local, h.destination, `${s.dir}/${f.name}`);
        if (r.code !== 0) throw sshFailure(h.host, `copying ${f.local}`, r);
        d.copied.push(
          f.binary
            ? `dbgremote (${megabytes(f.local)}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`
            : f.name,
        );
      }
      say(
        d,
        `${h.host}: copied ${d.copied.join(", ")}${
          d.newBinary ? "" : " (dbgremote itself is up to date)"
        }\n`,
      );
    },
  };

  const steps = [make, copy, startStep(h, s)];
  for (const c of h.clients) {
    const cmd = clientCommand(s.dir, s.labName, c.name);
    const pw = c.role === "client" && c.connect.spec.passwordEnv
      ? ` (set ${c.connect.spec.passwordEnv} there first)`
      : "";
    steps.push({
      describe: [`print for client ${c.name}: ${cmd}`],
      run: async (d) => {
        d.byHand.push(`${c.name} on ${h.host}`);
        say(
          d,
          `${h.host}: ${c.name} is a client: it needs a person at a terminal there. On ${h.host}, type${pw}:\n` +
            `    ${cmd}\n  or from here: ssh -t ${h.destination} '${cmd}'\n`,
        );
      },
    });
  }
  return steps;
}

/**
 * Install the new binary (if one was copied) and (re)start the host's servers,
 * in one script: the passwords go inside it, never in a command line.
 */
function startStep(h: HostPlan, s: Shipment): Step<Delivery> {
  const where = dirLabel(s.dir);
  const nodes = h.servers.map((n) => ({
    name: n.name,
    endpoints: n.role === "server" ? n.listen.length : 0,
  }));
  const run = `${s.ssh.describeRun(h.destination)}  < start script`;
  const vars = h.secrets.map((v) => (v in s.secrets ? `${v}=***` : `${v} (not set here!)`));
  return {
    describe: nodes.length
      ? [
        `start ${nodes.map((n) => n.name).join(", ")} in the background: ${run}` +
        `${vars.length ? ` (passing ${vars.join(", ")} inside the script)` : ""}`,
        ...nodes.map((n) =>
          `    nohup ./dbgremote run ${s.labName} --node ${n.name} > ${n.name}.log 2>&1 &`
        ),
      ]
      : [`install the binary (if a new one was copied): ${run}`],
    run: async (d) => {
      if (!nodes.length && !d.newBinary) return;
      const env = Object.fromEntries(
        h.secrets.filter((v) => v in s.secrets).map((v) => [v, s.secrets[v]]),
      );
      d.untouched = false;
      const r = await s.ssh.run(
        h.destination,
        startScript({ dir: s.dir, lab: s.labName, nodes, env, newBinary: d.newBinary }),
      );
      const errors = scriptErrors(r.stdout);
      if (r.code !== 0 || errors.length || !parseProbe(r.stdout).complete) {
        throw new DbgRemoteError(
          "E_SHIP",
          `${h.host}: starting failed: ${
            errors.join("; ") || r.stderr.trim() || `exit code ${r.code}`
          }`,
          { hint: `look on ${h.host} in ${where} (NODE.log, NODE.pid)` },
        );
      }
      for (const st of parseStart(r.stdout, nodes.map((n) => n.name))) {
        const log = `${where}/${st.node}.log`;
        if (st.stopped) {
          d.lines.push({
            error: false,
            text: `${h.host}: stopped the ${st.node} a previous ship started (pid ${st.stopped})\n`,
          });
        }
        if (st.status === "started") {
          d.started.push(`${st.node} on ${h.host}`);
          d.lines.push({
            error: false,
            text: `${h.host}: started ${st.node} (pid ${st.pid}), log ${log}\n`,
          });
          for (const l of st.log.filter((l) => l.startsWith("*** listening on"))) {
            d.lines.push({ error: false, text: `    ${l}\n` });
          }
        } else {
          d.failed = true;
          d.lines.push({
            error: true,
            text: `${h.host}: ${st.node} ${
              st.status === "slow"
                ? `is not listening yet after 60 s (pid ${st.pid})`
                : "did not start"
            }; the end of ${log}:\n${st.log.map((l) => `    ${l}\n`).join("")}`,
          });
        }
      }
    },
  };
}
