/** `dbgremote client CONNSTR`: WinDbg's `-remote`. */
import { parseConnStr } from "../connstr.ts";
import { UsageError } from "../errors.ts";
import type { CliContext } from "./context.ts";
import { runClientRole } from "./roles.ts";
import { parseCommandArgs } from "./args.ts";

/** `--wait-max SECONDS` as ms: a positive number of seconds. */
export function parseWaitMax(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(seconds > 0)) {
    throw new UsageError(
      `--wait-max ${text} is not a number of seconds`,
      "for example --wait-max 60 (give up after a minute); --wait alone waits until Ctrl+C",
    );
  }
  return seconds * 1000;
}

export async function clientCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("client", argv, {
    user: { type: "string" },
    wait: { type: "boolean", default: false },
    "wait-max": { type: "string" },
    reconnect: { type: "boolean", default: false },
    observe: { type: "boolean", default: false },
  });
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length
        ? `one connection string expected, got ${positionals.length}`
        : "no server given",
      "for example: dbgremote client tcp:server=lab1,port=5005",
    );
  }
  const waitMax = parseWaitMax(values["wait-max"]);
  // Fail fast by default, so scripts get an error; --wait (or a bound) waits for the server.
  const waitMs = waitMax ?? (values.wait ? Infinity : undefined);
  return await runClientRole(ctx, {
    spec: parseConnStr(positionals[0], "connect"),
    user: values.user,
    waitMs,
    reconnect: values.reconnect,
    observe: values.observe,
  });
}
