/**
 * Who may attach through a `dap:` endpoint. DAP has no challenge: the editor's attach request
 * carries `password` as it is (hence TLS, `daps:`, beyond loopback: src/endpoint_policy.ts).
 * The server keeps only the key derived from the endpoint's secret (src/protocol/auth.ts), so
 * the given password is derived the same way and compared in constant time.
 *
 * A loopback endpoint without a password has a session token as its secret, which editors
 * cannot read by themselves; but on loopback the kernel says which local user is behind a
 * connection (src/transport/peer_uid.ts): the server's own user gets in with nothing typed,
 * as through a 0600 pipe, and any other local user needs the token (`password`), which only
 * the server's user can read.
 */
import { pbkdf2, timingSafeEqual } from "node:crypto";
import type { EndpointAuth } from "../session/peer.ts";

/** Does `given` derive to the endpoint's key? Constant time in what it compares. */
export function passwordMatches(auth: EndpointAuth, given: unknown): Promise<boolean> {
  if (typeof given !== "string" || given.length === 0 || given.length > 1024) {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    // Off the event loop: a stranger's guesses must not stall the session (PBKDF2 is slow).
    pbkdf2(given, Buffer.from(auth.salt, "base64"), auth.iterations, 32, "sha256", (err, key) => {
      resolve(!err && key.length === auth.key.length && timingSafeEqual(key, auth.key));
    });
  });
}

/**
 * For a token endpoint: is the peer the server's own user? `uidOf` looks the peer's uid up
 * (undefined when unknown: then only the token lets it in).
 */
export function sameUser(
  uidOf: (peer: string) => number | undefined,
  ownUid: number | undefined = typeof process.getuid === "function" ? process.getuid() : undefined,
): (peer: string) => boolean {
  return (peer) => {
    if (ownUid === undefined) return false;
    return uidOf(peer) === ownUid;
  };
}
