/** http: and https: pass the transport contract: pages and native clients over WebSockets. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createSelfSigned } from "../../../src/cert.ts";
import assert from "node:assert/strict";
import { parseConnStr } from "../../../src/connstr.ts";
import { TransportError } from "../../../src/errors.ts";
import { createWebRuntime } from "../../../src/platform.ts";
import { createHttpTransport } from "../../../src/transport/http/transport.ts";
import { createSite } from "../../../src/web/site.ts";
import { transportContract } from "../contract.ts";

const web = { runtime: await createWebRuntime(), site: createSite };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-http-test-"));
const lab = await createSelfSigned({ name: "lab", hosts: ["localhost", "127.0.0.1"], days: 1 });
fs.writeFileSync(path.join(dir, "lab.crt"), lab.cert);
fs.writeFileSync(path.join(dir, "lab.key"), lab.key, { mode: 0o600 });
const keys = `certfile=${path.join(dir, "lab.crt")},keyfile=${path.join(dir, "lab.key")}`;

transportContract("http", {
  make: () => createHttpTransport({ web }),
  listenSpec: () => parseConnStr("http:port=0,server=127.0.0.1", "listen"),
  deadSpec: () => parseConnStr("http:server=127.0.0.1,port=1", "connect"),
  serverReadsAhead: true,
});

transportContract("https", {
  make: () => createHttpTransport({ secure: true, web }),
  listenSpec: () => parseConnStr(`https:port=0,server=127.0.0.1,${keys}`, "listen"),
  deadSpec: () => parseConnStr("https:server=127.0.0.1,port=1", "connect"),
  connectSpec: (address) =>
    parseConnStr(`${address},cafile=${path.join(dir, "lab.crt")}`, "connect"),
  serverReadsAhead: true,
  pendingUnobservable:
    "Deno's WebSockets over TLS do not count queued bytes; web_backpressure_test.ts checks it under Bun",
});

Deno.test("https: a server certificate the client does not trust is refused, with how to trust it", async () => {
  const t = createHttpTransport({ secure: true, web });
  const l = await t.listen(
    parseConnStr(`https:port=0,server=127.0.0.1,${keys}`, "listen"),
    (ch) => ch.destroy(),
    { pid: 1 },
  );
  try {
    await assert.rejects(
      t.connect(parseConnStr(`${l.address}`, "connect"), { timeoutMs: 5000 }),
      (err: unknown) => {
        assert.ok(err instanceof TransportError, String(err));
        assert.equal(err.code, "E_CONNECT");
        assert.match(err.hint ?? "", /cafile=FILE/);
        return true;
      },
    );
  } finally {
    await l.close();
  }
});

Deno.test("http: a closed endpoint refuses native clients", async () => {
  const t = createHttpTransport({ web });
  const l = await t.listen(parseConnStr("http:port=0,server=127.0.0.1", "listen"), () => {}, {
    pid: 1,
  });
  await l.close(); // nobody connected: the port is released
  await assert.rejects(
    t.connect(parseConnStr(l.address, "connect"), { timeoutMs: 5000 }),
    (err: unknown) => err instanceof TransportError && err.code === "E_CONNECT",
  );
});

globalThis.addEventListener("unload", () => fs.rmSync(dir, { recursive: true, force: true }));
