/**
 * What a DAP engine's adapter profile (lldb-dap, debugpy) says, and what it may do while it
 * runs one user command: the seam between the one DAP engine core and each adapter.
 */
import type { DebugProtocol } from "@vscode/debugprotocol";
import type { CommandResult, EngineSpec, StackFrame, StopInfo, TargetState } from "../engine.ts";
import type { Breakpoint } from "../inspect.ts";

export interface AdapterCommand {
  command: string;
  args: string[];
  env?: Record<string, string | undefined>;
  /** For the engine's description, e.g. "lldb 19.1.7". */
  version: string;
}

/** What a profile may do while running one user command. */
export interface DapContext {
  readonly state: TargetState;
  readonly launched: boolean;
  /** The program's terminal (the server's pty), if it has one. */
  readonly tty: string | undefined;
  /** The selected frame's level (0 after every stop). */
  readonly selectedLevel: number;
  /** The stack of the last stop, innermost first (empty when not stopped). */
  readonly frames: readonly StackFrame[];
  /** The DAP id of the selected frame, when stopped. */
  readonly frameId: number | undefined;
  /** The thread of the last stop. */
  readonly threadId: number | undefined;
  /** Stops and exits reported so far. */
  readonly stops: number;
  request<R extends DebugProtocol.Response>(command: string, args?: unknown): Promise<R>;
  /**
   * Launch the target (initialize was done at start), run the start-up order,
   * and wait until it stops or exits. `args`, when given, replace the program's
   * arguments from the command line (lldb's `run ARGS`).
   */
  launch(args?: string[]): Promise<void>;
  /**
   * End the target and its adapter, start a new adapter and launch again (`args` as for
   * launch); the old target's end is reported as an exit unless it had ended already.
   */
  restart(args?: string[]): Promise<void>;
  /**
   * Send a request that may resume the target; resolves when the resulting stop
   * or exit has been reported (at once if the target did not resume).
   * `resumes`, or `send` resolving to true: it resumes for sure (no `continued` event needed).
   */
  resuming(send: () => Promise<boolean | void>, resumes: boolean): Promise<void>;
  /** Select another frame of the last stop: reported as a `frame` event. */
  selectFrame(level: number): void;
  /** The program was started again with these arguments (lldb's own `run ARGS`, once launched). */
  describeRun(args: readonly string[]): void;
  output(stream: "console" | "target" | "error", text: string): void;
}

export interface DapProfile {
  /** The engine kind, e.g. "lldb". */
  kind: string;
  /** Find the adapter; throws E_ENGINE_MISSING with what to install. */
  adapter(spec: EngineSpec, cwd: string): Promise<AdapterCommand>;
  /**
   * The `launch` request's arguments. `tty`: the server's pty for the program (the engine
   * answers `runInTerminal` with it too); its output is then no output event.
   */
  launchArguments(
    program: string,
    spec: EngineSpec,
    cwd: string,
    tty: string | undefined,
  ): Record<string, unknown>;
  /** Launch at start (pdb starts the script stopped at its first line) or at the first `run`. */
  launchAtStart: boolean;
  /** Run one user line. */
  execute(text: string, ctx: DapContext): Promise<CommandResult>;
  /** How a DAP stop reads in the session's terms. */
  stopInfo(body: DebugProtocol.StoppedEvent["body"]): StopInfo;
  /** (inspect) The debugger's breakpoints now, asked after each command; undefined: unknown. */
  breakpoints?(ctx: DapContext): Promise<Breakpoint[] | undefined>;
  /** The adapter has ended (the engine stopped, or it died): release what this profile holds. */
  stopped?(): void;
}
