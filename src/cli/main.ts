/**
 * The command line: pick the subcommand, run it, turn errors into messages and exit codes.
 * Each subcommand's module is imported when that subcommand runs, so a command loads only what
 * it needs (TLS, the web server, TOML, discovery...) and `version` starts at once.
 */
import { DbgRemoteError, describeError, TopologyError, UsageError } from "../errors.ts";
import { type CliContext, EXIT } from "./context.ts";
import { COMMAND_HELP, helpTopics, USAGE } from "./help.ts";

/** `--help` or `-h` among a subcommand's own arguments (not among the debugger's, after `--`). */
function asksForHelp(args: string[]): boolean {
  const dash = args.indexOf("--");
  return (dash < 0 ? args : args.slice(0, dash)).some((a) => a === "--help" || a === "-h");
}

/** `dbgremote help [SUBCOMMAND]`. */
function helpCommand(ctx: CliContext, args: string[]): number {
  if (args.length === 0) {
    ctx.platform.stdout(USAGE);
    return EXIT.ok;
  }
  const topic = args[0];
  if (args.length > 1 || !Object.hasOwn(COMMAND_HELP, topic)) {
    throw new UsageError(
      args.length > 1 ? "help takes one subcommand" : `no help on "${topic}": no such subcommand`,
      `subcommands: ${helpTopics().join(", ")}`,
    );
  }
  ctx.platform.stdout(COMMAND_HELP[topic]);
  return EXIT.ok;
}

export async function runCli(ctx: CliContext, argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command !== undefined && Object.hasOwn(COMMAND_HELP, command) && asksForHelp(rest)) {
      ctx.platform.stdout(COMMAND_HELP[command]);
      return EXIT.ok;
    }
    switch (command) {
      case "run":
        return await (await import("./lab.ts")).runCommand(ctx, rest);
      case "check":
        return (await import("./lab.ts")).checkCommand(ctx, rest);
      case "plan":
        return (await import("./lab.ts")).planCommand(ctx, rest);
      case "server":
        return await (await import("./server.ts")).serverCommand(ctx, rest);
      case "client":
        return await (await import("./client.ts")).clientCommand(ctx, rest);
      case "ship":
        return await (await import("./ship.ts")).shipCommand(ctx, rest);
      case "search":
        return await (await import("./search.ts")).searchCommand(ctx, rest);
      case "cert":
        return await (await import("./cert.ts")).certCommand(ctx, rest);
      case "log":
        return await (await import("./log.ts")).logCommand(ctx, rest);
      case "version":
      case "--version":
        return (await import("./version.ts")).versionCommand(ctx, rest);
      case "help":
        return helpCommand(ctx, rest);
      case undefined:
      case "--help":
      case "-h":
        ctx.platform.stdout(USAGE);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        ctx.platform.stderr(
          `error[E_USAGE]: unknown command "${command}"\n  hint: run \`dbgremote help\`\n`,
        );
        return EXIT.usage;
    }
  } catch (err) {
    if (err instanceof TopologyError) {
      ctx.platform.stderr(err.message + "\n");
      return EXIT.usage;
    }
    ctx.platform.stderr(describeError(err) + "\n");
    if (
      err instanceof DbgRemoteError &&
      (err.code === "E_USAGE" || err.code === "E_CONNSTR" || err.code === "E_RECORD")
    ) {
      return EXIT.usage;
    }
    if (err instanceof Error && (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      return EXIT.usage;
    }
    return EXIT.failure;
  }
}
