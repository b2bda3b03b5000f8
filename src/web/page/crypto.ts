// The page's password proofs, the same as src/protocol/auth.ts computes them
// (the text each covers comes from src/protocol/challenge.ts):
// K = PBKDF2-HMAC-SHA256(password, salt, iterations, 32 bytes), proof =
// HMAC-SHA256(K, proofText(role, serverNonce, clientNonce)), all base64.
// WebCrypto (crypto.subtle) exists only in secure contexts (https, localhost);
// on plain http from another machine the audited @noble/hashes does the work.

import { hmac } from "@noble/hashes/hmac.js";
import { pbkdf2Async } from "@noble/hashes/pbkdf2.js";
import { sha256 } from "@noble/hashes/sha2.js";

const utf8 = new TextEncoder();

export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** 32 random bytes, base64: a nonce (getRandomValues works in every context). */
export function randomNonce(): string {
  return toBase64(crypto.getRandomValues(new Uint8Array(32)));
}

/** What the page's protocol client needs: the key, then proofs with it. */
export interface Prover {
  /** WebCrypto does the work (else @noble/hashes). */
  readonly native: boolean;
  /** K, from the password and the server's salt (base64) and iteration count. */
  deriveKey(password: string, saltB64: string, iterations: number): Promise<Uint8Array>;
  /** base64 HMAC-SHA256(key, text). */
  hmac(key: Uint8Array, text: string): Promise<string>;
}

/** WebCrypto, when this page may use it (a secure context). */
function subtle(): SubtleCrypto | undefined {
  return globalThis.isSecureContext !== false && globalThis.crypto?.subtle
    ? globalThis.crypto.subtle
    : undefined;
}

/**
 * The password proofs, with WebCrypto or without. `useSubtle: false` forces
 * @noble/hashes (tests compare both with node:crypto).
 */
export function createProver({ useSubtle = true }: { useSubtle?: boolean } = {}): Prover {
  const s = useSubtle ? subtle() : undefined;
  return {
    native: Boolean(s),
    async deriveKey(password, saltB64, iterations) {
      const pw = utf8.encode(password);
      const salt = fromBase64(saltB64);
      // pbkdf2Async yields to the page now and then: it stays responsive for the seconds it takes.
      if (!s) return await pbkdf2Async(sha256, pw, salt, { c: iterations, dkLen: 32 });
      const base = await s.importKey("raw", pw, "PBKDF2", false, ["deriveBits"]);
      const bits = await s.deriveBits(
        { name: "PBKDF2", hash: "SHA-256", salt, iterations },
        base,
        256,
      );
      return new Uint8Array(bits);
    },
    async hmac(key, text) {
      const message = utf8.encode(text);
      if (!s) return toBase64(hmac(sha256, key, message));
      const k = await s.importKey(
        "raw",
        new Uint8Array(key),
        { name: "HMAC", hash: "SHA-256" },
        false,
        [
          "sign",
        ],
      );
      return toBase64(new Uint8Array(await s.sign("HMAC", k, message)));
    },
  };
}
