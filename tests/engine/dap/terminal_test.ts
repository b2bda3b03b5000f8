import assert from "node:assert/strict";
import { runInTerminal, useTerminal } from "../../../src/engine/dap/terminal.ts";
import { openPty } from "../../../src/platform.ts";

/** Everything the terminal shows until `pattern` (bounded). */
function readUntil(
  pty: Awaited<ReturnType<typeof openPty>>,
  pattern: RegExp,
): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} in ${JSON.stringify(text)}`)),
      10_000,
    );
    pty.onData((chunk) => {
      text += decoder.decode(chunk, { stream: true });
      if (pattern.test(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    });
  });
}

Deno.test("runInTerminal starts the adapter's command on our pty as its controlling terminal, with the request's environment", async () => {
  const pty = await openPty({ cols: 80, rows: 24 });
  try {
    const seen = readUntil(pty, /done\n/);
    const script = 'test -t 0 && echo "tty yes"; echo "ctty $(ps -o tty= -p $$ | tr -d " ")"; ' +
      'echo "TERM=$TERM A=${A-unset} B=${B-unset}"; echo "cwd $(pwd)"; echo done';
    const { launch, body } = await runInTerminal(
      pty.path,
      { kind: "integrated", cwd: "/tmp", args: ["sh", "-c", script], env: { A: "1", B: null } },
      { PATH: process.env.PATH, B: "gone", TERM: "dumb" },
    );
    assert.equal(typeof body.processId, "number");
    assert.equal(launch.pid, body.processId);
    const text = (await seen).replace(/\r/g, "");
    assert.match(text, /tty yes\n/);
    assert.match(text, new RegExp(`ctty ${pty.path.replace("/dev/", "")}\n`));
    assert.match(text, /TERM=xterm-256color A=1 B=unset\n/);
    assert.match(text, /cwd \/tmp\n/);
    launch.kill();
  } finally {
    await pty.close();
  }
});

Deno.test("runInTerminal without a command is refused", async () => {
  await assert.rejects(
    runInTerminal("/dev/null", { kind: "integrated", cwd: "", args: [] }, {}),
    /without a command/,
  );
});

Deno.test("the program's terminal: input only while a program runs, size any time, none without a pty", () => {
  const written: string[] = [];
  const sizes: number[][] = [];
  const pty = {
    path: "/dev/pts/x",
    onData() {},
    write: (d: Uint8Array) => void written.push(new TextDecoder().decode(d)),
    resize: (c: number, r: number) => void sizes.push([c, r]),
    drain: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  const owner = { kind: "lldb", alive: true, pty, state: "idle" as const };
  assert.equal(useTerminal(owner, { text: "x\n" }).ok, false);
  assert.deepEqual(useTerminal(owner, { cols: 100, rows: 30 }), { ok: true });
  assert.deepEqual(useTerminal({ ...owner, state: "running" }, { text: "x\n" }), { ok: true });
  assert.deepEqual([written, sizes], [["x\n"], [[100, 30]]]);
  assert.match(useTerminal({ ...owner, pty: undefined }, { text: "x" }).error ?? "", /no terminal/);
  assert.match(useTerminal({ ...owner, alive: false }, { text: "x" }).error ?? "", /not running/);
});
