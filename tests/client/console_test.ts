import assert from "node:assert/strict";
import {
  CTRL_B,
  ESC,
  eventPrinter,
  runConsoleClient,
  type Terminal,
} from "../../src/client/console.ts";
import type { ClientConnection, ConnectionEnd } from "../../src/client/connection.ts";
import { within } from "../support/within.ts";

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

function fakeConnection(): ClientConnection & {
  sent: string[];
  /** The server side closes the connection this way. */
  close(how: ConnectionEnd): void;
  /** Until `entry` was sent (bounded). */
  sentSoon(entry: string): Promise<void>;
  /** Until the console took this connection as its own (it awaits its close; bounded). */
  taken(): Promise<void>;
} {
  const sent: string[] = [];
  let closeIt = () => {};
  let how: ConnectionEnd = { kind: "lost" };
  const closed = new Promise<void>((r) => (closeIt = r));
  let changed = () => {};
  let watched = false;
  /** Resolve once `ok()` holds, checked at each change; reject after 1 s. */
  const soon = (ok: () => boolean, what: string) =>
    within(
      new Promise<void>((r) => {
        changed = () => ok() && r();
        changed();
      }),
      1000,
      () => `${what}; sent: ${JSON.stringify(sent)}`,
    );
  const send = (entry: string) => {
    sent.push(entry);
    changed();
  };
  return {
    sent,
    welcome: {} as ClientConnection["welcome"],
    command: (t) => (send(`cmd ${t}`), sent.length),
    interrupt: () => send("interrupt"),
    idle: () => Promise.resolve(),
    leave: () => {
      send("bye");
      how = { kind: "left" };
      closeIt();
    },
    destroy: () => closeIt(),
    get closed() {
      watched = true;
      changed();
      return closed;
    },
    ending: () => how,
    close(end) {
      how = end;
      closeIt();
    },
    sentSoon: (entry) => soon(() => sent.includes(entry), `${entry} was never sent`),
    taken: () => soon(() => watched, "the console never took the connection"),
  };
}

/** A terminal fed line by line by the test. */
function liveTerminal() {
  const written: string[] = [];
  const queue: string[] = [];
  let wake = () => {};
  let done = false;
  let onInt = () => {};
  let onLeave = () => {};
  let wrote = () => {};
  const term: Terminal = {
    write: (t) => {
      written.push(t);
      wrote();
    },
    async *lines() {
      while (true) {
        if (queue.length) yield queue.shift()!;
        else if (done) return;
        else await new Promise<void>((r) => (wake = r));
      }
    },
    onInterrupt: (h) => (onInt = h),
    onLeave: (h) => (onLeave = h),
    close: () => {
      done = true;
      wake();
    },
  };
  return {
    term,
    written,
    type(line: string) {
      queue.push(line);
      wake();
    },
    ctrlC: () => onInt(),
    ctrlB: () => onLeave(),
    /** Until something was written that matches (bounded). */
    async until(re: RegExp) {
      await within(
        new Promise<void>((r) => {
          wrote = () => re.test(written.join("")) && r();
          wrote();
        }),
        1000,
        () => `nothing written matches ${re}: ${JSON.stringify(written)}`,
      );
    },
  };
}

Deno.test("console: lines become commands; blank lines are skipped; Ctrl+B leaves", async () => {
  const conn = fakeConnection();
  const term = fakeTerminal(["break main", "", "  run  ", CTRL_B, "never sent"]);
  assert.equal(await runConsoleClient(conn, term), "left");
  assert.deepEqual(conn.sent, ["cmd break main", "cmd run", "bye"]);
  assert.match(term.written.join(""), /leaving the session/);
});

