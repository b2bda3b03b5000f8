/**
 * Password authentication without sending the password: a mutual
 * challenge-response. Pure functions over node:crypto.
 *
 *   server → client  challenge {nonce: Ns, salt, iterations}
 *   client → server  auth {nonce: Nc, proof: HMAC(K, "client" ‖ Ns ‖ Nc)}
 *   server → client  welcome {..., proof: HMAC(K, "server" ‖ Ns ‖ Nc)}
 *
 * K = PBKDF2-SHA256(password, salt, iterations). Both nonces are fresh random
 * bytes per connection, so a recorded transcript proves nothing next time;
 * the server proves itself too, so a client never talks to an impostor that
 * merely accepted it. Secrecy of the traffic itself comes from TLS.
 */
import { createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";
import { proofText } from "./challenge.ts";

export const KDF_ITERATIONS = 100_000;
const NONCE_BYTES = 32;

export function newNonce(): string {
  return randomBytes(NONCE_BYTES).toString("base64");
}

export function newSalt(): string {
  return randomBytes(16).toString("base64");
}

/** The key both sides derive from the password. Slow on purpose (PBKDF2). */
export function deriveKey(password: string, salt: string, iterations = KDF_ITERATIONS): Uint8Array {
  return pbkdf2Sync(password, Buffer.from(salt, "base64"), iterations, 32, "sha256");
}

/** The proof one side sends: an HMAC of both nonces, labelled by the prover's role. */
export function proof(
  key: Uint8Array,
  role: "client" | "server",
  serverNonce: string,
  clientNonce: string,
): string {
  return createHmac("sha256", key)
    .update(proofText(role, serverNonce, clientNonce))
    .digest("base64");
}

/** Check a proof in constant time. */
export function checkProof(
  key: Uint8Array,
  role: "client" | "server",
  serverNonce: string,
  clientNonce: string,
  given: unknown,
): boolean {
  if (typeof given !== "string") return false;
  const want = Buffer.from(proof(key, role, serverNonce, clientNonce), "base64");
  const got = Buffer.from(given, "base64");
  return got.length === want.length && timingSafeEqual(got, want);
}
