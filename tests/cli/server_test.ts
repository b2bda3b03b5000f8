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

Deno.test("parseEngineCommand: lldb and python command lines, as typed at home", () => {
  assert.deepEqual(parseEngineCommand(["lldb", "./app"]), {
    kind: "lldb",
    program: "./app",
    args: [],
  });
  assert.deepEqual(parseEngineCommand(["lldb-19", "--", "./app", "-v", "x y"]), {
    kind: "lldb",
    program: "./app",
    args: ["-v", "x y"],
    debugger: "lldb-19",
  });
  assert.deepEqual(parseEngineCommand(["python3", "-m", "pdb", "s.py", "a"]), {
    kind: "python",
    program: "s.py",
    args: ["a"],
    debugger: "python3",
  });
  assert.deepEqual(parseEngineCommand(["/usr/bin/python3.11", "s.py"]), {
    kind: "python",
    program: "s.py",
    args: [],
    debugger: "/usr/bin/python3.11",
  });
});

Deno.test("parseEngineCommand: every mistake is a usage error with a fix", () => {
  const cases: [string[], RegExp, RegExp][] = [
    [[], /no debugger given after --/, /dbgremote server tcp:port=5005 -- gdb/],
    [["ldb", "./app"], /unknown debugger "ldb"/, /did you mean "gdb"\?.*-- lldb -- \.\/app/],
    [["lldb-19"], /no program given to lldb/, /-- lldb -- \.\/app/],
    [["lldb", "./app", "x"], /lldb takes one program/, /-- lldb -- \.\/app x/],
    [["lldb", "-b", "./app"], /lldb option "-b" is not supported/, /program first: -- lldb --/],
    [["python3", "-m", "pdb"], /no script given to python/, /python3 -m pdb script\.py/],
    [["python3", "-c", "1"], /python option "-c" is not supported/, /-m pdb/],
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
