/** `dbgremote server CONNSTR... -- DEBUGGER PROGRAM [ARGS...]`: WinDbg's `-server`. */
import { type ConnSpec, parseConnStr } from "../connstr.ts";
import { parseEngineCommand } from "../engine/kinds.ts";
import { UsageError } from "../errors.ts";
import { type CliContext } from "./context.ts";
import { awaitServer, startServerRole } from "./roles.ts";
import { parseCommandArgs } from "./args.ts";

/** The command line after `--`; the engine registry knows each debugger's. */
export { parseEngineCommand };

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
