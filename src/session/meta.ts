/**
 * dbgremote's own session commands (WinDbg's meta-commands): ONE registry saying, for each,
 * its help, whether an observer may run it, when it runs, and what it does. The session
 * dispatches from it, and `.help` and the observer rule are read from it. The one command a client
 * acts on too, leaving, is named in protocol/leave.ts.
 *
 * The observer rule: an observer may read (.clients, .servers, .help), speak
 * (.echo) and leave (.remote_exit). Everything that acts on the debugger or
 * the session is control and is refused: debugger commands, q, .server,
 * .endsrv, Ctrl+C.
 */
import { LEAVE_COMMAND } from "../protocol/leave.ts";
import type { ClientInfo, EndCause } from "../protocol/messages.ts";
import type { SessionControls } from "./controls.ts";
import { closeEndpoint, noControls, openEndpoint } from "./endpoint_commands.ts";
import { clientsLines, commandWord, listed, printable, serversLines } from "./meta_text.ts";

export { targetInput } from "./target_input.ts";
export {
  clientsLines,
  commandWord,
  formatDuration,
  printable,
  serversLines,
  whoText,
} from "./meta_text.ts";

/** What a meta-command may do to the session it runs in (the session implements it). */
export interface MetaContext {
  /** The issuer: its id and its name ("alice@laptop"). */
  readonly client: number;
  readonly from: string;
  /** What follows the command word, trimmed. */
  readonly arg: string;
  readonly controls?: SessionControls;
  /** A line of the command's output, to everyone (on the error stream: `error`). */
  say(line: string, stream?: "console" | "error"): void;
  /** A mistake in a session control: told to the issuer alone. The command failed. */
  fail(err: unknown): false;
  /** An info notice to everyone. */
  announce(text: string): void;
  clients(): ClientInfo[];
  now(): number;
  /** The session record's commands (.logopen...): their output lines; throws on a mistake. */
  record(word: string, arg: string): string[];
  end(reason: string, cause: EndCause): Promise<void>;
  /** The issuer leaves on its own: the others are told, it gets no "disconnected" notice. */
  leave(reason: string): void;
}

interface MetaCommand {
  usage: string;
  what: string;
  /** An observer may use it. */
  observer: boolean;
  /** Listed by `.help` (q's other spelling is not). Default true. */
  help?: boolean;
  /** Only the word alone is this command; with arguments the line is the debugger's (q, quit). */
  bare?: boolean;
  /** Shown to everyone with its secrets masked (a connection string may hold a password). */
  secret?: boolean;
  /**
   * For the program's terminal: runs at once, ahead of the queue (a `continue` waiting there is
   * what the program's input is for). The session types it; there is no handler here.
   */
  targetInput?: boolean;
  /** Run it in its turn; resolves to whether it succeeded. */
  run?: (ctx: MetaContext) => boolean | Promise<boolean>;
}

const RECORD = (ctx: MetaContext, word: string) => {
  try {
    for (const line of ctx.record(word, ctx.arg)) ctx.say(line);
    return true;
  } catch (err) {
    return ctx.fail(err);
  }
};

const QUIT = async (ctx: MetaContext) => {
  await ctx.end(`${ctx.from} ended the session (q)`, "quit");
  return true;
};

export const META_COMMANDS: Record<string, MetaCommand> = {
  ".clients": {
    usage: ".clients",
    what: "who is connected: role, transport, since when, idle how long",
    observer: true,
    run: (ctx) => {
      for (const line of clientsLines(ctx.clients(), ctx.client, ctx.now())) ctx.say(line);
      return true;
    },
  },
  ".echo": {
    usage: ".echo TEXT",
    what: "say TEXT to everyone",
    observer: true,
    run: (ctx) => {
      ctx.say(`${ctx.from}: ${printable(ctx.arg)}`);
      return true;
    },
  },
  ".servers": {
    usage: ".servers",
    what: "this server's endpoints: id, state, the address clients use",
    observer: true,
    run: (ctx) => {
      if (!ctx.controls) return ctx.fail(noControls(".servers"));
      for (const line of serversLines(ctx.controls.servers(), ctx.clients())) ctx.say(line);
      return true;
    },
  },
  ".server": {
    usage: ".server CONNSTR",
    what: "open one more endpoint now, e.g. .server tcp:port=5007,password_env=LAB_PW",
    observer: false,
    secret: true,
    run: openEndpoint,
  },
  ".endsrv": {
    usage: ".endsrv ID",
    what: "stop accepting on endpoint ID (see .servers); its clients stay",
    observer: false,
    run: closeEndpoint,
  },
  [LEAVE_COMMAND]: {
    usage: LEAVE_COMMAND,
    what: "leave the session (Ctrl+B does the same); it goes on for the others",
    observer: true,
    run: (ctx) => {
      ctx.leave("left (.remote_exit)");
      return true;
    },
  },
  // The session record (src/record/): FILE is on the server's machine.
  ".logopen": {
    usage: ".logopen [/t] FILE",
    what: "record the session to FILE on the server (/t: add the pid and time to the name)",
    observer: false,
    run: (ctx) => RECORD(ctx, ".logopen"),
  },
  ".logappend": {
    usage: ".logappend FILE",
    what: "record the session, appending to FILE on the server",
    observer: false,
    run: (ctx) => RECORD(ctx, ".logappend"),
  },
  ".logclose": {
    usage: ".logclose",
    what: "stop recording the session",
    observer: false,
    run: (ctx) => RECORD(ctx, ".logclose"),
  },
  ".logfile": {
    usage: ".logfile",
    what: "where the session is recorded, if it is",
    observer: false,
    run: (ctx) => RECORD(ctx, ".logfile"),
  },
  ".help": {
    usage: ".help",
    what: "this list",
    observer: true,
    run: (ctx) => {
      for (const line of helpLines()) ctx.say(line);
      return true;
    },
  },
  ".input": {
    usage: ".input [TEXT]",
    what: "type TEXT and Enter to the program (alone: an empty line), also while it runs",
    observer: false,
    targetInput: true,
  },
  ".eof": {
    usage: ".eof",
    what: "end of input for the program (Ctrl+D on its terminal); at once",
    observer: false,
    targetInput: true,
  },
  ".ttysize": {
    usage: ".ttysize COLSxROWS",
    what: "the size of the program's terminal (default 80x24), e.g. .ttysize 132x43",
    observer: false,
    targetInput: true,
  },
  q: {
    usage: "q",
    what: "end the session for everyone: stops the debugger and the target",
    observer: false,
    bare: true,
    run: QUIT,
  },
  quit: { usage: "quit", what: "q", observer: false, bare: true, help: false, run: QUIT },
};

