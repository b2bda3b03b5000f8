/** `dbgremote cert`: a self-signed certificate and key for a lab's TLS endpoints, in one command. */
import fs from "node:fs";
import path from "node:path";
import { createSelfSigned } from "../cert.ts";
import { UsageError } from "../errors.ts";
import { type CliContext, EXIT } from "./context.ts";
import { parseCommandArgs } from "./args.ts";

export async function certCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("cert", argv, {
    out: { type: "string", default: "." },
    name: { type: "string", default: "dbgremote-lab" },
    host: { type: "string", multiple: true },
    days: { type: "string", default: "365" },
    force: { type: "boolean", default: false },
  });
  if (positionals.length) {
    throw new UsageError(
      `cert takes no arguments, got "${positionals.join(" ")}"`,
      "see: dbgremote help",
    );
  }
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw new UsageError(`--days ${values.days} is not a whole number from 1 to 3650`);
  }
  if (!/^[\w.-]+$/.test(values.name!)) {
    throw new UsageError(`--name "${values.name}" must be letters, digits, '.', '-', '_'`);
  }
  const hosts = [
    ...new Set([...(values.host ?? []), ctx.platform.hostname, "localhost", "127.0.0.1", "::1"]),
  ];
  const certFile = path.join(values.out!, `${values.name}.crt`);
  const keyFile = path.join(values.out!, `${values.name}.key`);
  for (const f of [certFile, keyFile]) {
    if (fs.existsSync(f) && !values.force) {
      throw new UsageError(
        `${f} exists already`,
        "pick another --name or --out, or add --force to replace it",
      );
    }
  }
  const pair = await createSelfSigned({ name: values.name!, hosts, days });
  fs.mkdirSync(values.out!, { recursive: true });
  fs.writeFileSync(certFile, pair.cert, { mode: 0o644 });
  fs.writeFileSync(keyFile, pair.key, { mode: 0o600 });
  fs.chmodSync(keyFile, 0o600);
  ctx.platform.stdout(
    `wrote ${certFile} (certificate, valid ${days} days for ${hosts.join(", ")})\n` +
      `wrote ${keyFile} (private key, mode 0600: keep it on the server)\n\n` +
      `server: dbgremote server ssl:port=5006,certfile=${certFile},keyfile=${keyFile},password_env=LAB_PW -- gdb ./app\n` +
      `client: dbgremote client ssl:server=HOST,port=5006,cafile=${certFile},password_env=LAB_PW\n` +
      `only certificate holders: add clientca=${certFile} on the server, certfile=/keyfile= on the client\n`,
  );
  return EXIT.ok;
}
