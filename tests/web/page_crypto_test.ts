/**
 * The page's password proofs equal the server's (src/protocol/auth.ts, node:crypto), with
 * WebCrypto and with @noble/hashes (pages on plain http away from localhost have no WebCrypto).
 */
import assert from "node:assert/strict";
import { pbkdf2Sync, randomBytes } from "node:crypto";
import { deriveKey, newNonce, newSalt, proof } from "../../src/protocol/auth.ts";
import { proofText } from "../../src/protocol/challenge.ts";
import { createProver, fromBase64, toBase64 } from "../../src/web/page/crypto.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

for (const useSubtle of [true, false]) {
  const how = useSubtle ? "WebCrypto" : "@noble/hashes";
  Deno.test(`the page's proofs equal the server's (${how})`, async () => {
    const prover = createProver({ useSubtle });
    assert.equal(prover.native, useSubtle);
    const salt = newSalt();
    const password = "correct horse ✓";
    const key = await prover.deriveKey(password, salt, 100_000);
    const serverKey = deriveKey(password, salt, 100_000);
    assert.equal(hex(key), hex(serverKey));
    const ns = newNonce();
    const nc = newNonce();
    for (const role of ["client", "server"] as const) {
      assert.equal(await prover.hmac(key, proofText(role, ns, nc)), proof(serverKey, role, ns, nc));
    }
    // A wrong password gives another proof.
    const other = await prover.deriveKey("correct horse", salt, 100_000);
    assert.notEqual(
      await prover.hmac(other, proofText("client", ns, nc)),
      proof(serverKey, "client", ns, nc),
    );
  });

  Deno.test(`the page's key equals node:crypto's PBKDF2 for any salt and password (${how})`, async () => {
    const prover = createProver({ useSubtle });
    for (
      const [password, iterations] of [["", 1000], ["pw", 1000], ["é€\u{1F600}", 1001]] as const
    ) {
      const salt = randomBytes(16);
      assert.equal(
        hex(await prover.deriveKey(password, salt.toString("base64"), iterations)),
        pbkdf2Sync(password, salt, iterations, 32, "sha256").toString("hex"),
        `${JSON.stringify(password)} × ${iterations}`,
      );
    }
  });
}

Deno.test("base64 as the server writes it, both ways", () => {
  const bytes = randomBytes(40);
  assert.equal(toBase64(bytes), bytes.toString("base64"));
  assert.deepEqual(fromBase64(bytes.toString("base64")), new Uint8Array(bytes));
  assert.equal(toBase64(new Uint8Array([251, 255])), "+/8=");
});
