/**
 * Backpressure over TLS in the runtime that ships. The compiled binary runs on
 * Bun, whose TLS sockets count queued bytes; Deno's do not (the contract's
 * pending test is skipped for ssl/spipe under Deno), so this runs the check
 * under Bun: a slow TLS client must be seen as slow, or the server could never
 * drop it.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname!, "../..");

Deno.test("ssl/spipe under Bun: pending counts what a peer that does not read left unsent", () => {
  const out = execFileSync(
    path.join(root, "node_modules/.bin/bun"),
    ["run", path.join(root, "tests/transport/_tls_backpressure_fixture.ts")],
    { cwd: root, encoding: "utf8", timeout: 30_000 },
  );
  const result = JSON.parse(out.trim().split("\n").at(-1)!) as { ssl: number; spipe: number };
  // 32 MiB written; kernel buffers hold a few MiB at most, the rest must show as pending.
  assert.ok(result.ssl > 8 * 1024 * 1024, `ssl pending ${result.ssl}`);
  assert.ok(result.spipe > 8 * 1024 * 1024, `spipe pending ${result.spipe}`);
});
