import assert from "node:assert/strict";
import { compareVersions, speaks } from "../../src/protocol/version_policy.ts";

const ours = { protocol: "1.0", release: "0.1.0" };

Deno.test("same protocol and release", () => {
  assert.deepEqual(compareVersions(ours, { ...ours }, "server"), { kind: "same" });
});

Deno.test("a different minor with the same release is compatible", () => {
  assert.deepEqual(compareVersions(ours, { protocol: "1.7", release: "0.1.0" }, "server"), {
    kind: "same",
  });
});

Deno.test("a different release warns, naming both", () => {
  const c = compareVersions(ours, { protocol: "1.2", release: "0.3.0" }, "client");
  assert.equal(c.kind, "warn");
  assert.match(
    c.kind === "warn" ? c.message : "",
    /this side is dbgremote 0\.1\.0, the client is 0\.3\.0/,
  );
});

Deno.test("a different protocol major is refused, naming both versions and what to do", () => {
  const c = compareVersions(ours, { protocol: "2.0", release: "1.0.0" }, "server");
  assert.equal(c.kind, "refuse");
  if (c.kind !== "refuse") return;
  assert.match(
    c.message,
    /this side speaks dbgremote protocol 1\.0 \(release 0\.1\.0\), the server speaks 2\.0 \(release 1\.0\.0\)/,
  );
  assert.match(c.hint, /same dbgremote release on both ends/);
});

Deno.test("a protocol that is not MAJOR.MINOR is refused", () => {
  for (const protocol of ["", "1", "v1.0", "1.0.0", "x.y"]) {
    assert.equal(
      compareVersions(ours, { protocol, release: "0.1.0" }, "client").kind,
      "refuse",
      protocol,
    );
  }
});

Deno.test("speaks: what a peer's protocol knows (same major, minor at least)", () => {
  assert.equal(speaks("1.2", "1.2"), true);
  assert.equal(speaks("1.10", "1.2"), true);
  assert.equal(speaks("1.1", "1.2"), false);
  assert.equal(speaks("2.5", "1.2"), false);
  assert.equal(speaks("garbage", "1.2"), false);
});
