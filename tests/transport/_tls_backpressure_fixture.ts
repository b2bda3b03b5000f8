/**
 * Run under Bun (the runtime inside the compiled binary) by tls_backpressure_test.ts:
 * a TLS channel whose peer never reads must report the bytes it could not send.
 * Prints one JSON line: {"ssl": pendingBytes, "spipe": pendingBytes}.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createSelfSigned } from "../../src/cert.ts";
import { parseConnStr } from "../../src/connstr.ts";
import { createNpipeTransport } from "../../src/transport/npipe.ts";
import { createTcpTransport } from "../../src/transport/tcp.ts";
import type { Channel, Transport } from "../../src/transport/transport.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-tls-bp-"));
const pair = await createSelfSigned({ name: "bp", hosts: ["localhost", "127.0.0.1"], days: 1 });
fs.writeFileSync(path.join(dir, "bp.crt"), pair.cert);
fs.writeFileSync(path.join(dir, "bp.key"), pair.key, { mode: 0o600 });
const keys = `certfile=${dir}/bp.crt,keyfile=${dir}/bp.key`;

async function queuedWhilePeerSleeps(t: Transport, listen: string): Promise<number> {
  const accepted: Channel[] = [];
  const l = await t.listen(parseConnStr(listen, "listen"), (c) => accepted.push(c), { pid: 1 });
  const client = await t.connect(parseConnStr(`${l.address},cafile=${dir}/bp.crt`, "connect"), {
    timeoutMs: 5000,
  });
  client.start({ data() {}, close() {} });
  for (let i = 0; i < 32; i++) client.write(new Uint8Array(1024 * 1024));
  await new Promise((r) => setTimeout(r, 300));
  const pending = client.pending;
  client.destroy();
  accepted.forEach((c) => c.destroy());
  await l.close();
  return pending;
}

const result = {
  ssl: await queuedWhilePeerSleeps(
    createTcpTransport({ secure: true }),
    `ssl:port=0,server=127.0.0.1,${keys}`,
  ),
  spipe: await queuedWhilePeerSleeps(
    createNpipeTransport({ dir: path.join(dir, "pipes"), secure: true }),
    `spipe:pipe=bp,${keys}`,
  ),
};
fs.rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify(result));
process.exit(0);
