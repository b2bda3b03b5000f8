/**
 * TLS settings shared by the ssl (tcp) and spipe (pipe) transports: TLS 1.3
 * only, certificates read from the files a connection string names.
 */
import fs from "node:fs";
import net from "node:net";
import type tls from "node:tls";
import type { TlsOptions } from "../connstr.ts";
import { TransportError } from "../errors.ts";

function readPem(file: string, what: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new TransportError(
      "E_TRANSPORT",
      `cannot read the ${what} ${file}: ${(err as Error).message}`,
      {
        hint: "check the path; create a certificate and key with: dbgremote cert",
        cause: err,
      },
    );
  }
}

export function tlsServerOptions(spec: TlsOptions): tls.TlsOptions {
  const options: tls.TlsOptions = {
    minVersion: "TLSv1.3",
    cert: readPem(spec.certfile!, "certificate (certfile)"),
    key: readPem(spec.keyfile!, "private key (keyfile)"),
  };
  if (spec.clientca) {
    options.ca = readPem(spec.clientca, "client CA (clientca)");
    options.requestCert = true;
    options.rejectUnauthorized = true;
  }
  return options;
}

/** `host` is the name the server's certificate must carry; undefined for pipes (no names there). */
export function tlsClientOptions(
  spec: TlsOptions,
  host: string | undefined,
): tls.ConnectionOptions {
  const options: tls.ConnectionOptions = { minVersion: "TLSv1.3", rejectUnauthorized: true };
  if (spec.cafile) options.ca = readPem(spec.cafile, "CA (cafile)");
  if (spec.certfile) {
    options.cert = readPem(spec.certfile, "client certificate (certfile)");
    options.key = readPem(spec.keyfile!, "client key (keyfile)");
  }
  if (host === undefined) {
    // A pipe has no host name to check: the certificate chain alone is verified.
    options.checkServerIdentity = () => undefined;
  } else if (!net.isIP(host)) {
    options.servername = host;
  }
  return options;
}

/** A TLS failure as a message a person can act on. */
export function describeTlsError(err: NodeJS.ErrnoException, peer: string): TransportError {
  const code = err.code ?? "";
  let hint = "check that both ends use TLS (ssl:/spipe:) and the right certificates";
  if (/SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|CERT_UNTRUSTED/.test(code)) {
    hint =
      "the server's certificate is not trusted here: give its certificate or CA with cafile=FILE";
  } else if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    hint =
      "the certificate was made for another host name: connect by a name it lists, or make one with dbgremote cert --host NAME";
  } else if (/CERTIFICATE_REQUIRED|alert number 116/i.test(code + err.message)) {
    hint =
      "the server accepts only clients with a certificate: add certfile=...,keyfile=... signed by its clientca";
  }
  return new TransportError("E_CONNECT", `TLS handshake with ${peer} failed: ${err.message}`, {
    hint,
    cause: err,
    failure: "tls",
  });
}
