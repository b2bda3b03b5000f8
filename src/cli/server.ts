/** `dbgremote server CONNSTR... -- gdb [--args] PROGRAM [ARGS...]`: WinDbg's `-server`. */
import { type ConnSpec, parseConnStr } from "../connstr.ts";
import type { EngineSpec } from "../engine/engine.ts";
import { UsageError } from "../errors.ts";
import { type CliContext } from "./context.ts";
import { awaitServer, startServerRole } from "./roles.ts";
import { parseCommandArgs } from "./args.ts";

/** Parse the debugger command line after `--`: `gdb [--args] PROGRAM [ARGS...]`. */
export function parseEngineCommand(words: string[]): EngineSpec {
  if (words.length === 0) {
    throw new UsageError(
      "no debugger given after --",
      "for example: dbgremote server tcp:port=5005 -- gdb --args ./app arg1",
    );
  }
  const [debuggerPath, ...rest] = words;
  const base = debuggerPath.split("/").pop()!;
  if (!/^gdb(-[\w.]+)?$/.test(base)) {
    throw new UsageError(
      `unknown debugger "${debuggerPath}"`,
      "this release drives gdb: -- gdb PROGRAM",
    );
  }
  let args = rest;
  const withArgs = args[0] === "--args";
  if (withArgs) args = args.slice(1);
  if (args.length === 0) {
    throw new UsageError("no program given to gdb", "-- gdb ./app, or -- gdb --args ./app ARG...");
  }
  if (args[0].startsWith("-")) {
    throw new UsageError(
      `gdb option "${args[0]}" is not supported here`,
      "give the program first: -- gdb --args ./app ARG...",
    );
  }
  if (!withArgs && args.length > 1) {
    throw new UsageError(
      `gdb takes one program, got "${args.join(" ")}"`,
      `to pass arguments use --args: -- gdb --args ${args.join(" ")}`,
    );
  }
  const spec: EngineSpec = { kind: "gdb", program: args[0], args: args.slice(1) };
  if (debuggerPath !== "gdb") spec.debugger = debuggerPath;
  return spec;
}

export async function serverCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const dash = argv.indexOf("--");
  const own = dash < 0 ? argv : argv.slice(0, dash);
  const engineWords = dash < 0 ? [] : argv.slice(dash + 1);
  const { values, positionals } = parseCommandArgs("server", own, {
    name: { type: "string" },
    noio: { type: "boolean", default: false },
    nodiscover: { type: "boolean", default: false },
    log: { type: "string" },
  });
  if (positionals.length === 0) {
    throw new UsageError(
      "no endpoint given",
      "for example: dbgremote server tcp:port=5005 -- gdb ./app",
    );
  }
  const endpoints: ConnSpec[] = positionals.map((p) => parseConnStr(p, "listen"));
  const engine = parseEngineCommand(engineWords);
  const server = await startServerRole(ctx, {
    name: values.name ?? ctx.platform.hostname,
    engine,
    endpoints,
    noio: values.noio!,
    discover: !values.nodiscover,
    record: values.log,
  });
  return await awaitServer(ctx, server, values.noio!);
}
