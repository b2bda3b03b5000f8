/**
 * Session tokens of loopback endpoints (see src/endpoint_policy.ts): every
 * local user can reach 127.0.0.1, so a loopback endpoint without a password
 * gets a random token that acts as its password, kept in a 0600 file in the
 * private pipe directory (mode 0700) where only the server's own user can
 * read it. A client of the same user finds it by port, so
 * `dbgremote client tcp:server=127.0.0.1,port=5005` needs nothing typed.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { type ConnSpec, isLoopback } from "../connstr.ts";
import { ensurePrivateDir } from "./npipe.ts";

/** 256 random bits: guessing is hopeless, so the token is as good as any password. */
export function newSessionToken(): string {
  return randomBytes(32).toString("base64url");
}

/** The token file of a loopback port (tcp, ssl, http, https share the port space). */
export function tokenPath(dir: string, port: number): string {
  return path.join(dir, `loopback-${port}.token`);
}

/** Keep the token where only this user can read it. */
export function writeToken(dir: string, port: number, token: string): void {
  ensurePrivateDir(dir);
  const file = tokenPath(dir, port);
  fs.rmSync(file, { force: true }); // a stale one of a server that died: ours, in our directory
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600, flag: "wx" });
}

/** The token a server of this user keeps for `port`, if any (and only if the file is private). */
export function readToken(dir: string, port: number): string | undefined {
  try {
    const file = tokenPath(dir, port);
    const st = fs.statSync(file);
    const uid = typeof process.getuid === "function" ? process.getuid() : st.uid;
    if (st.uid !== uid || (st.mode & 0o077) !== 0 || !st.isFile()) return undefined;
    const token = fs.readFileSync(file, "utf8").trim();
    return token === "" ? undefined : token;
  } catch {
    return undefined; // no server of ours there (or not readable): the server will say what it needs
  }
}

/** Remove the token file if it is still this token's (a later server may own the port now). */
export function removeToken(dir: string, port: number, token: string): void {
  if (readToken(dir, port) === token) fs.rmSync(tokenPath(dir, port), { force: true });
}

/**
 * The token for a client's connection string: only for a loopback address (a client never
 * looks one up for a remote server), and only when the string gives no password.
 */
export function tokenFor(spec: ConnSpec, dir: string): string | undefined {
  if (spec.password !== undefined || spec.passwordEnv !== undefined) return undefined;
  if (spec.transport === "npipe" || spec.transport === "spipe" || spec.transport === "com") {
    return undefined;
  }
  if (spec.port === undefined) return undefined;
  const host = spec.server ??
    (spec.transport === "tcp" || spec.transport === "ssl" ? undefined : "127.0.0.1");
  return isLoopback(host) ? readToken(dir, spec.port) : undefined;
}
