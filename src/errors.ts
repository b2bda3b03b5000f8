/**
 * Every error dbgremote raises on purpose, each with a stable code.
 *
 * A message says what went wrong and where; `hint` says what to do about it.
 * Codes are part of the wire protocol (they travel in `error` frames) and of
 * the CLI's output, so never rename one: add a new one instead.
 */

export type ErrorCode =
  | "E_USAGE"
  | "E_CONNSTR"
  | "E_TOPOLOGY"
  | "E_FRAME_TOO_LARGE"
  | "E_FRAME_MALFORMED"
  | "E_PROTOCOL"
  | "E_PROTOCOL_MISMATCH"
  | "E_HANDSHAKE"
  | "E_AUTH"
  | "E_AUTH_LOCKED"
  | "E_INSECURE"
  | "E_SECRET_MISSING"
  | "E_SECRET_WEAK"
  | "E_PIPE_PATH_TAKEN"
  | "E_TOO_MANY_UNAUTHENTICATED"
  | "E_ADDR_IN_USE"
  | "E_CONNECT"
  | "E_TRANSPORT"
  | "E_ENGINE_MISSING"
  | "E_ENGINE_START"
  | "E_ENGINE_DIED"
  | "E_PROGRAM_MISSING"
  | "E_SLOW_CLIENT"
  | "E_TOO_LONG"
  | "E_SESSION_ENDED"
  | "E_NODE"
  | "E_GAVE_UP"
  | "E_SHIP"
  | "E_DISCOVERY"
  | "E_RECORD"
  | InspectCode;

/** Why the structured side (engine/inspect.ts) did not answer a question or do an action. */
export type InspectCode =
  | "E_TARGET_RUNNING"
  | "E_NO_TARGET"
  | "E_NO_INSPECTOR"
  | "E_BAD_REF"
  | "E_INSPECT"
  | "E_BAD_ACTION";

export class DbgRemoteError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DbgRemoteError";
    this.code = code;
    this.hint = options?.hint;
  }

  /** One line for a terminal: `message (hint)`. */
  format(): string {
    return this.hint ? `${this.message}\n  hint: ${this.hint}` : this.message;
  }
}

export class UsageError extends DbgRemoteError {
  constructor(message: string, hint?: string) {
    super("E_USAGE", message, { hint: hint ?? "run `dbgremote help` for usage" });
    this.name = "UsageError";
  }
}

export class ConnStrError extends DbgRemoteError {
  /** Offset of the offending character in the connection string, if known. */
  readonly offset?: number;
  constructor(message: string, hint?: string, offset?: number) {
    super("E_CONNSTR", message, { hint });
    this.name = "ConnStrError";
    this.offset = offset;
  }
}

export class FrameError extends DbgRemoteError {
  constructor(code: "E_FRAME_TOO_LARGE" | "E_FRAME_MALFORMED", message: string, hint?: string) {
    super(code, message, { hint });
    this.name = "FrameError";
  }
}

export class ProtocolError extends DbgRemoteError {
  constructor(
    code:
      | "E_PROTOCOL"
      | "E_PROTOCOL_MISMATCH"
      | "E_HANDSHAKE"
      | "E_AUTH"
      | "E_AUTH_LOCKED"
      | "E_SESSION_ENDED",
    message: string,
    hint?: string,
  ) {
    super(code, message, { hint });
    this.name = "ProtocolError";
  }
}

/**
 * What the transport knows about a failure to connect, for the client deciding whether to
 * wait: `no-answer` nobody answered in time (waiting may help); `tls` the TLS handshake
 * failed (waiting will not). Absent: the OS error in `cause` says.
 */
export type ConnectFailure = "no-answer" | "tls";

export class TransportError extends DbgRemoteError {
  readonly failure?: ConnectFailure;
  constructor(
    code: "E_ADDR_IN_USE" | "E_CONNECT" | "E_TRANSPORT" | "E_PIPE_PATH_TAKEN",
    message: string,
    options?: { hint?: string; cause?: unknown; failure?: ConnectFailure },
  ) {
    super(code, message, options);
    this.name = "TransportError";
    this.failure = options?.failure;
  }
}

export class EngineError extends DbgRemoteError {
  constructor(
    code: "E_ENGINE_MISSING" | "E_ENGINE_START" | "E_ENGINE_DIED" | "E_PROGRAM_MISSING",
    message: string,
    options?: { hint?: string; cause?: unknown },
  ) {
    super(code, message, options);
    this.name = "EngineError";
  }
}

/** One problem found in a topology file, with its position (1-based). */
export interface TopologyProblem {
  file: string;
  line: number;
  col: number;
  message: string;
  hint?: string;
}

/** All problems of a topology at once: validation never stops at the first. */
export class TopologyError extends DbgRemoteError {
  readonly problems: TopologyProblem[];
  constructor(problems: TopologyProblem[]) {
    super("E_TOPOLOGY", problems.map(formatProblem).join("\n"));
    this.name = "TopologyError";
    this.problems = problems;
  }
}

export function formatProblem(p: TopologyProblem): string {
  const head = `${p.file}:${p.line}:${p.col}: ${p.message}`;
  return p.hint ? `${head}\n  hint: ${p.hint}` : head;
}

/** Turn anything thrown into a message fit for a terminal. */
export function describeError(err: unknown): string {
  if (err instanceof DbgRemoteError) return `error[${err.code}]: ${err.format()}`;
  if (err instanceof Error) return `error: ${err.message}`;
  return `error: ${String(err)}`;
}
