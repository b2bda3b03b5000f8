import assert from "node:assert/strict";
import { CTRL_B, eventPrinter, runConsoleClient, type Terminal } from "../../src/client/console.ts";
import type { ClientConnection } from "../../src/client/connection.ts";

function fakeTerminal(lines: string[]): Terminal & { written: string[]; interrupt(): void } {
  const written: string[] = [];
  let onInt = () => {};
  return {
    written,
    write: (t) => void written.push(t),
    async *lines() {
      for (const l of lines) {
        await Promise.resolve();
        yield l;
      }
    },
    onInterrupt: (h) => (onInt = h),
    onLeave: () => {},
    close: () => {},
    interrupt: () => onInt(),
  };
}

function fakeConnection(): ClientConnection & { sent: string[] } {
  const sent: string[] = [];
  let closeIt = () => {};
  const closed = new Promise<void>((r) => (closeIt = r));
  return {
    sent,
    welcome: {} as ClientConnection["welcome"],
    command: (t) => sent.push(`cmd ${t}`),
    interrupt: () => void sent.push("interrupt"),
    idle: () => Promise.resolve(),
    leave: () => {
      sent.push("bye");
      closeIt();
    },
    destroy: () => closeIt(),
    closed,
  };
}

Deno.test("console: lines become commands; blank lines are skipped; Ctrl+B leaves", async () => {
  const conn = fakeConnection();
  const term = fakeTerminal(["break main", "", "  run  ", CTRL_B, "never sent"]);
  assert.equal(await runConsoleClient(conn, term), "left");
  assert.deepEqual(conn.sent, ["cmd break main", "cmd run", "bye"]);
  assert.match(term.written.join(""), /leaving the session/);
});

Deno.test("console: .remote_exit leaves; end of input leaves too", async () => {
  const a = fakeConnection();
  assert.equal(await runConsoleClient(a, fakeTerminal([".remote_exit"])), "left");
  assert.deepEqual(a.sent, ["bye"]);
  const b = fakeConnection();
  assert.equal(await runConsoleClient(b, fakeTerminal(["bt"])), "input-closed");
  assert.deepEqual(b.sent, ["cmd bt", "bye"]);
});

Deno.test("eventPrinter: a failed command's error shows once", () => {
  const out: string[] = [];
  const print = eventPrinter((t) => out.push(t));
  print({ t: "out", seq: 1, stream: "error", text: 'No symbol "y".\n' });
  print({ t: "done", client: 1, id: 1, seq: 1, ok: false, error: 'No symbol "y".' });
  print({ t: "done", client: 1, id: 2, seq: 2, ok: false, error: "gdb died" });
  assert.deepEqual(out, ['No symbol "y".\n', "gdb died\n"]);
});
