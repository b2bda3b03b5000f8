/** The page's password proofs equal the server's (node:crypto), with WebCrypto and without. */
import assert from "node:assert/strict";
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import { deriveKey, newNonce, newSalt, proof } from "../../src/protocol/auth.ts";
import {
  createProver,
  hmacSha256,
  pbkdf2Sha256,
  proofText,
  sha256,
  toBase64,
} from "../../src/web/page/crypto.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

Deno.test("sha256 matches node:crypto at every length around the block edges", () => {
  for (const n of [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 100_000]) {
    const data = randomBytes(n);
    assert.equal(hex(sha256(data)), createHash("sha256").update(data).digest("hex"), `n=${n}`);
  }
  // FIPS 180-2's "abc"
  assert.equal(
    hex(sha256(new TextEncoder().encode("abc"))),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

Deno.test("hmacSha256 matches node:crypto, keys short and longer than a block", () => {
  for (const keyLength of [0, 16, 32, 64, 65, 200]) {
    const key = randomBytes(keyLength);
    const message = randomBytes(77);
    assert.equal(
      hex(hmacSha256(key, message)),
      createHmac("sha256", key).update(message).digest("hex"),
      `key ${keyLength}`,
    );
  }
});

Deno.test("pbkdf2Sha256 matches node:crypto (RFC 7914's vector too)", () => {
  for (
    const [password, iterations, length] of [["pw", 1, 32], ["hunter2", 1000, 32], [
      "é€",
      2,
      64,
    ]] as const
  ) {
    const salt = randomBytes(16);
    const pw = new TextEncoder().encode(password);
    assert.equal(
      hex(pbkdf2Sha256(pw, salt, iterations, length)),
      pbkdf2Sync(password, salt, iterations, length, "sha256").toString("hex"),
    );
  }
  assert.equal(
    hex(pbkdf2Sha256(new TextEncoder().encode("passwd"), new TextEncoder().encode("salt"), 1, 64)),
    "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc" +
      "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783",
  );
});

for (const useSubtle of [true, false]) {
  Deno.test(`the page's proofs equal the server's (${useSubtle ? "WebCrypto" : "plain JS"})`, async () => {
    const prover = createProver({ useSubtle });
    assert.equal(prover.native, useSubtle);
    const salt = newSalt();
    const password = "correct horse ✓";
    const key = await prover.deriveKey(password, salt, 100_000);
    const serverKey = deriveKey(password, salt, 100_000);
    assert.equal(hex(key), hex(serverKey));
    const ns = newNonce();
    const nc = newNonce();
    assert.equal(
      await prover.hmac(key, proofText("client", ns, nc)),
      proof(serverKey, "client", ns, nc),
    );
    assert.equal(
      await prover.hmac(key, proofText("server", ns, nc)),
      proof(serverKey, "server", ns, nc),
    );
    assert.equal(toBase64(new Uint8Array([251, 255])), "+/8=");
  });
}
