import assert from "node:assert/strict";
import { describeStop, renderEvent, renderWelcome } from "../../src/client/render.ts";
import type { Welcome } from "../../src/protocol/messages.ts";
import { welcomeMessage } from "../support/samples.ts";

Deno.test("describeStop: stopped, exited, signalled", () => {
  assert.equal(
    describeStop("stopped", { file: "demo.c", line: 12, func: "main", reason: "breakpoint-hit" }),
    "-- stopped at demo.c:12 in main (breakpoint-hit)",
  );
  assert.equal(describeStop("stopped", { signal: "SIGINT" }), "-- stopped (SIGINT)");
  assert.equal(describeStop("exited", { exitCode: 3 }), "-- program exited with code 3");
  assert.equal(
    describeStop("exited", { signal: "SIGSEGV" }),
    "-- program exited on signal SIGSEGV",
  );
  assert.equal(describeStop("running", {}), "-- running");
});

Deno.test("renderEvent: issuer beside each command; notices marked", () => {
  assert.equal(
    renderEvent({ t: "echo", from: "alice@lab1", client: 1, id: 1, seq: 1, text: "next" }),
    "alice@lab1> next\n",
  );
  assert.equal(renderEvent({ t: "out", seq: 1, stream: "console", text: "$1 = 3\n" }), "$1 = 3\n");
  assert.equal(
    renderEvent({ t: "notice", kind: "join", text: "bob@h joined (tcp:x)" }),
    "*** bob@h joined (tcp:x)\n",
  );
  assert.equal(
    renderEvent({ t: "end", reason: "bob@h ended the session (q)" }),
    "*** session ended: bob@h ended the session (q)\n",
  );
  assert.equal(renderEvent({ t: "done", client: 1, id: 1, seq: 1, ok: true }), "");
});

Deno.test("renderWelcome: names the others (not you), warns, replays scrollback", () => {
  const w = welcomeMessage({
    protocol: "1.0",
    server: { name: "lab", engine: "gdb 13.1 debugging ./demo", host: "lab1" },
    you: 2,
    clients: [
      { id: 1, who: { user: "alice", host: "a", tool: "t" }, via: "tcp:x" },
      { id: 2, who: { user: "bob", host: "b", tool: "t" }, via: "tcp:y" },
    ],
    scrollback: [{ t: "echo", from: "alice@a", client: 1, id: 1, seq: 1, text: "bt" }],
    state: "stopped",
    warning: "release mismatch",
  }) as Welcome;
  const text = renderWelcome(w);
  assert.match(text, /connected to lab on lab1: gdb 13\.1 debugging \.\/demo/);
  assert.match(text, /also here: alice@a\n/);
  assert.doesNotMatch(text, /bob@b/);
  assert.match(text, /warning: release mismatch/);
  assert.match(text, /recent output \(1 events\):\nalice@a> bt\n\*\*\* live:/);
});

Deno.test("renderWelcome: an observer is told so on join; observers among the others are marked", () => {
  const base = welcomeMessage({
    protocol: "1.1",
    server: { name: "lab", engine: "gdb", host: "lab1" },
    you: 2,
    clients: [
      { id: 1, who: { user: "alice", host: "a", tool: "t" }, via: "tcp:x", role: "operator" },
      { id: 2, who: { user: "bob", host: "b", tool: "t" }, via: "tcp:y", role: "observer" },
      { id: 3, who: { user: "carol", host: "c", tool: "t" }, via: "tcp:z", role: "observer" },
    ],
    state: "stopped",
  }) as Welcome;
  const watching = renderWelcome({ ...base, role: "observer" });
  assert.match(watching, /\*\*\* you are an observer: you see everything, commands are refused\n/);
  assert.match(watching, /also here: alice@a, carol@c \(observer\)\n/);
  assert.doesNotMatch(watching, /type debugger commands/);
  const operating = renderWelcome({ ...base, role: "operator" });
  assert.doesNotMatch(operating, /you are an observer/);
  assert.match(operating, /type debugger commands/);
  // A 1.0 server sends no role: an operator, as before.
  assert.doesNotMatch(renderWelcome(base), /observer:/);
});
