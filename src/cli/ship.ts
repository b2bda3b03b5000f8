/**
 * `dbgremote ship LAB.toml [--node NAME]... [--ssh-option OPT]... [--dir DIR] [--dry-run]`:
 * copy this binary and the lab (with the certificates its nodes name) to each
 * of the lab's hosts over ssh, then start the servers there in the background.
 * Clients need a person at a terminal: ship prints the command to type there.
 *
 * Every host is checked before anything is copied anywhere: a host that is
 * unreachable, runs another OS or CPU, or already has a dbgremote of another
 * protocol major stops the whole shipment, so a lab is never left half-updated.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { DbgRemoteError, describeError, UsageError } from "../errors.ts";
import { inOrderBounded } from "../ship/bounded.ts";
import { type HostPlan, planShipment } from "../ship/plan.ts";
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
} from "../ship/remote.ts";
import { createSsh, type Ssh, sshFailure } from "../ship/ssh.ts";
import { type CliContext, EXIT } from "./context.ts";
import { readLab } from "./lab.ts";
import { parseCommandArgs } from "./args.ts";

const SAFE_PATH = /^[\w.+@%-][\w./+@%-]*$/;

function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    fs.createReadStream(file).on("data", (c) => hash.update(c)).on("error", reject).on(
      "end",
      () => resolve(hash.digest("hex")),
    );
  });
}

function megabytes(file: string): string {
  return `${Math.round(fs.statSync(file).size / 1e6)} MB`;
}

/** What a person types on a client's host. */
function clientCommand(dir: string, lab: string, node: string): string {
  return `cd ${dirLabel(dir)} && ./dbgremote run ${lab} --node ${node}`;
}

