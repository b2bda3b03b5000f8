/**
 * The one rule for who may come in through a listening endpoint, used by
 * `dbgremote check` (topology/parse.ts), `dbgremote server` and `.server`
 * (server/server.ts): written once, so they cannot disagree.
 *
 *   transport           reach       password/clientca  insecure  neither
 *   npipe, spipe        this user   password           open      open (a 0600 socket)
 *   com                 the cable   password           open      open (a physical line)
 *   tcp/ssl/http/https  loopback    password           open      token
 *   tcp/ssl/http/https  network     password           open      refused (E_INSECURE)
 *   tcp clicon          the dialed  password           open      refused (E_INSECURE)
 *   dap, daps           loopback    password           open      token (or the same uid)
 *   dap, daps           network     password (dap: only with insecure)  open  refused
 *
 * An editor's attach request carries the password itself (DAP has no challenge), so on
 * `dap:` (plain tcp) beyond loopback a password would cross the network in clear: refused
 * unless `insecure`; `daps:` (TLS) is the way. On loopback, DAP peers from the server's own
 * user are let in without the token (see src/dap/attach_auth.ts).
 *
 * "token": every local user can reach a loopback port, so the server makes a
 * random session token, acting as the endpoint's password, that only its own
 * user can read (a 0600 file in the private pipe directory; the browser URL
 * it prints carries it too). Pure: no I/O.
 */
import { type ConnSpec, formatConnStr, isLoopback, isTcpFamily, type TcpSpec } from "./connstr.ts";
import { DbgRemoteError } from "./errors.ts";

/** How a peer gets in. */
export type Access =
  /** Without a password: the endpoint is private by nature, or the user said `insecure`. */
  | "open"
  /** The endpoint's password (or, for ssl with clientca=, a client certificate). */
  | "password"
  /** A session token the server generates, readable only by its user. */
  | "token";

/** Who can reach an endpoint at all. */
export type Reach = "user" | "line" | "loopback" | "network" | "dialed";

export function reachOf(spec: ConnSpec): Reach {
  switch (spec.transport) {
    case "npipe":
    case "spipe":
      return "user";
    case "com":
      return "line";
    case "tcp":
      if (spec.clicon !== undefined) return "dialed";
  }
  return isLoopback(spec.server) ? "loopback" : "network";
}

/** The address a tcp-based endpoint binds: its `server=`, else every interface of its family. */
export function bindAddress(spec: ConnSpec): string | undefined {
  if (!isTcpFamily(spec)) return undefined;
  return spec.server ?? (spec.ipversion === 6 ? "::" : "0.0.0.0");
}

/** Does this endpoint listen on every interface (so people elsewhere reach it by the host's name)? */
export function listensEverywhere(spec: ConnSpec): boolean {
  if (reachOf(spec) !== "network") return false;
  const bind = bindAddress(spec);
  return bind === "0.0.0.0" || bind === "::";
}

/**
 * How peers get in through a listening endpoint, or E_INSECURE if it would hand the debugger
 * to people the user did not mean. `hasPassword`: it has a password (lab: password_env).
 */
export function endpointAccess(spec: ConnSpec, hasPassword: boolean): Access {
  if (spec.transport === "dap" && hasPassword && !spec.insecure && reachOf(spec) === "network") {
    throw new DbgRemoteError(
      "E_INSECURE",
      `${formatConnStr(spec)}: an editor's attach request carries the password as it is, ` +
        "so on plain tcp it would cross the network in clear",
      {
        hint: "use daps: with certfile= and keyfile= (create a pair with: dbgremote cert), or " +
          "listen on loopback (server=127.0.0.1) and tunnel (ssh -L), or add `insecure`",
      },
    );
  }
  if (hasPassword) return "password";
  if (spec.insecure) return "open";
  const reach = reachOf(spec);
  if (reach === "user" || reach === "line") return "open";
  if (spec.transport === "ssl" && spec.clientca) return "password"; // certificate holders only
  if (reach === "loopback") return "token";
  if (reach === "dialed") {
    // A reverse connection goes wherever the name leads; on loopback, any local user could be
    // the one listening there (use npipe instead). Either way it needs the shared password.
    throw new DbgRemoteError(
      "E_INSECURE",
      `${formatConnStr(spec)} would hand control of the debugger to whoever answers at ${
        (spec as TcpSpec).clicon
      }: it has no password`,
      {
        hint:
          "add password_env=VAR (the client gives the same), or add `insecure` to accept the risk",
      },
    );
  }
  throw new DbgRemoteError(
    "E_INSECURE",
    `${formatConnStr(spec)} would let anyone who reaches ${
      (spec as TcpSpec).server ?? "every interface"
    } control the debugger: it has no password`,
    {
      hint: "add password_env=VAR (the variable holds the password), or listen on loopback only " +
        "(server=127.0.0.1), or add `insecure` to accept the risk" +
        (spec.transport === "ssl" ? ", or require client certificates with clientca=FILE" : ""),
    },
  );
}

/** What the server should warn about an endpoint that is allowed to open. */
export function endpointWarnings(spec: ConnSpec): string[] {
  if (spec.transport === "http" && reachOf(spec) === "network") {
    return [
      `${formatConnStr(spec)}: the session and the browser's login cookie cross the network ` +
      "unencrypted (the password itself never does); use https: beyond a trusted network",
    ];
  }
  return [];
}

/** Variables every environment has, none of them a secret: never a password. */
const NOT_SECRETS = new Set([
  "HOME",
  "PATH",
  "USER",
  "LOGNAME",
  "SHELL",
  "PWD",
  "OLDPWD",
  "TERM",
  "LANG",
  "LANGUAGE",
  "HOSTNAME",
  "HOST",
  "DISPLAY",
  "EDITOR",
  "VISUAL",
  "PAGER",
  "MAIL",
  "SHLVL",
  "TMPDIR",
  "TZ",
  "COLORTERM",
  "_",
]);
const NOT_SECRET_PREFIXES = ["LC_", "XDG_", "SSH_", "DBUS_", "WAYLAND_", "DBGREMOTE_"];

/** Shortest password a server accepts: shorter ones fall to guessing even with the lockout. */
export const MIN_PASSWORD_LENGTH = 6;

/**
 * Is this value fit to be a listening endpoint's password? Throws E_SECRET_WEAK if not: a
 * well-known variable (`password_env=HOME`), or a value shorter than {@link MIN_PASSWORD_LENGTH}.
 */
export function checkServerPassword(spec: ConnSpec, password: string): void {
  const name = spec.passwordEnv;
  if (
    name !== undefined &&
    (NOT_SECRETS.has(name.toUpperCase()) ||
      NOT_SECRET_PREFIXES.some((p) => name.toUpperCase().startsWith(p)))
  ) {
    throw new DbgRemoteError(
      "E_SECRET_WEAK",
      `${formatConnStr(spec)}: $${name} is a well-known variable, not a secret`,
      {
        hint: "keep the password in a variable of its own: read -rs LAB_PW && export LAB_PW, " +
          "then password_env=LAB_PW",
      },
    );
  }
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw new DbgRemoteError(
      "E_SECRET_WEAK",
      `${formatConnStr(spec)}: the password is shorter than ${MIN_PASSWORD_LENGTH} characters`,
      { hint: `choose a password of at least ${MIN_PASSWORD_LENGTH} characters` },
    );
  }
}