Deno.test("console: .inputmode sends every line to the program as it is, blank ones too, until Esc", async () => {
  const conn = fakeConnection();
  const term = fakeTerminal(["print 1", ".inputmode", "  two words ", "", "bt", ESC, "bt", CTRL_B]);
  assert.equal(await runConsoleClient(conn, term), "left");
  assert.deepEqual(conn.sent, [
    "cmd print 1",
    "cmd .input   two words ",
    "cmd .input ",
    "cmd .input bt",
    "cmd bt",
    "bye",
  ]);
  assert.match(term.written.join(""), /input mode: .*Esc leaves it/);
  assert.match(term.written.join(""), /input mode off/);
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

Deno.test("eventPrinter: what comes in the middle of a line of output starts a line of its own", () => {
  const out: string[] = [];
  const print = eventPrinter((t) => out.push(t));
  print({ t: "out", seq: null, stream: "target", text: "Name: " }); // a prompt
  print({ t: "notice", kind: "join", text: "bob@lab joined" });
  print({ t: "out", seq: null, stream: "target", text: "L1 ff" }); // half a line
  print({ t: "out", seq: null, stream: "target", text: "ff\n" }); // output stays as it came
  print({ t: "echo", from: "bob@lab", client: 2, id: 1, seq: 1, text: "next" });
  print({ t: "out", seq: 1, stream: "target", text: "more" });
  print({ t: "done", client: 2, id: 1, seq: 1, ok: false, error: "gdb died" });
  assert.equal(
    out.join(""),
    "Name: \n*** bob@lab joined\nL1 ffff\nbob@lab> next\nmore\ngdb died\n",
  );
});

Deno.test("console: after the server goes away, `next` gives the connection to carry on with", async () => {
  const first = fakeConnection();
  const second = fakeConnection();
  const t = liveTerminal();
  let resume = (_c: ClientConnection | undefined) => {};
  let asked = () => {};
  const waiting = new Promise<void>((r) => (asked = r));
  const ends: ConnectionEnd[] = [];
  const done = runConsoleClient(first, t.term, {
    next: (ended) => {
      ends.push(ended);
      asked();
      return new Promise((r) => (resume = r));
    },
  });
  t.type("break main");
  await first.sentSoon("cmd break main");
  first.close({ kind: "lost" });
  await within(waiting, 1000, () => "the console never asked for the next connection");
  // While waiting, typed lines are refused (never queued for whatever session comes next).
  t.type("continue");
  await t.until(/not connected: `continue` was not sent/);
  resume(second);
  await second.taken();
  t.type("bt");
  await second.sentSoon("cmd bt");
  t.ctrlC();
  t.ctrlB();
  assert.equal(await done, "left");
  assert.deepEqual(ends, [{ kind: "lost" }]);
  assert.deepEqual(first.sent, ["cmd break main"]);
  assert.deepEqual(second.sent, ["cmd bt", "interrupt", "bye"]);
});

Deno.test("console: Ctrl+C while waiting for the server gives up", async () => {
  const first = fakeConnection();
  const t = liveTerminal();
  let aborted = false;
  let asked = () => {};
  const waiting = new Promise<void>((r) => (asked = r));
  const done = runConsoleClient(first, t.term, {
    next: (_ended, giveUp) => {
      asked();
      return new Promise((r) =>
        giveUp.addEventListener("abort", () => {
          aborted = true;
          r(undefined);
        })
      );
    },
  });
  first.close({ kind: "ended", reason: "the server was stopped (SIGTERM)", cause: "shutdown" });
  await within(waiting, 1000, () => "the console never asked for the next connection");
  t.ctrlC();
  assert.equal(await done, "gave-up");
  assert.equal(aborted, true);
  await t.until(/stopped waiting for the server/);
});

Deno.test("console: no next connection: the console ends with the session", async () => {
  const first = fakeConnection();
  const t = liveTerminal();
  const done = runConsoleClient(first, t.term, { next: () => Promise.resolve(undefined) });
  first.close({ kind: "ended", reason: "alice@h ended the session (q)", cause: "quit" });
  assert.equal(await done, "ended");
  const lost = fakeConnection();
  const t2 = liveTerminal();
  const done2 = runConsoleClient(lost, t2.term);
  lost.close({ kind: "lost" });
  assert.equal(await done2, "lost");
});
