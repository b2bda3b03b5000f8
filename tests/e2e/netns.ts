/**
 * Test hosts on one machine: each host is a network namespace with its own
 * host name, address and /etc/hosts, all joined by a bridge that lives in a
 * namespace of its own (the "switch"). Nothing touches the machine's own
 * network: every address is inside namespaces this module creates, and
 * disposing the lab kills every process in them and deletes them.
 *
 *   await using lab = await NetLab.create(["lab1", "lab2", "alice"]);
 *   const server = lab.spawn("lab1", ["run", "lab.toml"]);   // dbgremote on lab1
 *   lab.exec("alice", ["ping", "-c1", "lab1"]);               // any command on alice
 *
 * Needs root and `ip netns` (iproute2). Where the sandbox forbids namespaces,
 * {@link netnsUnavailable} says why, and the tests skip with that reason.
 */
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import { Proc } from "./harness.ts";

/** The test hosts' subnet: RFC 2544's benchmarking range, never routed anywhere. */
const SUBNET = "198.18.0";

export interface NetHost {
  /** The host name (also its `hostname` inside the namespace and its /etc/hosts entry). */
  name: string;
  /** The network namespace it lives in. */
  ns: string;
  /** Its IPv4 address on the lab's bridge. */
  ip: string;
}

function ip(...args: string[]): string {
  return execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * Why network namespaces cannot be used here, or undefined when they can.
 * Probes once by creating and deleting a namespace.
 */
export function netnsUnavailable(): string | undefined {
  const probe = `dbgr-probe-${process.pid}`;
  try {
    execFileSync("ip", ["-V"], { stdio: "ignore" });
  } catch {
    return "the `ip` command (iproute2) is missing: run scripts/setup.sh";
  }
  try {
    ip("netns", "add", probe);
  } catch (err) {
    const why = String((err as { stderr?: string }).stderr ?? err).trim();
    return `this sandbox forbids network namespaces (ip netns add: ${why})`;
  }
  try {
    ip("netns", "del", probe);
  } catch {
    // gone already
  }
  return undefined;
}

/** Say (once per test file) why the namespace tests are skipped, so CI output shows it. */
export function reportSkip(reason: string | undefined, what: string): void {
  if (reason) console.log(`SKIPPED ${what}: ${reason}`);
}

export class NetLab implements AsyncDisposable {
  readonly hosts: Map<string, NetHost>;
  readonly #switch: string;
  readonly #procs: Proc[] = [];
  #disposed = false;

  private constructor(switchNs: string, hosts: Map<string, NetHost>) {
    this.#switch = switchNs;
    this.hosts = hosts;
  }

  /** Create the hosts, each on the bridge with an address and every host's name resolvable. */
  static async create(names: string[]): Promise<NetLab> {
    if (names.length > 200) throw new Error("at most 200 hosts");
    const id = crypto.randomBytes(3).toString("hex");
    const switchNs = `dbgr-${id}-switch`;
    const hosts = new Map<string, NetHost>();
    names.forEach((name, i) =>
      hosts.set(name, { name, ns: `dbgr-${id}-${name}`, ip: `${SUBNET}.${i + 1}` })
    );
    const lab = new NetLab(switchNs, hosts);
    try {
      ip("netns", "add", switchNs);
      ip("-n", switchNs, "link", "set", "lo", "up");
      ip("-n", switchNs, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0");
      ip("-n", switchNs, "link", "set", "br0", "up");
      const etcHosts = "127.0.0.1 localhost\n::1 localhost\n" +
        [...hosts.values()].map((h) => `${h.ip} ${h.name}\n`).join("");
      let i = 0;
      for (const h of hosts.values()) {
        const port = `p${id}${i++}`;
        ip("netns", "add", h.ns);
        ip(
          "-n",
          switchNs,
          "link",
          "add",
          port,
          "type",
          "veth",
          "peer",
          "name",
          "eth0",
          "netns",
          h.ns,
        );
        ip("-n", switchNs, "link", "set", port, "master", "br0", "up");
        ip("-n", h.ns, "link", "set", "lo", "up");
        ip("-n", h.ns, "addr", "add", `${h.ip}/24`, "dev", "eth0");
        ip("-n", h.ns, "link", "set", "eth0", "up");
        // Multicast (service discovery) needs a route; unicast stays on the subnet.
        ip("-n", h.ns, "route", "add", "224.0.0.0/4", "dev", "eth0");
        // `ip netns exec` bind-mounts /etc/netns/NS/* over /etc/*.
        fs.mkdirSync(`/etc/netns/${h.ns}`, { recursive: true });
        fs.writeFileSync(`/etc/netns/${h.ns}/hosts`, etcHosts);
        fs.writeFileSync(`/etc/netns/${h.ns}/hostname`, h.name + "\n");
      }
    } catch (err) {
      await lab[Symbol.asyncDispose]();
      throw err;
    }
    return lab;
  }

  host(name: string): NetHost {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no test host ${name}: hosts are ${[...this.hosts.keys()].join(", ")}`);
    return h;
  }

  /**
   * The command prefix that runs a program on `host`: in its namespace, with its own host name
   * (a private UTS namespace, so the machine's name is untouched).
   */
  wrap(host: string): string[] {
    const h = this.host(host);
    return [
      "ip",
      "netns",
      "exec",
      h.ns,
      "unshare",
      "--uts",
      "--",
      "sh",
      "-c",
      'hostname "$0" && exec "$@"',
      h.name,
    ];
  }

  /** Start dbgremote on `host`; it is killed when the lab is disposed. */
  spawn(
    host: string,
    args: string[],
    options: { env?: Record<string, string>; cwd?: string; name?: string } = {},
  ): Proc {
    const p = new Proc(
      options.name ?? `${host}: dbgremote ${args[0]}`,
      args,
      options.env,
      options.cwd,
      this.wrap(host),
    );
    this.#procs.push(p);
    return p;
  }

  /** Start any program on `host` (a daemon, an ssh client); it is killed when the lab is disposed. */
  spawnProgram(
    host: string,
    command: string[],
    options: { env?: Record<string, string>; cwd?: string; name?: string } = {},
  ): Proc {
    const [program, ...args] = command;
    const p = new Proc(
      options.name ?? `${host}: ${program}`,
      args,
      options.env,
      options.cwd,
      this.wrap(host),
      program,
    );
    this.#procs.push(p);
    return p;
  }

  /** Run a command on `host` to completion; returns its stdout (throws on failure). */
  exec(host: string, command: string[], options: { timeoutMs?: number; input?: string } = {}) {
    const [first, ...rest] = [...this.wrap(host), ...command];
    return execFileSync(first, rest, {
      encoding: "utf8",
      timeout: options.timeoutMs ?? 15_000,
      input: options.input,
      stdio: ["pipe", "pipe", "pipe"],
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await Promise.allSettled(this.#procs.map((p) => p[Symbol.asyncDispose]()));
    for (const ns of [...[...this.hosts.values()].map((h) => h.ns), this.#switch]) {
      try {
        // Anything still running in the namespace (daemons a test started) goes with it.
        for (const pid of ip("netns", "pids", ns).split(/\s+/).filter(Boolean)) {
          try {
            process.kill(Number(pid), "SIGKILL");
          } catch {
            // already gone
          }
        }
        ip("netns", "del", ns);
      } catch {
        // never created, or already deleted
      }
      fs.rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
    }
  }
}
