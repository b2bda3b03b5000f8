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
import fs from "node:fs";
import path from "node:path";
import { DbgRemoteError, describeError, UsageError } from "../errors.ts";
import { inOrderBounded } from "../ship/bounded.ts";
import { type HostPlan, planShipment } from "../ship/plan.ts";
import { dirLabel, type Probe } from "../ship/remote.ts";
import { createSsh } from "../ship/ssh.ts";
import {
  checkStep,
  deliverySteps,
  type Inspection,
  type Line,
  newDelivery,
  sha256File,
  type Shipment,
} from "../ship/steps.ts";
import { type CliContext, EXIT } from "./context.ts";
import { readLab } from "./lab.ts";
import { parseCommandArgs } from "./args.ts";

const SAFE_PATH = /^[\w.+@%-][\w./+@%-]*$/;

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
  const shipment: Shipment = { ssh, self, labFile, labName, dir, secrets };
  const checks = plan.hosts.map((h) => checkStep(h, shipment, { version: ctx.version, os: p.os }));
  if (values["dry-run"]) {
    p.stdout("dry run: nothing is contacted or copied; these are the steps\n");
    for (const [i, h] of plan.hosts.entries()) {
      p.stdout(`\n${h.host} (ssh ${h.destination}):\n`);
      for (const step of [checks[i], ...deliverySteps(h, shipment)]) {
        for (const line of step.describe) p.stdout(`  ${line}\n`);
      }
    }
    return EXIT.ok;
  }

  // 1. Look at every host first; refuse before changing anything anywhere.
  const inspection: Inspection = {
    ours: await sha256File(self),
    probes: new Map(),
    problems: [],
    refused: false,
    say: (line) => (line.error ? p.stderr : p.stdout)(line.text),
  };
  for (const check of checks) await check.run(inspection);
  if (inspection.problems.length) {
    for (const e of inspection.problems) p.stderr(describeError(e) + "\n");
    p.stderr(`nothing was shipped: ${inspection.problems.length} host problem(s) above\n`);
    return inspection.refused ? EXIT.refused : EXIT.failure;
  }

  // 2. Copy and start, a few hosts at a time; each host's lines stay together, in the lab's order.
  const deliver = (h: HostPlan) =>
    deliverTo(h, { ...shipment, probe: inspection.probes.get(h)!, ours: inspection.ours });
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

export interface Delivered {
  /** What to print for this host, in order. */
  lines: Line[];
  started: string[];
  byHand: string[];
  /** Something went wrong on this host (a node that did not start, or the shipment itself). */
  failed: boolean;
  /** The shipment to this host stopped before its servers were (re)started: where, and what is left. */
  unfinished?: string;
}

/**
 * Run one host's delivery steps (after every host was checked), in order, until one
 * fails. Never throws: problems are lines of its report.
 */
export async function deliverTo(
  h: HostPlan,
  o: Shipment & {
    /** What checking found on the host. */
    probe: Probe;
    /** This binary's sha256. */
    ours: string;
  },
): Promise<Delivered> {
  const where = dirLabel(o.dir);
  const d = newDelivery(o.probe.sha256 !== o.ours);
  const out: Delivered = { lines: d.lines, started: d.started, byHand: d.byHand, failed: false };
  try {
    for (const step of deliverySteps(h, o)) await step.run(d);
  } catch (err) {
    d.failed = true;
    d.lines.push({ error: true, text: describeError(err) + "\n" });
    const sent = d.copied.length
      ? `only ${d.copied.join(", ")} reached ${where}`
      : "nothing was copied";
    out.unfinished = d.untouched
      ? `${h.host} (${sent}; nothing there was stopped or started${
        d.copied.length && d.copied[0].startsWith("dbgremote ")
          ? ", the new binary waits as dbgremote.new"
          : ""
      })`
      : `${h.host} (its servers may be stopped or half started: look in ${where} there)`;
  }
  out.failed = d.failed;
  return out;
}
