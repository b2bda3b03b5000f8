/**
 * What gdb is told once it runs, before the first user command: MI settings, the program's
 * terminal and environment, the program and its arguments.
 */
import { EngineError } from "../errors.ts";
import { miQuote, type MiResult } from "./gdb_mi.ts";
import { str } from "./mi_parser.ts";

/** The program's terminal type: what most consoles are. */
const TARGET_TERM = "xterm-256color";

/** Quote one argument for the shell gdb starts the program with. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Configure gdb; resolves with its version (e.g. "13.1") when it says one. `consoleText`: what
 * gdb printed on its console since the start (the engine captures it meanwhile).
 */
export async function configureGdb(
  send: (command: string) => Promise<MiResult>,
  consoleText: () => string,
  ttyPath: string,
  program: string | undefined,
  args: readonly string[] | undefined,
): Promise<string | undefined> {
  const setup = async (command: string) => {
    const r = await send(command);
    if (r.class === "error") {
      throw new EngineError(
        "E_ENGINE_START",
        `gdb refused "${command}": ${str(r.results, "msg")}`,
        { hint: "check the program and the gdb version (gdb 10 or newer)" },
      );
    }
    return r;
  };
  await setup("-gdb-set mi-async on");
  for (const s of ["confirm off", "pagination off", "width 0", "height 0"]) {
    await setup(`-gdb-set ${s}`);
  }
  await setup("-gdb-version");
  const version = consoleText().split("\n")[0].match(/(\d+\.\d+(\.\d+)?)\s*$/)?.[1];
  // Every run, whatever its arguments or redirections, gets the program's own terminal:
  // it can never read gdb's command pipe.
  await setup(`-inferior-tty-set ${miQuote(ttyPath)}`);
  await setup(`-interpreter-exec console ${miQuote(`set environment TERM ${TARGET_TERM}`)}`);
  // gdb tells the program its own (unlimited) screen size; the terminal knows the real one.
  await setup(`-interpreter-exec console ${miQuote("unset environment LINES")}`);
  await setup(`-interpreter-exec console ${miQuote("unset environment COLUMNS")}`);
  if (program) {
    await setup(`-file-exec-and-symbols ${miQuote(program)}`);
    if (args?.length) await setup(`-exec-arguments ${args.map(shellQuote).join(" ")}`);
  }
  return version;
}
