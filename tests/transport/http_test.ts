/** http: and https: pass the transport contract: pages and native clients over WebSockets. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createSelfSigned } from "../../src/cert.ts";
import { parseConnStr } from "../../src/connstr.ts";
import { createHttpTransport } from "../../src/transport/http.ts";
import { createWebRuntime } from "../../src/web/serve.ts";
import { transportContract } from "./contract.ts";

const runtime = await createWebRuntime();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-http-test-"));
const lab = await createSelfSigned({ name: "lab", hosts: ["localhost", "127.0.0.1"], days: 1 });
fs.writeFileSync(path.join(dir, "lab.crt"), lab.cert);
fs.writeFileSync(path.join(dir, "lab.key"), lab.key, { mode: 0o600 });
const keys = `certfile=${path.join(dir, "lab.crt")},keyfile=${path.join(dir, "lab.key")}`;

transportContract("http", {
  make: () => createHttpTransport({ runtime }),
  listenSpec: () => parseConnStr("http:port=0,server=127.0.0.1", "listen"),
  deadSpec: () => parseConnStr("http:server=127.0.0.1,port=1", "connect"),
  serverReadsAhead: true,
});

transportContract("https", {
  make: () => createHttpTransport({ secure: true, runtime }),
  listenSpec: () => parseConnStr(`https:port=0,server=127.0.0.1,${keys}`, "listen"),
  deadSpec: () => parseConnStr("https:server=127.0.0.1,port=1", "connect"),
  connectSpec: (address) =>
    parseConnStr(`${address},cafile=${path.join(dir, "lab.crt")}`, "connect"),
  serverReadsAhead: true,
});

globalThis.addEventListener("unload", () => fs.rmSync(dir, { recursive: true, force: true }));
