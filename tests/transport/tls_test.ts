/** ssl: and spipe: pass the transport contract, and refuse what TLS must refuse. */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createSelfSigned } from "../../src/cert.ts";
import { type ConnSpec, parseConnStr } from "../../src/connstr.ts";
import { TransportError } from "../../src/errors.ts";
import { createNpipeTransport } from "../../src/transport/npipe.ts";
import { createTcpTransport } from "../../src/transport/tcp.ts";
import { transportContract } from "./contract.ts";
import { within } from "../support/within.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-tls-test-"));
const pipes = path.join(dir, "pipes");
async function pair(name: string, hosts: string[]) {
  const p = await createSelfSigned({ name, hosts, days: 1 });
  fs.writeFileSync(path.join(dir, `${name}.crt`), p.cert);
  fs.writeFileSync(path.join(dir, `${name}.key`), p.key, { mode: 0o600 });
  return { cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) };
}
const lab = await pair("lab", ["localhost", "127.0.0.1"]);
const other = await pair("other", ["localhost", "127.0.0.1"]);
const wrongHost = await pair("wronghost", ["elsewhere.example"]);
const tlsKeys = (c = lab) => `certfile=${c.cert},keyfile=${c.key}`;
let n = 0;
/** Deno's node:tls hands written bytes on at once and never reports them queued. */
const pendingUnobservable =
  "Deno's TLS sockets do not count queued bytes; tls_backpressure_test.ts checks it under Bun";

transportContract("ssl", {
  make: () => createTcpTransport({ secure: true }),
  listenSpec: () => parseConnStr(`ssl:port=0,server=127.0.0.1,${tlsKeys()}`, "listen"),
  deadSpec: () => parseConnStr(`ssl:server=127.0.0.1,port=1,cafile=${lab.cert}`, "connect"),
  connectSpec: (address) => parseConnStr(`${address},cafile=${lab.cert}`, "connect"),
  pendingUnobservable,
});

transportContract("spipe", {
  make: () => createNpipeTransport({ dir: pipes, secure: true }),
  listenSpec: () => parseConnStr(`spipe:pipe=c${++n},${tlsKeys()}`, "listen"),
  deadSpec: () => parseConnStr(`spipe:pipe=nobody,cafile=${lab.cert}`, "connect"),
  connectSpec: (address) => parseConnStr(`${address},cafile=${lab.cert}`, "connect"),
  pendingUnobservable,
});

async function expectRefusal(
  listen: string,
  connect: (port: number) => string,
  hint: RegExp,
  secure = createTcpTransport({ secure: true }),
) {
  const l = await secure.listen(
    parseConnStr(listen, "listen"),
    (ch) => ch.start({ data() {}, close() {} }),
    { pid: 1 },
  );
  const port = Number(/port=(\d+)/.exec(l.address)![1]);
  try {
    await assert.rejects(
      secure.connect(parseConnStr(connect(port), "connect") as ConnSpec, { timeoutMs: 5000 }),
      (err: unknown) => {
        assert.ok(err instanceof TransportError, String(err));
        assert.equal(err.code, "E_CONNECT");
        assert.match(err.hint ?? "", hint);
        return true;
      },
    );
  } finally {
    await l.close();
  }
}

Deno.test("ssl: a server certificate the client does not trust is refused, with how to trust it", () =>
  expectRefusal(
    `ssl:port=0,server=127.0.0.1,${tlsKeys()}`,
    (p) => `ssl:server=127.0.0.1,port=${p}`,
    /cafile=FILE/,
  ));

Deno.test("ssl: a certificate from another CA is refused", () =>
  expectRefusal(
    `ssl:port=0,server=127.0.0.1,${tlsKeys()}`,
    (p) => `ssl:server=127.0.0.1,port=${p},cafile=${other.cert}`,
    /cafile=FILE/,
  ));

Deno.test("ssl: a certificate made for another host name is refused", () =>
  expectRefusal(
    `ssl:port=0,server=127.0.0.1,${tlsKeys(wrongHost)}`,
    (p) => `ssl:server=localhost,port=${p},cafile=${wrongHost.cert}`,
    /another host name/,
  ));

Deno.test("ssl with clientca: only holders of a certificate get in", async () => {
  const t = createTcpTransport({ secure: true });
  const accepted: string[] = [];
  let acceptedOne = () => {};
  const holderIn = new Promise<void>((r) => (acceptedOne = r));
  const l = await t.listen(
    parseConnStr(`ssl:port=0,server=127.0.0.1,${tlsKeys()},clientca=${lab.cert}`, "listen"),
    (ch) => {
      accepted.push(ch.peer);
      ch.start({ data() {}, close() {} });
      acceptedOne();
    },
    { pid: 1 },
  );
  const port = Number(/port=(\d+)/.exec(l.address)![1]);
  try {
    // Without a client certificate: TLS 1.3 reports the refusal on the first read, so write and wait.
    const anon = await t.connect(
      parseConnStr(`ssl:server=127.0.0.1,port=${port},cafile=${lab.cert}`, "connect"),
    )
      .catch((e) => e as Error);
    if (!(anon instanceof Error)) {
      const closed = new Promise<Error | undefined>((r) => anon.start({ data() {}, close: r }));
      anon.write(new Uint8Array([1]));
      const err = await closed;
      assert.ok(err, "the server must end a connection without a client certificate");
    }
    const holder = await t.connect(
      parseConnStr(`ssl:server=127.0.0.1,port=${port},cafile=${lab.cert},${tlsKeys()}`, "connect"),
    );
    holder.start({ data() {}, close() {} });
    // The anonymous peer's refusal came first (awaited above): once the holder is accepted,
    // anything else that got in would be in the list already.
    await within(holderIn, 5000, () => "the certificate holder was never accepted");
    assert.equal(accepted.length, 1, `only the certificate holder was accepted: ${accepted}`);
    holder.destroy();
  } finally {
    await l.close();
  }
});

Deno.test("ssl: a missing certificate file is named, with how to make one", async () => {
  const t = createTcpTransport({ secure: true });
  await assert.rejects(
    t.listen(
      parseConnStr("ssl:port=0,certfile=/nonexistent.crt,keyfile=/nonexistent.key", "listen"),
      () => {},
      { pid: 1 },
    ),
    (err: unknown) => {
      assert.ok(err instanceof TransportError);
      assert.match(err.message, /cannot read the certificate \(certfile\) \/nonexistent\.crt/);
      assert.match(err.hint ?? "", /dbgremote cert/);
      return true;
    },
  );
});

globalThis.addEventListener("unload", () => fs.rmSync(dir, { recursive: true, force: true }));
