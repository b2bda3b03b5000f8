import assert from "node:assert/strict";
import { parseMiLine, splitGlued } from "../../src/engine/mi_parser.ts";

Deno.test("result records with tokens and classes", () => {
  assert.deepEqual(parseMiLine("12^done"), {
    kind: "result",
    token: 12,
    class: "done",
    results: {},
  });
  assert.deepEqual(parseMiLine("^running"), {
    kind: "result",
    token: undefined,
    class: "running",
    results: {},
  });
  assert.deepEqual(parseMiLine('7^error,msg="No symbol \\"y\\" in current context."'), {
    kind: "result",
    token: 7,
    class: "error",
    results: { msg: 'No symbol "y" in current context.' },
  });
});

Deno.test("a *stopped record with a nested frame and args list", () => {
  const r = parseMiLine(
    '*stopped,reason="breakpoint-hit",disp="keep",bkptno="1",frame={addr="0x1151",func="main",' +
      'args=[{name="argc",value="1"},{name="argv",value="0x7ffe"}],file="demo.c",fullname="/t/demo.c",line="15",arch="i386:x86-64"},' +
      'thread-id="1",stopped-threads="all",core="0"',
  );
  assert.equal(r.kind, "exec");
  if (r.kind !== "exec") return;
  assert.equal(r.class, "stopped");
  assert.equal(r.results.reason, "breakpoint-hit");
  const frame = r.results.frame as Record<string, unknown>;
  assert.equal(frame.func, "main");
  assert.equal(frame.line, "15");
  assert.deepEqual(frame.args, [{ name: "argc", value: "1" }, { name: "argv", value: "0x7ffe" }]);
});

Deno.test("lists of results and repeated names", () => {
  const r = parseMiLine('^done,stack=[frame={level="0",func="add"},frame={level="1",func="main"}]');
  assert.ok(r.kind === "result");
  assert.deepEqual(r.results.stack, [{ frame: { level: "0", func: "add" } }, {
    frame: { level: "1", func: "main" },
  }]);
  const b = parseMiLine('=x,bkpt={number="1"},bkpt={number="2"},bkpt={number="3"}');
  assert.ok(b.kind === "notify");
  assert.deepEqual(b.results.bkpt, [{ number: "1" }, { number: "2" }, { number: "3" }]);
});

Deno.test("stream records unescape C strings, including octal UTF-8 bytes", () => {
  assert.deepEqual(parseMiLine('~"15\\t  int x = 1;\\n"'), {
    kind: "console",
    text: "15\t  int x = 1;\n",
  });
  assert.deepEqual(parseMiLine('@"target says \\"hi\\"\\n"'), {
    kind: "target-stream",
    text: 'target says "hi"\n',
  });
  assert.deepEqual(parseMiLine('&"warning: \\\\ back\\n"'), {
    kind: "log",
    text: "warning: \\ back\n",
  });
  assert.deepEqual(parseMiLine('~"caf\\303\\251\\n"'), { kind: "console", text: "café\n" });
});

Deno.test("prompts, and lines that are not MI: the program's own output", () => {
  assert.deepEqual(parseMiLine("(gdb) "), { kind: "prompt" });
  assert.deepEqual(parseMiLine("demo: x is 50"), { kind: "target", text: "demo: x is 50" });
  assert.deepEqual(parseMiLine("^notaclass"), { kind: "target", text: "^notaclass" });
  assert.deepEqual(parseMiLine('~"unterminated'), { kind: "target", text: '~"unterminated' });
  assert.deepEqual(parseMiLine("123 apples"), { kind: "target", text: "123 apples" });
  assert.deepEqual(parseMiLine("*stopped,reason=oops"), {
    kind: "target",
    text: "*stopped,reason=oops",
  });
});

Deno.test("program output glued in front of a record is split off", () => {
  const g = splitGlued('no newline here*stopped,reason="exited-normally"');
  assert.deepEqual(g?.target, "no newline here");
  assert.equal(g?.record.kind, "exec");
  const c = splitGlued('x = ~"Continuing.\\n"');
  assert.deepEqual(c, { target: "x = ", record: { kind: "console", text: "Continuing.\n" } });
  assert.equal(splitGlued("just text ^ with a caret"), undefined);
});
