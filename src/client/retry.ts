/**
 * Waiting for a server that is not there (yet): a bounded, jittered backoff,
 * which failures are worth waiting out, and the loop that says what it waits
 * for. No timers of its own beyond `sleep`; tests pass a fake clock.
 */
import { DbgRemoteError, ProtocolError, TransportError } from "../errors.ts";

export interface BackoffOptions {
  /** First wait (default 250 ms); it doubles after each failure. */
  initialMs?: number;
  /** Longest wait (default 5 s). */
  maxMs?: number;
  /** Each wait is shortened by up to this fraction, at random (default 0.2), so clients spread out. */
  jitter?: number;
  random?: () => number;
}

export interface Backoff {
  /** The next wait, in ms: never above maxMs. */
  next(): number;
  /** The last wait was (up to jitter) the longest: waits stopped growing. */
  readonly capped: boolean;
  reset(): void;
}

/** 0.25 s, 0.5 s, 1 s, 2 s, 4 s, 5 s, 5 s…, each up to 20% shorter at random. */
export function createBackoff(options: BackoffOptions = {}): Backoff {
  const initial = options.initialMs ?? 250;
  const max = options.maxMs ?? 5000;
  const jitter = options.jitter ?? 0.2;
  const random = options.random ?? Math.random;
  let base = initial;
  let capped = false;
  return {
    next() {
      const delay = Math.round(Math.min(base, max) * (1 - jitter * random()));
      capped = base >= max;
      base = Math.min(max, base * 2);
      return delay;
    },
    get capped() {
      return capped;
    },
    reset() {
      base = initial;
      capped = false;
    },
  };
}

/** OS error codes that mean "nobody answers there now", which may change by waiting. */
const TRANSIENT: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ECONNABORTED: "connection aborted",
  EPIPE: "connection closed",
  ENOENT: "no such pipe yet",
  EHOSTUNREACH: "host unreachable",
  EHOSTDOWN: "host down",
  ENETUNREACH: "network unreachable",
  ENETDOWN: "network down",
  ETIMEDOUT: "timed out",
  EAI_AGAIN: "host name lookup failed for now",
};

/**
 * Why `err` is worth waiting out, in a few words ("connection refused"), or
 * undefined when waiting cannot help: a wrong password, a protocol mismatch, an
 * untrusted certificate, a host name that does not exist, a missing variable.
 */
export function transientReason(err: unknown): string | undefined {
  // A server still closing down a session it ended refuses newcomers; its successor will not.
  // Decided on codes the transports and the server set, never on a message's text.
  if (err instanceof ProtocolError && err.code === "E_SESSION_ENDED") {
    return "the server is shutting down";
  }
  if (!(err instanceof TransportError) || err.code !== "E_CONNECT") return undefined;
  if (err.failure === "no-answer") return "no answer";
  if (err.failure === "tls") return undefined;
  const code = (err.cause as { code?: string } | undefined)?.code;
  return code ? TRANSIENT[code] : undefined;
}

/** "2 s", "0.2 s". */
export function formatDelay(ms: number): string {
  return ms < 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

export interface RetryOptions<T> {
  /** One try: connect and handshake. */
  attempt: () => Promise<T>;
  /** What we wait for, e.g. "server `target` at tcp:server=lab1,port=5005". */
  what: string;
  /** Where the waiting lines go. */
  say: (line: string) => void;
  backoff?: Backoff;
  /** Give up after this long (ms); default: never. */
  limitMs?: number;
  /** Aborted when the user gives up (Ctrl+C). */
  signal?: AbortSignal;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** While waits are at their longest, repeat the same line at most this often (default 30 s). */
  quietMs?: number;
  /** Wait one backoff step before the first try (a server that just went away is not back yet). */
  delayFirst?: boolean;
  /**
   * Giving up does not wait for a try under way (a connect or handshake can take seconds): what
   * that try yields after the user gave up goes here, to be closed.
   */
  discard?: (late: T) => void;
}

/** The try's own outcome, or "aborted" as soon as `signal` aborts (the try then goes to `discard`). */
function unlessAborted<T>(
  attempt: Promise<T>,
  signal: AbortSignal | undefined,
  discard: ((late: T) => void) | undefined,
): Promise<{ value: T } | "aborted"> {
  if (!signal) return attempt.then((value) => ({ value }));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      resolve("aborted");
      attempt.then((late) => discard?.(late), () => {});
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    attempt.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        if (signal.aborted) return; // onAbort ran first and discards it
        resolve({ value });
      },
      (err) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Try until `attempt` succeeds. A failure worth waiting out is said (what we
 * wait for, why, when we retry) and retried after the backoff; any other
 * failure is thrown at once. Throws E_GAVE_UP when the user gives up or the
 * limit passes.
 */
export async function retryUntil<T>(options: RetryOptions<T>): Promise<T> {
  const backoff = options.backoff ?? createBackoff();
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const quiet = options.quietMs ?? 30_000;
  const started = now();
  let lastSaid = { reason: "", at: -Infinity };
  let saidCapped = false;
  let lastReason = "";
  let lastError: unknown;
  if (options.delayFirst) await sleep(backoff.next(), options.signal);
  while (true) {
    if (options.signal?.aborted) break;
    try {
      const outcome = await unlessAborted(options.attempt(), options.signal, options.discard);
      if (outcome === "aborted") break;
      return outcome.value;
    } catch (err) {
      const reason = transientReason(err);
      if (reason === undefined) throw err;
      lastReason = reason;
      lastError = err;
    }
    if (options.signal?.aborted) break;
    const elapsed = now() - started;
    if (options.limitMs !== undefined && elapsed >= options.limitMs) {
      throw new DbgRemoteError(
        "E_GAVE_UP",
        `gave up waiting for ${options.what} after ${formatDelay(options.limitMs)}: ${lastReason}`,
        {
          hint: "start the server first, or wait longer (--wait-max SECONDS)",
          cause: lastError,
        },
      );
    }
    let delay = backoff.next();
    if (options.limitMs !== undefined) delay = Math.min(delay, options.limitMs - elapsed);
    const t = now();
    // Said while the waits grow, the first time they stop growing, when the reason
    // changes, and then every `quiet` ms: a long wait does not flood the terminal.
    if (
      !backoff.capped || !saidCapped || lastReason !== lastSaid.reason || t - lastSaid.at >= quiet
    ) {
      options.say(
        `waiting for ${options.what}: ${lastReason}; retrying in ${
          formatDelay(delay)
        } (Ctrl+C to give up)`,
      );
      lastSaid = { reason: lastReason, at: t };
      saidCapped = backoff.capped;
    }
    await sleep(delay, options.signal);
  }
  throw new DbgRemoteError("E_GAVE_UP", `gave up waiting for ${options.what}: ${lastReason}`, {
    hint: "start the server, then connect again",
    cause: lastError,
  });
}
