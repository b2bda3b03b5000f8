import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { checkCommand } from "../../src/cli/lab.ts";
import { fakeCli } from "./fake_ctx.ts";

function withLab(toml: string, body: (file: string) => void) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-check-engines-"));
  try {
    const file = path.join(dir, "lab.toml");
    fs.writeFileSync(file, toml);
    body(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

Deno.test("check: says which debugger each engine kind of the lab needs", () =>
  withLab(
    `[nodes.c]
engine = { kind = "lldb", program = "./app" }
listen = ["npipe:pipe=c"]

[nodes.py]
engine = { kind = "pdb", program = "tool.py", debugger = "/usr/bin/python3" }
listen = ["npipe:pipe=py"]
`,
    (file) => {
      const cli = fakeCli();
      assert.equal(checkCommand(cli.ctx, [file]), 0, cli.err());
      assert.match(cli.out(), /lldb servers need lldb 19 .*apt-get install lldb-19/);
      // `pdb` is another name for the python kind.
      assert.match(cli.out(), /python servers need .*apt-get install python3-debugpy/);
      assert.doesNotMatch(cli.out(), /gdb servers/);
    },
  ));

Deno.test("check: a misspelt engine kind points at it with did-you-mean", () =>
  withLab(
    `[nodes.py]
engine = { kind = "pyhton", program = "tool.py" }
listen = ["npipe:pipe=py"]
`,
    (file) => {
      const cli = fakeCli();
      assert.equal(checkCommand(cli.ctx, [file]), 2);
      assert.match(cli.err(), /lab\.toml:2:\d+: unknown engine kind "pyhton" for node `py`/);
      assert.match(cli.err(), /did you mean "python"\?/);
    },
  ));
