/** Which keys each table of a lab takes, and the problem for any other key. */
import { didYouMean } from "../suggest.ts";
import type { Problems, Table } from "./problems.ts";

export const TOP_KEYS = ["lab", "nodes"];
export const LAB_KEYS = ["name", "description"];
export const NODE_KEYS = [
  "host",
  "engine",
  "listen",
  "noio",
  "discover",
  "log",
  "connect",
  "user",
  "observer",
  "description",
];
export const SERVER_ONLY = ["engine", "listen", "noio", "discover", "log"];
export const CLIENT_ONLY = ["connect", "user", "observer"];
/** Keys for running a lab across hosts: `ship`'s login, and clients that wait or talk TLS by name. */
export const SHIP_KEYS = ["ssh_user"];
export const CLIENT_LAB_KEYS = ["reconnect", "cafile"];
export const ENGINE_KEYS = ["kind", "program", "args", "debugger", "cwd"];
export const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Report every key of `table` not in `allowed`: a secret, a misplaced password_env, or a typo. */
export function checkKeys(
  problems: Problems,
  table: Table,
  allowed: string[],
  path: string,
  what: string,
): void {
  for (const key of Object.keys(table)) {
    if (allowed.includes(key)) continue;
    if (/^password_env$/i.test(key)) {
      problems.add(
        path ? `${path}.${key}` : key,
        `\`${key}\` goes in the connection strings, not in ${what}`,
        'for example listen = ["tcp:port=5005,password_env=LAB_PW"] and the same in `connect`',
      );
      continue;
    }
    if (/passw(or)?d|secret/i.test(key)) {
      problems.add(
        path ? `${path}.${key}` : key,
        `\`${key}\` in ${what}: never put secrets in a topology: use password_env`,
        'remove it; add password_env=VAR to the connection strings (e.g. "tcp:port=5005,password_env=LAB_PW") and set VAR on each machine',
      );
      continue;
    }
    const guess = didYouMean(key, allowed);
    problems.add(
      path ? `${path}.${key}` : key,
      `unknown key \`${key}\` in ${what}`,
      guess ? `did you mean \`${guess}\`?` : `${what} keys are: ${allowed.join(", ")}`,
    );
  }
}