/** The meta-commands proper (dbgremote's own words start with a dot). */
const DOT_WORDS = Object.keys(META_COMMANDS).filter((k) => k.startsWith("."));
const OBSERVER_MAY = DOT_WORDS.filter((k) => META_COMMANDS[k].observer);
const OPERATORS_ONLY = DOT_WORDS.filter((k) => !META_COMMANDS[k].observer);

/** The registry's entry for a command line, if it is one (q with arguments is the debugger's). */
function lookup(text: string): MetaCommand | undefined {
  const word = commandWord(text);
  const command = Object.hasOwn(META_COMMANDS, word) ? META_COMMANDS[word] : undefined;
  if (command?.bare && text.trim() !== word) return undefined;
  return command;
}

/** A session command to run in its turn: what it does, and its argument. */
export interface MetaRun {
  arg: string;
  run: (ctx: MetaContext) => boolean | Promise<boolean>;
}

/**
 * The session's own command in a line, or undefined when the line is the debugger's. A word
 * shaped like a meta-command that is none fails, listing the known ones to everyone.
 */
export function findMeta(text: string): MetaRun | undefined {
  const trimmed = text.trim();
  const word = commandWord(trimmed);
  const command = lookup(trimmed);
  if (command?.run) return { arg: trimmed.slice(word.length).trim(), run: command.run };
  if (!/^\.[a-z_]+$/.test(word) || command) return undefined;
  return {
    arg: "",
    run: (ctx) => {
      ctx.say(`unknown meta-command ${word}: dbgremote knows ${knownMetaCommands()}`, "error");
      return false;
    },
  };
}

/** Commands for the program's terminal: they act at once, never waiting behind the queue. */
export function isTargetInput(text: string): boolean {
  return lookup(text)?.targetInput === true;
}

/** Does everyone see this command line with its secrets masked? */
export function holdsSecrets(text: string): boolean {
  return lookup(text)?.secret === true;
}

export function helpLines(): string[] {
  const rows: [string, string][] = [
    ...Object.values(META_COMMANDS).filter((c) => c.help !== false).map((
      c,
    ): [string, string] => [c.usage, c.what]),
    ["Ctrl+C", "interrupt the running target"],
  ];
  const width = Math.max(...rows.map(([u]) => u.length)) + 2;
  return [
    "dbgremote session commands (everything else goes to the debugger):",
    ...rows.map(([u, w]) => `  ${u.padEnd(width)}${w}`),
    `observers may use ${listed(OBSERVER_MAY)}; ${
      listed(["debugger commands", "q", ...OPERATORS_ONLY, "Ctrl+C"])
    } are refused`,
  ];
}

/** May an observer issue this command line? */
export function observerMay(text: string): boolean {
  return lookup(text)?.observer === true;
}

export function refusalText(text: string): string {
  const shown = text.trim().length > 60 ? `${text.trim().slice(0, 57)}...` : text.trim();
  return `refused: you are an observer: you see everything, but "${shown}" did not run ` +
    `(observers may use ${listed(OBSERVER_MAY)})`;
}

export const INTERRUPT_REFUSAL =
  "refused: you are an observer: Ctrl+C (interrupt) is for operators; the target runs on";

export function knownMetaCommands(): string {
  return listed(DOT_WORDS.toSorted());
}
