/** `dbgremote log show [--times] [--asciicast] FILE`: a session record read back. */
import fs from "node:fs";
import { DbgRemoteError, UsageError } from "../errors.ts";
import { toAsciicast } from "../record/asciicast.ts";
import { parseRecord } from "../record/format.ts";
import { showRecord } from "../record/show.ts";
import { type CliContext, EXIT } from "./context.ts";
import { parseCommandArgs } from "./args.ts";

export async function logCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (action !== "show") {
    throw new UsageError(
      action === undefined ? "log needs an action" : `unknown log action "${action}"`,
      "dbgremote log show [--times] [--asciicast] FILE",
    );
  }
  const { values, positionals } = parseCommandArgs("log show", rest, {
    times: { type: "boolean", default: false },
    asciicast: { type: "boolean", default: false },
  });
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? "log show needs a record file"
        : `log show takes one record file, got ${positionals.length}`,
      "dbgremote log show [--times] [--asciicast] FILE",
    );
  }
  if (values.times && values.asciicast) {
    throw new UsageError(
      "--times and --asciicast do not go together",
      "an asciicast has its own times: a player shows them",
    );
  }
  const file = positionals[0];
  let text: string;
  try {
    text = await fs.promises.readFile(file, "utf8");
  } catch (err) {
    throw new DbgRemoteError("E_RECORD", `cannot read ${file}: ${(err as Error).message}`, {
      hint: "give the file `.logopen` or `dbgremote server --log` wrote",
    });
  }
  const record = parseRecord(text, file);
  for (const w of record.warnings) ctx.platform.stderr(`warning: ${w}\n`);
  ctx.platform.stdout(
    values.asciicast
      ? toAsciicast(record.entries)
      : showRecord(record.entries, { times: values.times }),
  );
  return EXIT.ok;
}
