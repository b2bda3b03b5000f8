/**
 * Browser logins of one web endpoint. A page proves the password over its
 * WebSocket, as every client does; the session then tells the transport,
 * which starts a login here and hands the page a one-time ticket. The page
 * trades the ticket for an HttpOnly cookie holding the login's token, so a
 * reload needs no password. The token is random: never the password, nor
 * derived from it.
 *
 * A login ends at its absolute lifetime, after a spell with no page open, or
 * on logout; pages still open on it are closed then. Pure over an injected
 * clock; the timer that ends open pages is the only I/O.
 */
import { randomBytes } from "node:crypto";

export interface LoginOptions {
  /** A login's whole life, from the password on (default 12 h). */
  lifetimeMs?: number;
  /** A login with no page open for this long ends (default 30 min, at most the lifetime). */
  idleMs?: number;
  /** A ticket must be traded for the cookie within this time (default 60 s). */
  ticketMs?: number;
  now?: () => number;
}

interface Login {
  expires: number;
  /** When the last page on this login closed; undefined while pages are open. */
  idleSince?: number;
  /** Close each open page on this login, saying why. */
  pages: Set<(reason: string) => void>;
}

export const DEFAULT_LIFETIME_MS = 12 * 3600_000;
const DEFAULT_IDLE_MS = 30 * 60_000;

function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

export class Logins {
  readonly #lifetimeMs: number;
  readonly #idleMs: number;
  readonly #ticketMs: number;
  readonly #now: () => number;
  readonly #logins = new Map<string, Login>();
  readonly #tickets = new Map<string, { token: string; expires: number }>();
  #timer?: ReturnType<typeof setTimeout>;

  constructor(options: LoginOptions = {}) {
    this.#lifetimeMs = options.lifetimeMs ?? DEFAULT_LIFETIME_MS;
    this.#idleMs = Math.min(options.idleMs ?? DEFAULT_IDLE_MS, this.#lifetimeMs);
    this.#ticketMs = options.ticketMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * A page has just proven the password: start a login. Returns its token and
   * the one-time ticket the page trades for the cookie.
   */
  begin(): { token: string; ticket: string } {
    this.sweep();
    const token = randomToken();
    const ticket = randomToken();
    const now = this.#now();
    this.#logins.set(token, { expires: now + this.#lifetimeMs, idleSince: now, pages: new Set() });
    this.#tickets.set(ticket, { token, expires: now + this.#ticketMs });
    return { token, ticket };
  }

  /** Trade a ticket for its login's token, once. */
  redeem(ticket: string): string | undefined {
    this.sweep();
    const t = this.#tickets.get(ticket);
    if (!t) return undefined;
    this.#tickets.delete(ticket);
    return this.#logins.has(t.token) ? t.token : undefined;
  }

  /** Milliseconds this login has left, or 0 if it is unknown or over. */
  remaining(token: string | undefined): number {
    if (!token) return 0;
    this.sweep();
    const login = this.#logins.get(token);
    return login ? login.expires - this.#now() : 0;
  }

  /**
   * A page is open on this login: it keeps the login from idling out, and is
   * closed when the login ends. Returns the function to call when it closes.
   */
  attach(token: string, close: (reason: string) => void): () => void {
    const login = this.#logins.get(token);
    if (!login) {
      close("the login has ended");
      return () => {};
    }
    login.pages.add(close);
    login.idleSince = undefined;
    this.#schedule();
    return () => {
      if (!login.pages.delete(close) || login.pages.size) return;
      login.idleSince = this.#now();
      this.#schedule();
    };
  }

  /** End a login now (logout): its pages are closed. */
  revoke(token: string | undefined): void {
    if (token) this.#end(token, "logged out");
    this.#schedule();
  }

  /** End what is due: tickets, logins past their lifetime or idle too long. */
  sweep(): void {
    const now = this.#now();
    for (const [ticket, t] of this.#tickets) {
      if (t.expires <= now) this.#tickets.delete(ticket);
    }
    for (const [token, login] of this.#logins) {
      if (login.expires <= now) this.#end(token, "the login expired: log in again");
      else if (login.idleSince !== undefined && login.idleSince + this.#idleMs <= now) {
        this.#end(token, "the login expired");
      }
    }
  }

  /** How many logins are live (for tests and the log). */
  get size(): number {
    this.sweep();
    return this.#logins.size;
  }

  /** Stop the timer; close nothing. */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #end(token: string, reason: string): void {
    const login = this.#logins.get(token);
    if (!login) return;
    this.#logins.delete(token);
    for (const close of login.pages) close(reason);
  }

  /** Wake at the next lifetime end among logins with open pages. */
  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    let next = Infinity;
    for (const login of this.#logins.values()) {
      if (login.pages.size) next = Math.min(next, login.expires);
    }
    if (next === Infinity) return;
    // setTimeout takes at most 2^31-1 ms; a longer wait just wakes early and waits again.
    const wait = Math.min(Math.max(next - this.#now(), 0) + 10, 2 ** 31 - 1);
    this.#timer = setTimeout(() => {
      this.sweep();
      this.#schedule();
    }, wait);
  }
}
