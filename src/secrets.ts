/** Where an endpoint's password comes from: inline, or an environment variable. */
import { type ConnSpec, formatConnStr } from "./connstr.ts";
import { DbgRemoteError } from "./errors.ts";

/** The password a spec names, or undefined if it names none. Throws if its variable is unset. */
export function resolvePassword(
  spec: ConnSpec,
  env: Record<string, string | undefined>,
): string | undefined {
  if (spec.password !== undefined) return spec.password;
  if (spec.passwordEnv === undefined) return undefined;
  const value = env[spec.passwordEnv];
  if (value === undefined || value === "") {
    throw new DbgRemoteError(
      "E_SECRET_MISSING",
      `${formatConnStr(spec)} takes its password from $${spec.passwordEnv}, which is not set`,
      { hint: `set it first, e.g. read -rs ${spec.passwordEnv} && export ${spec.passwordEnv}` },
    );
  }
  return value;
}

/** The environment variables endpoints take their passwords from (`password_env`). */
export function secretNames(specs: ConnSpec[]): string[] {
  return [...new Set(specs.flatMap((s) => (s.passwordEnv === undefined ? [] : [s.passwordEnv])))];
}

/**
 * `env` without the secrets: what the debugger, the program and anything else the server
 * starts get. Those read /proc/PID/environ as easily as anyone who can see the process.
 */
export function withoutSecrets(
  env: Record<string, string | undefined>,
  names: Iterable<string>,
): Record<string, string | undefined> {
  const out = { ...env };
  for (const name of names) delete out[name];
  return out;
}
