/**
 * Starting stays quick: what main.ts loads before it knows the command (its static imports,
 * followed through every module they import) holds nothing heavy. Each subcommand, transport
 * and engine is reached only through import(). The graph is Deno's own (`deno info --json`),
 * the one bun bundles from the same source: a top-level `import` of hono, x509 or a transport
 * added to main.ts or src/cli/main.ts (or to anything they import) fails here.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import process from "node:process";

const root = path.resolve(import.meta.dirname!, "..");

interface Dependency {
  specifier: string;
  code?: { specifier: string };
  isDynamic?: boolean;
}
interface GraphModule {
  specifier: string;
  dependencies?: Dependency[];
}

function graph(): Map<string, GraphModule> {
  const deno = process.execPath; // the deno running these tests
  const json = execFileSync(deno, ["info", "--json", "main.ts"], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const modules = JSON.parse(json).modules as GraphModule[];
  return new Map(modules.map((m) => [m.specifier, m]));
}

/** Every module `file` loads before running any code: static value imports, transitively. */
function staticClosure(all: Map<string, GraphModule>, file = "main.ts"): Set<string> {
  const entry = new URL(file, `file://${root}/`).href;
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length) {
    const spec = todo.pop()!;
    if (seen.has(spec)) continue;
    seen.add(spec);
    for (const dep of all.get(spec)?.dependencies ?? []) {
      // Type-only imports vanish when compiled; import() loads when it runs.
      if (dep.code && !dep.isDynamic) todo.push(dep.code.specifier);
    }
  }
  return seen;
}

/** Shown relative to the repository, npm packages by name. */
function label(spec: string): string {
  const npm = spec.match(/\/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (npm) return `npm:${npm[1]}`;
  return spec.startsWith(`file://${root}/`) ? spec.slice(`file://${root}/`.length) : spec;
}

const all = graph();
const startup = [...staticClosure(all)].map(label);
const loads = (file: string) => [...staticClosure(all, file)].map(label);

Deno.test("startup: main.ts loads no npm package before it knows the command", () => {
  // hono, @peculiar/x509 (with reflect-metadata, tsyringe, asn1js), smol-toml: each command
  // that needs one loads it.
  assert.deepEqual(startup.filter((s) => s.startsWith("npm:")), []);
});

Deno.test("startup: no subcommand, transport, engine, web page, discovery or server code", () => {
  const heavy = startup.filter((s) =>
    /^src\/(web|discovery|server|session|client|topology|ship|record)\//.test(s) ||
    (s.startsWith("src/transport/") &&
      !["src/transport/lazy.ts", "src/transport/transports.ts"].includes(s)) ||
    (s.startsWith("src/engine/") && s !== "src/engine/lazy.ts") ||
    (s.startsWith("src/cli/") && !["src/cli/main.ts", "src/cli/context.ts", "src/cli/help.ts"]
      .includes(s)) ||
    s === "src/cert.ts"
  );
  assert.deepEqual(heavy, []);
});

Deno.test("startup: none of the runtime modules that are slow to load (sockets, TLS, crypto, processes)", () => {
  const slow = [
    "node:net",
    "node:tls",
    "node:crypto",
    "node:child_process",
    "node:dns",
    "node:http",
  ];
  assert.deepEqual(startup.filter((s) => slow.some((m) => s === m || s.startsWith(m + "/"))), []);
});

Deno.test("startup: every subcommand's module is reachable, through import()", () => {
  // Guards the test itself: a graph that lost the subcommands would pass the checks above.
  const cliMain = all.get(new URL("src/cli/main.ts", `file://${root}/`).href)!;
  const dynamic = (cliMain.dependencies ?? []).filter((d) => d.isDynamic).map((d) => d.specifier);
  for (const m of ["./lab.ts", "./server.ts", "./client.ts", "./ship.ts", "./search.ts"]) {
    assert.ok(dynamic.includes(m), `src/cli/main.ts imports ${m} with import(): ${dynamic}`);
  }
  for (const m of ["./cert.ts", "./log.ts", "./version.ts"]) {
    assert.ok(dynamic.includes(m), `src/cli/main.ts imports ${m} with import(): ${dynamic}`);
  }
  assert.ok(
    all.size > startup.length + 50,
    `${all.size} modules in all, ${startup.length} at startup`,
  );
});

Deno.test("startup: check and plan (src/cli/lab.ts) load no server, client, session or discovery code", () => {
  // `run` imports roles.ts (and with it all of these) when it starts nodes.
  const lab = loads("src/cli/lab.ts");
  assert.ok(lab.includes("src/topology/parse.ts"), lab.join(", "));
  assert.deepEqual(
    lab.filter((s) => /^src\/(server|client|session|discovery|web|transport)\//.test(s)),
    [],
  );
});

Deno.test("startup: client (src/cli/client.ts) loads no server, session, web or discovery code", () => {
  const client = loads("src/cli/client.ts");
  assert.ok(client.includes("src/client/connection.ts"), client.join(", "));
  assert.deepEqual(
    client.filter((s) => /^src\/(server|session|discovery|web)\//.test(s) || s.startsWith("npm:")),
    [],
  );
});
