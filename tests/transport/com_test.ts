/**
 * The com transport over a pty pair made by socat (a null-modem cable in
 * software): bytes both ways, a large transfer, and the line reopened for the
 * next client after one leaves. A serial line carries one client at a time,
 * so the multi-client parts of the shared contract do not apply.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseConnStr } from "../../src/connstr.ts";
import { TransportError } from "../../src/errors.ts";
import { createComTransport } from "../../src/transport/com.ts";
import type { Channel } from "../../src/transport/transport.ts";
import { within } from "../support/within.ts";

async function nullModem(): Promise<{ a: string; b: string } & AsyncDisposable> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-com-"));
  const a = path.join(dir, "a");
  const b = path.join(dir, "b");
  // -d -d: socat says when both ends are open, so nothing is polled for.
  const socat: ChildProcess = spawn("socat", [
    "-d",
    "-d",
    `pty,raw,echo=0,link=${a}`,
    `pty,raw,echo=0,link=${b}`,
  ], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let said = "";
  const ready = new Promise<void>((resolve, reject) => {
    socat.once(
      "error",
      (e) =>
        reject(new Error(`socat is needed for com tests (apt-get install socat): ${e.message}`)),
    );
    socat.once("close", () => reject(new Error(`socat ended: ${said}`)));
    socat.stderr!.setEncoding("utf8").on("data", (text: string) => {
      said += text;
      if (said.includes("starting data transfer loop")) resolve();
    });
  });
  await within(ready, 5000, () => `socat made no pty pair: ${said}`);
  assert.ok(fs.existsSync(a) && fs.existsSync(b), "socat made the pty pair");
  return {
    a,
    b,
    async [Symbol.asyncDispose]() {
      socat.kill();
      await new Promise((r) => socat.once("close", r));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function collect(ch: Channel) {
  const chunks: Uint8Array[] = [];
  let closedResolve!: () => void;
  const closed = new Promise<void>((r) => (closedResolve = r));
  ch.start({ data: (c) => chunks.push(c.slice()), close: () => closedResolve() });
  return {
    closed,
    bytes: () => Uint8Array.from(chunks.flatMap((c) => [...c])),
  };
}

async function until(pred: () => boolean, what: string) {
  for (let i = 0; i < 500 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(pred(), `timed out waiting for ${what}`);
}

// Under Deno, node:fs writes to a tty block the event loop, so a transfer larger than the pty's
// buffer would deadlock with its own reader in this one process. The compiled binary (bun) does not
// block; tests/e2e/com_test.ts drives a whole session over the line between two processes.
Deno.test("com transport: bytes both ways, intact, and the line reopens for the next client", async () => {
  await using line = await nullModem();
  const t = createComTransport();
  const accepted: Channel[] = [];
  const l = await t.listen(
    parseConnStr(`com:port=${line.a},baud=115200`, "listen"),
    (ch) => accepted.push(ch),
    {
      pid: 1,
    },
  );
  assert.equal(l.address, `com:port=${line.a},baud=115200`);
  await until(() => accepted.length === 1, "the line to open");
  const server = collect(accepted[0]);
  const client = await t.connect(parseConnStr(`com:port=${line.b}`, "connect"));
  const fromServer = collect(client);
  const data = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff);
  client.write(data);
  accepted[0].write(new TextEncoder().encode("ok"));
  await until(() => server.bytes().length >= data.length, "all the bytes");
  assert.deepEqual(server.bytes(), data);
  await until(() => fromServer.bytes().length === 2, "the reply");
  // The server ends its side (a client said bye): the line is opened again for the next client.
  accepted[0].end();
  await server.closed;
  await until(() => accepted.length === 2, "the line to reopen");
  const next = collect(accepted[1]);
  client.write(new TextEncoder().encode("again"));
  await until(() => next.bytes().length === 5, "data on the reopened line");
  await l.close();
  client.destroy();
  accepted[1].destroy();
});

Deno.test("com transport: a missing device or a non-tty is named, with a fix", async () => {
  const t = createComTransport();
  await assert.rejects(
    t.connect(parseConnStr("com:port=/dev/no-such-tty", "connect")),
    (err: unknown) => {
      assert.ok(err instanceof TransportError);
      assert.match(err.message, /cannot open serial port \/dev\/no-such-tty/);
      assert.match(err.hint ?? "", /no such device/);
      return true;
    },
  );
  await assert.rejects(
    t.connect(parseConnStr("com:port=/dev/null", "connect")),
    /\/dev\/null is not a serial port/,
  );
});

Deno.test("com connection strings", () => {
  assert.deepEqual(parseConnStr("com:port=/dev/ttyS0,baud=9600"), {
    transport: "com",
    device: "/dev/ttyS0",
    baud: 9600,
  });
  assert.deepEqual(parseConnStr("com:port=/dev/ttyUSB0"), {
    transport: "com",
    device: "/dev/ttyUSB0",
    baud: 115200,
  });
  assert.throws(
    () => parseConnStr("com:port=/dev/ttyS0,baud=1234"),
    /baud 1234 is not a standard rate/,
  );
  assert.throws(() => parseConnStr("com:port=COM1"), /is not a device path/);
  assert.throws(() => parseConnStr("com:baud=9600"), /com needs port=DEVICE/);
});
