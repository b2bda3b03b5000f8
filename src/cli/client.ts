/** `dbgremote client CONNSTR`: WinDbg's `-remote`. */
import { parseArgs } from "node:util";
import { parseConnStr } from "../connstr.ts";
import { UsageError } from "../errors.ts";
import type { CliContext } from "./context.ts";
import { runClientRole } from "./roles.ts";

export async function clientCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { user: { type: "string" }, observe: { type: "boolean", default: false } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length
        ? `one connection string expected, got ${positionals.length}`
        : "no server given",
      "for example: dbgremote client tcp:server=lab1,port=5005",
    );
  }
  return await runClientRole(ctx, {
    spec: parseConnStr(positionals[0], "connect"),
    user: values.user,
    observe: values.observe,
  });
}
