import assert from "node:assert/strict";
import { parseEngineCommand } from "../../src/cli/server.ts";
import { UsageError } from "../../src/errors.ts";

Deno.test("parseEngineCommand: gdb PROGRAM and gdb --args PROGRAM ARGS", () => {
  assert.deepEqual(parseEngineCommand(["gdb", "./app"]), {
    kind: "gdb",
    program: "./app",
    args: [],
  });
  assert.deepEqual(parseEngineCommand(["gdb", "--args", "./app", "-v", "x y"]), {
    kind: "gdb",
    program: "./app",
    args: ["-v", "x y"],
  });
  assert.deepEqual(parseEngineCommand(["/opt/gdb-14/bin/gdb", "./app"]), {
    kind: "gdb",
    program: "./app",
    args: [],
    debugger: "/opt/gdb-14/bin/gdb",
  });
});

Deno.test("parseEngineCommand: every mistake is a usage error with a fix", () => {
  const cases: [string[], RegExp, RegExp][] = [
    [[], /no debugger given after --/, /dbgremote server tcp:port=5005 -- gdb/],
    [["lldb", "./app"], /unknown debugger "lldb"/, /drives gdb/],
    [["gdb"], /no program given to gdb/, /--args/],
    [["gdb", "-q", "./app"], /gdb option "-q" is not supported/, /program first/],
    [["gdb", "./app", "core"], /gdb takes one program/, /-- gdb --args \.\/app core/],
  ];
  for (const [words, message, hint] of cases) {
    assert.throws(() => parseEngineCommand(words), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.match(err.message, message);
      assert.match(err.hint ?? "", hint);
      return true;
    });
  }
});
