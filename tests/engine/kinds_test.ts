import assert from "node:assert/strict";
import { ENGINE_KINDS, findKind, kindNames, unknownKindHint } from "../../src/engine/kinds.ts";

Deno.test("engine kinds: gdb, lldb and python, found by name or alias", () => {
  assert.deepEqual(ENGINE_KINDS.map((k) => k.kind), ["gdb", "lldb", "python"]);
  assert.equal(findKind("pdb")?.kind, "python");
  assert.equal(findKind("python3")?.kind, "python");
  assert.equal(findKind("lldb")?.kind, "lldb");
  assert.equal(findKind("windbg"), undefined);
  assert.ok(kindNames().includes("pdb"));
  // Each says what to install.
  for (const k of ENGINE_KINDS) assert.match(k.install, /^apt-get install \S+/);
});

Deno.test("engine kinds: each recognises its debugger's names, versioned or not", () => {
  const kindOf = (base: string) => ENGINE_KINDS.find((k) => k.recognises(base))?.kind;
  assert.equal(kindOf("gdb"), "gdb");
  assert.equal(kindOf("gdb-multiarch"), "gdb");
  assert.equal(kindOf("lldb"), "lldb");
  assert.equal(kindOf("lldb-19"), "lldb");
  assert.equal(kindOf("lldb-dap-19"), undefined);
  assert.equal(kindOf("python3"), "python");
  assert.equal(kindOf("python3.11"), "python");
  assert.equal(kindOf("python"), "python");
  assert.equal(kindOf("node"), undefined);
});

Deno.test("engine kinds: an unknown kind gets did-you-mean, else the list", () => {
  assert.equal(unknownKindHint("pyhton"), 'did you mean "python"?');
  assert.equal(unknownKindHint("lldx"), 'did you mean "lldb"?');
  assert.equal(unknownKindHint("windbg"), "engines in this release: gdb, lldb, python");
});