export async function shipCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const p = ctx.platform;
  const { values, positionals } = parseCommandArgs("ship", argv, {
    node: { type: "string", multiple: true },
    "ssh-option": { type: "string", multiple: true },
    dir: { type: "string", default: ".dbgremote" },
    "dry-run": { type: "boolean", default: false },
  });
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length
        ? `ship takes one lab file, got ${positionals.length}`
        : "ship needs a lab file",
      "for example: dbgremote ship lab.toml",
    );
  }
  const dir = values.dir!.replace(/\/+$/, "") || "/";
  if (!SAFE_PATH.test(dir.replace(/^\//, "")) && dir !== "/") {
    throw new UsageError(
      `--dir "${dir}" has characters ship does not pass through shells`,
      "use letters, digits and . _ - / (relative: under the login's home directory)",
    );
  }
  const labFile = positionals[0];
  const topo = readLab(labFile);
  const plan = planShipment(topo, labFile, values.node ?? []);
  const labName = path.basename(labFile);
  if (!SAFE_PATH.test(labName)) {
    throw new UsageError(
      `the lab file's name "${labName}" has characters ship does not pass through shells`,
      "rename it",
    );
  }
  for (const n of plan.anywhere) {
    p.stdout(
      `note: node ${n} names no host: nothing to ship for it (it runs wherever it is started)\n`,
    );
  }
  if (plan.hosts.length === 0) {
    throw new UsageError(
      `nothing to ship: no node of ${labFile}${
        values.node ? " picked by --node" : ""
      } names a host`,
      'give nodes a host (host = "lab1"): ship copies to those hosts over ssh',
    );
  }
  const self = p.selfExecutable;
  if (!self) {
    throw new DbgRemoteError(
      "E_SHIP",
      `ship copies this dbgremote binary to the lab's hosts, but this is dbgremote running from source (${p.runtime}): there is no binary to copy`,
      { hint: "build it (deno task compile), then run: dist/dbgremote ship " + labFile },
    );
  }
  // Everything that can be checked here is, before any host is contacted.
  const missing = plan.hosts.flatMap((h) =>
    h.assets.filter((a) => !fs.existsSync(a.local)).map((a) =>
      `${a.local} (${a.why}, for ${h.host})`
    )
  );
  if (missing.length) {
    throw new DbgRemoteError(
      "E_SHIP",
      `files the lab names are missing here: ${missing.join(", ")}`,
      {
        hint:
          "paths in a lab are relative to its file's directory; make certificates with dbgremote cert",
      },
    );
  }
  for (const a of plan.hosts.flatMap((h) => h.assets)) {
    if (!SAFE_PATH.test(a.name)) {
      throw new UsageError(
        `"${a.name}" (${a.why}) has characters ship does not pass through shells`,
        "rename it",
      );
    }
  }
  const secrets: Record<string, string> = {};
  for (const h of plan.hosts) {
    for (const v of h.secrets) {
      const value = p.env[v];
      if (value) secrets[v] = value;
      else {
        p.stderr(
          `warning: $${v} is not set here: ${
            h.servers.map((s) => s.name).join(", ")
          } on ${h.host} ` +
            `will start only if its login environment sets it\n`,
        );
      }
    }
  }

  const ssh = createSsh({ options: values["ssh-option"] ?? [] });
  const where = dirLabel(dir);
  p.stdout(
    `ship ${topo.lab.name} (${labFile}) to ${plan.hosts.length} host(s), into ${where}: ` +
      `dbgremote ${ctx.version.release} (protocol ${ctx.version.protocol}, ${p.os})\n`,
  );
  if (values["dry-run"]) {
    return dryRun(ctx, ssh, plan.hosts, { self, labFile, labName, dir, secrets });
  }

  // 1. Look at every host first; refuse before changing anything anywhere.
  const probes = new Map<HostPlan, Probe>();
  const problems: DbgRemoteError[] = [];
  let refused = false;
  const ours = await sha256File(self);
  for (const h of plan.hosts) {
    const r = await ssh.run(h.destination, probeScript(dir));
    const probe = parseProbe(r.stdout);
    if (r.code !== 0 || !probe.complete) {
      problems.push(sshFailure(h.host, `ssh ${h.destination}`, r));
      continue;
    }
    probes.set(h, probe);
    const theirs = probe.uname ? platformOfUname(probe.uname) : undefined;
    if (theirs && theirs !== p.os) {
      refused = true;
      problems.push(
        new DbgRemoteError(
          "E_SHIP",
          `${h.host} is ${probe.uname} (${theirs}); this binary is for ${p.os}`,
          {
            hint:
              `build one for it, e.g. bun build --compile --target=bun-${theirs} main.ts, and ship that`,
          },
        ),
      );
      continue;
    }
    const verdict = judgeInstalled(ctx.version, probe, `${h.host}:${where}/dbgremote`);
    if (verdict.kind === "refuse") {
      refused = true;
      problems.push(new DbgRemoteError("E_SHIP", verdict.message, { hint: verdict.hint }));
    } else if (verdict.kind === "warn") {
      p.stderr(`warning: ${verdict.message}\n`);
    }
    p.stdout(
      `${h.host}: ${probe.uname ?? "?"}; ${
        !probe.exists
          ? `no dbgremote in ${where} yet`
          : probe.sha256 === ours
          ? "this same dbgremote is there already"
          : `dbgremote there: ${probe.versionText.split("\n")[0].slice(0, 100)}`
      }\n`,
    );
  }
  if (problems.length) {
    for (const e of problems) p.stderr(describeError(e) + "\n");
    p.stderr(`nothing was shipped: ${problems.length} host problem(s) above\n`);
    return refused ? EXIT.refused : EXIT.failure;
  }

  // 2. Copy and start, a few hosts at a time; each host's lines stay together, in the lab's order.
  const deliver = (h: HostPlan) =>
    deliverTo(h, { p, ssh, probe: probes.get(h)!, ours, self, labFile, labName, dir, secrets });
  const results = await inOrderBounded(plan.hosts, PARALLEL_HOSTS, deliver, (r) => {
    for (const line of r.lines) (line.error ? p.stderr : p.stdout)(line.text);
  });
  const started = results.flatMap((r) => r.started);
  const byHand = results.flatMap((r) => r.byHand);
  const failedHosts = results.filter((r) => r.failed);
  const unfinished = results.flatMap((r) => (r.unfinished ? [r.unfinished] : []));
  p.stdout(
    `${failedHosts.length ? "finished with problems" : "done"}: ${
      started.length ? `started ${started.join(", ")}` : "no servers started"
    }` +
      `${byHand.length ? `; start by hand: ${byHand.join(", ")}` : ""}\n`,
  );
  if (unfinished.length) p.stderr(`not shipped: ${unfinished.join("; ")}\n`);
  return failedHosts.length ? EXIT.failure : EXIT.ok;
}

/** How many hosts are copied to at once. */
const PARALLEL_HOSTS = 4;

interface Delivered {
  /** What to print for this host, in order. */
  lines: { error: boolean; text: string }[];
  started: string[];
  byHand: string[];
  /** Something went wrong on this host (a node that did not start, or the shipment itself). */
  failed: boolean;
  /** The shipment to this host stopped before its servers were (re)started: where, and what is left. */
  unfinished?: string;
}

/** Copy to one host and start its servers. Never throws: problems are lines of its report. */
export async function deliverTo(
  h: HostPlan,
  o: {
    p: CliContext["platform"];
    ssh: Ssh;
    probe: Probe;
    ours: string;
    self: string;
    labFile: string;
    labName: string;
    dir: string;
    secrets: Record<string, string>;
  },
): Promise<Delivered> {
  const { ssh, dir, labName } = o;
  const where = dirLabel(dir);
  const out: Delivered = { lines: [], started: [], byHand: [], failed: false };
  const say = (text: string) => out.lines.push({ error: false, text });
  const warn = (text: string) => out.lines.push({ error: true, text });
  /** Still true when a failure leaves what ran on the host before untouched. */
  let untouched = true;
  const copied: string[] = [];
  try {
    const subdirs = [
      ...new Set(h.assets.map((a) => path.dirname(a.name)).filter((d) => d !== ".")),
    ];
    const prep = await ssh.run(h.destination, prepareScript(dir, subdirs));
    if (prep.code !== 0 || !parseProbe(prep.stdout).complete) {
      throw sshFailure(h.host, `making ${where}`, prep);
    }
    const newBinary = o.probe.sha256 !== o.ours;
    const copy = async (local: string, name: string) => {
      const r = await ssh.copy(local, h.destination, `${dir}/${name}`);
      if (r.code !== 0) throw sshFailure(h.host, `copying ${local}`, r);
    };
    if (newBinary) {
      const t0 = Date.now();
      await copy(o.self, "dbgremote.new");
      copied.push(`dbgremote (${megabytes(o.self)}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
    await copy(o.labFile, labName);
    copied.push(labName);
    for (const a of h.assets) {
      await copy(a.local, a.name);
      copied.push(a.name);
    }
    say(
      `${h.host}: copied ${copied.join(", ")}${
        newBinary ? "" : " (dbgremote itself is up to date)"
      }\n`,
    );
    if (h.servers.length || newBinary) {
      const nodes = h.servers.map((s) => ({
        name: s.name,
        endpoints: s.role === "server" ? s.listen.length : 0,
      }));
      const env = Object.fromEntries(
        h.secrets.filter((v) => v in o.secrets).map((v) => [v, o.secrets[v]]),
      );
      untouched = false;
      const r = await ssh.run(
        h.destination,
        startScript({ dir, lab: labName, nodes, env, newBinary }),
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
      for (const s of parseStart(r.stdout, nodes.map((n) => n.name))) {
        const log = `${where}/${s.node}.log`;
        if (s.stopped) {
          say(`${h.host}: stopped the ${s.node} a previous ship started (pid ${s.stopped})\n`);
        }
        if (s.status === "started") {
          out.started.push(`${s.node} on ${h.host}`);
          say(`${h.host}: started ${s.node} (pid ${s.pid}), log ${log}\n`);
          for (const l of s.log.filter((l) => l.startsWith("*** listening on"))) say(`    ${l}\n`);
        } else {
          out.failed = true;
          warn(
            `${h.host}: ${s.node} ${
              s.status === "slow"
                ? `is not listening yet after 60 s (pid ${s.pid})`
                : "did not start"
            }; the end of ${log}:\n${s.log.map((l) => `    ${l}\n`).join("")}`,
          );
        }
      }
    }
    for (const c of h.clients) {
      const cmd = clientCommand(dir, labName, c.name);
      const pw = c.role === "client" && c.connect.spec.passwordEnv
        ? ` (set ${c.connect.spec.passwordEnv} there first)`
        : "";
      out.byHand.push(`${c.name} on ${h.host}`);
      say(
        `${h.host}: ${c.name} is a client: it needs a person at a terminal there. On ${h.host}, type${pw}:\n` +
          `    ${cmd}\n  or from here: ssh -t ${h.destination} '${cmd}'\n`,
      );
    }
  } catch (err) {
    out.failed = true;
    warn(describeError(err) + "\n");
    const sent = copied.length
      ? `only ${copied.join(", ")} reached ${where}`
      : "nothing was copied";
    out.unfinished = untouched
      ? `${h.host} (${sent}; nothing there was stopped or started${
        copied.length && copied[0].startsWith("dbgremote ")
          ? ", the new binary waits as dbgremote.new"
          : ""
      })`
      : `${h.host} (its servers may be stopped or half started: look in ${where} there)`;
  }
  return out;
}

function dryRun(
  ctx: CliContext,
  ssh: Ssh,
  hosts: HostPlan[],
  o: {
    self: string;
    labFile: string;
    labName: string;
    dir: string;
    secrets: Record<string, string>;
  },
): number {
  const out = (t: string) => ctx.platform.stdout(t);
  out("dry run: nothing is contacted or copied; these are the steps\n");
  for (const h of hosts) {
    out(`\n${h.host} (ssh ${h.destination}):\n`);
    out(`  check what is there:   ${ssh.describeRun(h.destination)}  < probe script\n`);
    out(`  make ${dirLabel(o.dir)}:  ${ssh.describeRun(h.destination)}  < mkdir script\n`);
    out(
      `  copy the binary (unless the same one is there): ${
        ssh.describeCopy(o.self, h.destination, `${o.dir}/dbgremote.new`)
      }\n`,
    );
    out(
      `  copy the lab:          ${
        ssh.describeCopy(o.labFile, h.destination, `${o.dir}/${o.labName}`)
      }\n`,
    );
    for (const a of h.assets) {
      out(`  copy ${a.why}: ${ssh.describeCopy(a.local, h.destination, `${o.dir}/${a.name}`)}\n`);
    }
    for (const f of h.absolute) {
      out(`  (${f} is named by absolute path: it must be on ${h.host} already)\n`);
    }
    if (h.servers.length) {
      const vars = h.secrets.map((v) => (v in o.secrets ? `${v}=***` : `${v} (not set here!)`));
      out(
        `  start ${h.servers.map((s) => s.name).join(", ")} in the background: ${
          ssh.describeRun(h.destination)
        }  < start script` +
          `${vars.length ? ` (passing ${vars.join(", ")} inside the script)` : ""}\n`,
      );
      for (const s of h.servers) {
        out(`      nohup ./dbgremote run ${o.labName} --node ${s.name} > ${s.name}.log 2>&1 &\n`);
      }
    }
    for (const c of h.clients) {
      out(`  print for client ${c.name}: ${clientCommand(o.dir, o.labName, c.name)}\n`);
    }
  }
  return EXIT.ok;
}
