/**
 * Backpressure of browser pages in the runtime that ships. Under Deno, a
 * WebSocket over TLS never reports queued bytes (the https contract's pending
 * test is skipped there), so this runs the check under Bun, as the compiled
 * binary does: a page that stops reading must be seen as slow, or the server
 * could never drop it.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname!, "../..");

Deno.test("http/https under Bun: pending counts what a page that does not read left unsent", () => {
  const out = execFileSync(
    path.join(root, "node_modules/.bin/bun"),
    ["run", path.join(root, "tests/transport/_web_backpressure_fixture.ts")],
    { cwd: root, encoding: "utf8", timeout: 30_000 },
  );
  const result = JSON.parse(out.trim().split("\n").at(-1)!) as { http: number; https: number };
  // 32 MiB written; kernel buffers hold a few MiB at most, the rest must show as pending.
  assert.ok(result.http > 8 * 1024 * 1024, `http pending ${result.http}`);
  assert.ok(result.https > 8 * 1024 * 1024, `https pending ${result.https}`);
});
