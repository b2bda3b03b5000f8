/**
 * Subcommand options, parsed by node's parseArgs, with mistakes reported in dbgremote's own
 * format (`error[E_USAGE]: ...` and a hint) rather than the parser's message.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig["options"]>;
import { UsageError } from "../errors.ts";

/**
 * Parse `args` for `dbgremote COMMAND`. An unknown option, a missing value or a value given to
 * a flag throws a UsageError naming the option; the hint points at `dbgremote COMMAND --help`.
 */
export function parseCommandArgs<O extends ParseArgsOptionsConfig>(
  command: string,
  args: string[],
  options: O,
) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw explain(command, args, options) ?? err;
  }
}

/** `dbgremote COMMAND` with options only: a positional argument is a mistake too. */
export function parseOptionsOnly<O extends ParseArgsOptionsConfig>(
  command: string,
  args: string[],
  options: O,
) {
  const parsed = parseCommandArgs(command, args, options);
  if (parsed.positionals.length) {
    throw new UsageError(
      `dbgremote ${command} takes no arguments, got "${parsed.positionals.join(" ")}"`,
      `dbgremote ${command} --help shows its usage`,
    );
  }
  return parsed;
}

/** What the strict parser refused, found from the parser's tokens (never from its message). */
function explain(
  command: string,
  args: string[],
  options: ParseArgsOptionsConfig,
): UsageError | undefined {
  const { tokens } = parseArgs({
    args,
    options,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const hint = `dbgremote ${command} --help lists its options`;
  for (const t of tokens) {
    if (t.kind !== "option") continue;
    const def = Object.hasOwn(options, t.name) ? options[t.name] : undefined;
    if (!def) {
      const known = Object.keys(options).map((o) => `--${o}`).join(", ");
      return new UsageError(
        `dbgremote ${command} has no option ${t.rawName}`,
        known ? `its options: ${known} (${hint})` : `it takes no options (${hint})`,
      );
    }
    if (def.type === "string" && t.value === undefined) {
      return new UsageError(`${t.rawName} needs a value`, hint);
    }
    if (def.type === "boolean" && t.value !== undefined) {
      return new UsageError(`${t.rawName} takes no value, got "${t.value}"`, hint);
    }
  }
  return undefined;
}
