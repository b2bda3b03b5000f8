/**
 * What an endpoint needs before it opens: how peers get in (src/endpoint_policy.ts), its
 * password's key, and for a loopback endpoint without a password a session token, kept where its
 * user's clients find it for as long as the endpoint listens. Separate from server.ts because it
 * is the one place the server reads secrets: the same checks at startup and for `.server`.
 */
import { type ConnSpec, parseConnStr } from "../connstr.ts";
import {
  type Access,
  checkServerPassword,
  endpointAccess,
  endpointWarnings,
  reachOf,
} from "../endpoint_policy.ts";
import { deriveKey, KDF_ITERATIONS, newSalt } from "../protocol/auth.ts";
import { resolvePassword } from "../secrets.ts";
import type { AuthLimiter } from "../session/auth_limiter.ts";
import type { EndpointAuth } from "../session/peer.ts";
import { newSessionToken, removeToken, writeToken } from "../transport/loopback_token.ts";
import type { Listener } from "../transport/transport.ts";

/** What an endpoint needs before it opens: its password's key, and a loopback token if any. */
export interface Prepared {
  access: Access;
  auth?: EndpointAuth;
  /** The session token acting as the password of a loopback endpoint that has none. */
  token?: string;
}

export interface EndpointAccessOptions {
  /** The environment, for password_env. */
  env: Record<string, string | undefined>;
  log: (line: string) => void;
  /** The password lockout, shared by every endpoint a stranger can reach. */
  limiter: AuthLimiter;
  /** Wait before answering a wrong password. */
  authFailureDelayMs?: number;
  /** Where loopback endpoints' session tokens are kept. */
  tokenDir: string;
}

export function createEndpointAccess(config: EndpointAccessOptions) {
  const { limiter, tokenDir } = config;
  /**
   * How peers get in (src/endpoint_policy.ts): an endpoint not fit to open throws before anything
   * opens. A loopback endpoint without a password gets a session token as its password.
   */
  const prepare = (spec: ConnSpec): Prepared => {
    const password = resolvePassword(spec, config.env);
    if (password !== undefined) checkServerPassword(spec, password);
    const access = endpointAccess(spec, password !== undefined);
    // Only its user reaches a pipe: a lockout there could only lock that user out.
    const lockable = reachOf(spec) !== "user";
    for (const warning of endpointWarnings(spec)) config.log(warning);
    const token = access === "token" ? newSessionToken() : undefined;
    const secret = token ?? password;
    if (secret === undefined) return { access };
    const salt = newSalt();
    return {
      access,
      token,
      auth: {
        key: deriveKey(secret, salt, KDF_ITERATIONS),
        salt,
        iterations: KDF_ITERATIONS,
        limiter: lockable ? limiter : undefined,
        failureDelayMs: config.authFailureDelayMs,
      },
    };
  };
  /** Put a loopback endpoint's token where its user's clients find it, for as long as it listens. */
  const keepToken = (listener: Listener, token: string): Listener => {
    const port = (parseConnStr(listener.address) as { port?: number }).port;
    if (port === undefined) return listener;
    writeToken(tokenDir, port, token);
    return {
      ...listener,
      close: async () => {
        removeToken(tokenDir, port, token);
        await listener.close();
      },
    };
  };
  return { prepare, keepToken };
}
