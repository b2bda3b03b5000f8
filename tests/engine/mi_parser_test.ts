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

/** The C-string decoding as first written (every character through bytes): the reference. */
function referenceCString(body: string): string {
  const bytes: number[] = [];
  const escapes: Record<string, number> = { n: 10, t: 9, r: 13, e: 27, a: 7, b: 8, f: 12, v: 11 };
  for (let i = 0; i < body.length;) {
    const ch = body[i++];
    if (ch !== "\\") {
      bytes.push(...new TextEncoder().encode(ch));
      continue;
    }
    const e = body[i++];
    if (e in escapes) bytes.push(escapes[e]);
    else if (e >= "0" && e <= "7") {
      let oct = e;
      while (oct.length < 3 && body[i] >= "0" && body[i] <= "7") oct += body[i++];
      bytes.push(parseInt(oct, 8) & 0xff);
    } else bytes.push(...new TextEncoder().encode(e));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

Deno.test("C strings: escapes, octal bytes split or whole, non-ASCII beside them, decoded as the reference does", () => {
  const cases = [
    "",
    "plain",
    "tab\\there\\n",
    "caf\\303\\251",
    "\\303",
    "\\303A",
    "é\\251",
    "\\303é",
    "\\342\\202\\254 euro",
    'a\\\\b\\"c',
    "\\0\\12\\1234",
    "\\303\\n\\251",
    "日本\\350\\252\\236",
  ];
  // And random mixes of the pieces gdb writes, from a fixed seed.
  const pieces = [
    "a",
    "Z",
    " ",
    "é",
    "日",
    "\\n",
    "\\t",
    "\\\\",
    '\\"',
    "\\303",
    "\\251",
    "\\7",
    "\\0",
  ];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < 500; i++) {
    cases.push(
      Array.from(
        { length: Math.floor(next() * 12) },
        () => pieces[Math.floor(next() * pieces.length)],
      ).join(""),
    );
  }
  for (const body of cases) {
    const r = parseMiLine(`~"${body}"`);
    assert.deepEqual(r, { kind: "console", text: referenceCString(body) }, JSON.stringify(body));
  }
});
