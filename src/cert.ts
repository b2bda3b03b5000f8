/**
 * Self-signed certificates for a lab, made with the platform's WebCrypto
 * (ECDSA P-256) and @peculiar/x509 for the X.509 encoding.
 */
type X509 = typeof import("@peculiar/x509");

export interface CertPair {
  /** PEM certificate. */
  cert: string;
  /** PEM PKCS#8 private key. */
  key: string;
}

export interface CertOptions {
  /** Common name, e.g. the lab's name. */
  name: string;
  /** Host names and addresses the certificate is valid for. */
  hosts: string[];
  days: number;
}

/**
 * @peculiar/x509, loaded on first use: it is the heaviest load of all (tsyringe, asn1) and only
 * making a certificate needs it. reflect-metadata (its dependency injection's polyfill) must
 * have run first; awaiting it before the import keeps that order in bun's bundle too, where a
 * lazily loaded module's CommonJS side-effect import would otherwise run after its ES imports.
 */
async function loadX509(): Promise<X509> {
  await import("reflect-metadata");
  return await import("@peculiar/x509");
}

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };

function isIp(host: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.includes(":");
}

/**
 * A self-signed certificate that is its own CA: give it to servers as
 * certfile, to clients as cafile (and as clientca to require client certificates).
 */
export async function createSelfSigned(options: CertOptions): Promise<CertPair> {
  const x509 = await loadX509();
  const keys = await crypto.subtle.generateKey(ALG, true, ["sign", "verify"]) as CryptoKeyPair;
  const serial = Array.from(
    crypto.getRandomValues(new Uint8Array(16)),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("").replace(/^[89a-f]/, "7");
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial,
    name: `CN=${options.name.replace(/[,=+<>#;"\\]/g, "_")}`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + options.days * 86_400_000),
    signingAlgorithm: ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([
        x509.ExtendedKeyUsage.serverAuth,
        x509.ExtendedKeyUsage.clientAuth,
      ]),
      new x509.SubjectAlternativeNameExtension(
        options.hosts.map((
          h,
        ) => (isIp(h) ? { type: "ip" as const, value: h } : { type: "dns" as const, value: h })),
      ),
    ],
  });
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
  return {
    cert: cert.toString("pem") + "\n",
    key: x509.PemConverter.encode(pkcs8, "PRIVATE KEY") + "\n",
  };
}
