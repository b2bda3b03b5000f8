/**
 * What both sides of the password challenge agree on, without any crypto (see
 * auth.ts): the text each proof covers and the key iterations a client
 * accepts. Pure, so the server and the console (node:crypto) and the browser
 * page (WebCrypto, or @noble/hashes without it) share one definition.
 */

/** Fewer iterations would make the key cheap to guess; more would stall a client for minutes. */
export const MIN_ITERATIONS = 1000;
export const MAX_ITERATIONS = 10_000_000;

/** May a client derive a key with this many iterations, as a challenge asks? */
export function acceptableIterations(n: unknown): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= MIN_ITERATIONS &&
    n <= MAX_ITERATIONS;
}

/** The text one side's proof is an HMAC of: labelled by the prover's role, both nonces. */
export function proofText(
  role: "client" | "server",
  serverNonce: string,
  clientNonce: string,
): string {
  return `dbgremote-auth-v1\0${role}\0${serverNonce}\0${clientNonce}`;
}
