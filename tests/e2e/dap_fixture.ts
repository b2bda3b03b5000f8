/**
 * A gdb server on the sample with a `dap:` endpoint for editors beside a tcp endpoint for
 * consoles, for the DAP contract stories (tests/e2e/dap_test.ts).
 */
import fs from "node:fs";
import path from "node:path";
import { buildSample, listeningAddress, type Proc, withScratch } from "./harness.ts";
import { DapTestClient } from "./dap_client.ts";

export interface DapLab extends AsyncDisposable {
  dir: string;
  env: Record<string, string>;
  program: string;
  source: string;
  server: Proc;
  /** The console clients' address (tcp). */
  tcp: string;
  /** The port editors attach to. */
  dapPort: number;
  /** The line of the sample marked `LINE:name`. */
  line(name: string): number;
  /** A console client, connected. */
  console(user: string, args?: string[]): Promise<Proc>;
  /** An editor, attached (initialize → attach → configurationDone). */
  editor(args?: Record<string, unknown>, clientID?: string): Promise<DapTestClient>;
  /** An editor connected, nothing sent yet. */
  connect(): Promise<DapTestClient>;
}

/**
 * `dap`: the editors' endpoint (default `dap:` on loopback); `{certfile}` and `{keyfile}` in it
 * are replaced by a pair `dbgremote cert` makes, and editors then speak TLS trusting it.
 */
export async function dapLab(
  options: {
    dap?: string;
    env?: Record<string, string>;
    args?: string[];
    kind?: "gdb" | "lldb" | "python";
  } = {},
): Promise<DapLab> {
  const tmp = withScratch(options.env);
  // Python: Debian's python3-debugpy serves /usr/bin/python3 (a pyenv python3 may come first).
  const python = options.kind === "python";
  const program = python ? path.join(tmp.dir, "demo.py") : buildSample(tmp.dir);
  if (python) {
    fs.copyFileSync(path.resolve(import.meta.dirname!, "../../samples/demo.py"), program);
  }
  const source = python ? program : path.join(tmp.dir, "demo.c");
  let cafile: string | undefined;
  if (options.dap?.includes("{certfile}")) {
    const cert = tmp.spawn("cert", ["cert", "--out", tmp.dir, "--name", "lab"]);
    if ((await cert.wait()).code !== 0) throw new Error(`dbgremote cert failed: ${cert.stderr}`);
    cafile = path.join(tmp.dir, "lab.crt");
    options = {
      ...options,
      dap: options.dap.replace("{certfile}", cafile).replace(
        "{keyfile}",
        path.join(tmp.dir, "lab.key"),
      ),
    };
  }
  const lines = fs.readFileSync(source, "utf8").split("\n");
  const endpoints = ["tcp:port=0,server=127.0.0.1", options.dap ?? "dap:port=0,server=127.0.0.1"];
  const debug = python
    ? ["/usr/bin/python3", "-m", "pdb", program]
    : options.kind === "lldb"
    ? ["lldb-19", program]
    : undefined;
  const server = tmp.startServer(program, { endpoints, name: "lab", args: options.args, debug });
  const owned: AsyncDisposable[] = [];
  try {
    const tcp = await listeningAddress(server, "tcp");
    const m = await server.waitFor(
      /listening on daps?:\S*: attach an editor .*"debugServer": (\d+)/,
    );
    const env = tmp.env;
    return {
      dir: tmp.dir,
      env,
      program,
      source,
      server,
      tcp,
      dapPort: Number(m[1]),
      line(name) {
        const i = lines.findIndex((l) => l.includes(`LINE:${name}`));
        if (i < 0) throw new Error(`no LINE:${name} in demo.c`);
        return i + 1;
      },
      async console(user, args = []) {
        const p = tmp.spawn(user, ["client", "--user", user, ...args, tcp]);
        await p.waitFor("*** connected to lab");
        return p;
      },
      async editor(args = {}, clientID = "vscode") {
        const c = await DapTestClient.connect(Number(m[1]), cafile);
        owned.push(c);
        await c.attach(args, clientID);
        return c;
      },
      async connect() {
        const c = await DapTestClient.connect(Number(m[1]), cafile);
        owned.push(c);
        return c;
      },
      async [Symbol.asyncDispose]() {
        for (const o of owned.reverse()) await o[Symbol.asyncDispose]();
        await tmp[Symbol.asyncDispose]();
      },
    };
  } catch (err) {
    await tmp[Symbol.asyncDispose]();
    throw err;
  }
}
