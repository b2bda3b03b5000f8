/** `dbgremote help [SUBCOMMAND]`, `dbgremote SUBCOMMAND --help`, and option mistakes in dbgremote's format. */
import assert from "node:assert/strict";
import { parseConnStr } from "../../src/connstr.ts";
import { COMMAND_HELP, USAGE } from "../../src/cli/help.ts";
import { runCli } from "../../src/cli/main.ts";
import { endpointAccess } from "../../src/endpoint_policy.ts";
import { fakeCli } from "./fake_ctx.ts";

const SUBCOMMANDS = [
  "run",
  "check",
  "plan",
  "server",
  "client",
  "ship",
  "search",
  "cert",
  "log",
  "version",
];

async function cli(args: string[]) {
  const f = fakeCli();
  const code = await runCli(f.ctx, args);
  return { code, out: f.out(), err: f.err() };
}

Deno.test("every subcommand has its own help: SUBCOMMAND --help, -h, and help SUBCOMMAND", async () => {
  for (const sub of SUBCOMMANDS) {
    const prefix = sub === "log" ? ["log", "show"] : [sub];
    for (const args of [[...prefix, "--help"], [sub, "-h"], ["help", sub]]) {
      const r = await cli(args);
      assert.equal(r.code, 0, `${args.join(" ")}: ${r.err}`);
      assert.equal(r.err, "", args.join(" "));
      assert.equal(r.out, COMMAND_HELP[sub], args.join(" "));
      assert.match(r.out, new RegExp(`^usage: dbgremote ${sub}\\b`));
    }
  }
  // After --, --help is the debugger's: the server does not take it for its own.
  const r = await cli(["server", "tcp:port=0,server=127.0.0.1", "--", "gdb", "--help"]);
  assert.equal(r.code, 2);
  assert.match(r.err, /gdb option "--help" is not supported/);
});

Deno.test("an unknown option or a missing value: dbgremote's error format, not the parser's", async () => {
  const cases: [string[], RegExp][] = [
    [
      ["run", "--bogus"],
      /^error\[E_USAGE\]: dbgremote run has no option --bogus\n {2}hint: its options: --node \(dbgremote run --help lists its options\)\n$/,
    ],
    [
      ["server", "--port", "5"],
      /^error\[E_USAGE\]: dbgremote server has no option --port\n {2}hint: its options: --name, --noio, --nodiscover, --log /,
    ],
    [["client", "-x", "tcp:port=1"], /^error\[E_USAGE\]: dbgremote client has no option -x\n/],
    [
      ["search", "--jsn"],
      /^error\[E_USAGE\]: dbgremote search has no option --jsn\n {2}hint: its options: --timeout, --json/,
    ],
    [
      ["check", "--strict", "lab.toml"],
      /^error\[E_USAGE\]: dbgremote check has no option --strict\n {2}hint: it takes no options/,
    ],
    [
      ["client", "--user"],
      /^error\[E_USAGE\]: --user needs a value\n {2}hint: dbgremote client --help/,
    ],
    [["search", "--json=yes"], /^error\[E_USAGE\]: --json takes no value, got "yes"\n/],
    [
      ["version", "extra"],
      /^error\[E_USAGE\]: dbgremote version takes no arguments, got "extra"\n/,
    ],
    [
      ["help", "nosuch"],
      /^error\[E_USAGE\]: no help on "nosuch": no such subcommand\n {2}hint: subcommands: run, check, plan, server, client, ship, search, cert, log, version, help\n$/,
    ],
  ];
  for (const [args, pattern] of cases) {
    const r = await cli(args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.err, pattern, args.join(" "));
    assert.doesNotMatch(r.err, /ERR_PARSE_ARGS|To specify a positional argument/);
  }
});

Deno.test("dbgremote help: each subcommand once; its connection-string examples are ones a server accepts", async () => {
  const r = await cli(["help"]);
  assert.equal(r.code, 0);
  assert.equal(r.out, USAGE);
  for (const sub of SUBCOMMANDS) {
    const lines = USAGE.split("\n").filter((l) => l.startsWith(`  dbgremote ${sub} `));
    assert.equal(lines.length, 1, `dbgremote ${sub} listed ${lines.length} times`);
  }
  assert.match(USAGE, /dbgremote client \[--user U\] \[--observe\]/);
  const section = USAGE.slice(USAGE.indexOf("connection strings"), USAGE.indexOf("in a session"));
  const listening = [...section.matchAll(/^ {2}((?:tcp|http):port=\S+)/gm)].map((m) => m[1]);
  assert.ok(listening.length >= 2, section);
  for (const text of listening) {
    const spec = parseConnStr(text.replace(/=VAR\b/, "=LAB_PW"), "listen");
    assert.doesNotThrow(
      () => endpointAccess(spec, spec.passwordEnv !== undefined),
      `${text} is refused by the server`,
    );
  }
});

Deno.test("plan with no file shows the demo's client joining as run joins it: through the pipe", async () => {
  const r = await cli(["plan"]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /\n {2}client you: connect npipe:pipe=dbgremote-demo-%d \(node demo\)\n/);
});
