/**
 * Editors in a shared session, on the compiled binary: a gdb server with a `dap:` endpoint
 * beside a console client's tcp one. The editor side is a DAP client speaking as VS Code does.
 */
import assert from "node:assert/strict";
import { dapLab } from "./dap_fixture.ts";

Deno.test("e2e dap: an editor's breakpoint is hit by a console's run; its next is echoed to the console", async () => {
  await using lab = await dapLab();
  const alice = await lab.console("alice");
  const editor = await lab.editor({ user: "eve" });
  await alice.waitFor(/\*\*\* eve@\S+ joined \(dap:/);
  alice.send(".clients");
  await alice.waitFor(/eve@\S+.*vscode/);

  const line = lab.line("after-x");
  const set = await editor.ok("setBreakpoints", {
    source: { path: lab.source },
    breakpoints: [{ line }],
  });
  const bps = set.breakpoints as { verified: boolean; line: number }[];
  assert.deepEqual(bps.map((b) => [b.verified, b.line]), [[true, line]]);
  await alice.waitFor(new RegExp(`eve@\\S+> break ${lab.source.replace(/[.]/g, "\\.")}:${line}`));

  alice.send("run");
  const stopped = await editor.waitEvent("stopped");
  assert.equal(stopped.body?.reason, "breakpoint");
  assert.match(String(stopped.body?.description), /alice@\S+: run/);
  await alice.waitFor(/-- stopped at .*demo\.c:\d+ in main/);

  const trace = await editor.ok("stackTrace", { threadId: stopped.body?.threadId });
  const frames = trace.stackFrames as { name: string; line: number }[];
  assert.equal(frames[0].name, "main");
  assert.equal(frames[0].line, line);

  const from = editor.events.length;
  await editor.ok("next", { threadId: stopped.body?.threadId });
  await alice.waitFor(/eve@\S+> next\n/);
  await editor.waitEvent("stopped", (m) => m.body?.reason === "step", from);
});

Deno.test("e2e dap: a console's continue and stop reach the editor with the issuer; program output is stdout", async () => {
  await using lab = await dapLab();
  const alice = await lab.console("alice");
  const editor = await lab.editor({ user: "eve" });
  alice.send(`break ${lab.line("call-add")}`);
  alice.send("run");
  const first = await editor.waitEvent("stopped");
  assert.match(String(first.body?.description), /Paused on breakpoint in main \(alice@\S+: run\)/);
  await editor.waitOutput(/alice@\S+> run\n/);

  alice.send("break add");
  alice.send("continue");
  const from = editor.events.indexOf(first) + 1;
  await editor.waitEvent("continued", () => true, from);
  const second = await editor.waitEvent("stopped", () => true, from);
  assert.match(String(second.body?.description), /in add \(alice@\S+: continue\)/);

  alice.send("continue");
  const printed = await editor.waitEvent(
    "output",
    (m) => /demo: x is 50/.test(String(m.body?.output)),
  );
  assert.equal(printed.body?.category, "stdout");
  const exited = await editor.waitEvent("exited");
  assert.equal(exited.body?.exitCode, 0);
  // The program ended, the session did not: no terminated event.
  assert.ok(!editor.events.some((e) => e.event === "terminated"));
});

Deno.test("e2e dap: a late editor catches up (scrollback, stopped after configurationDone); a second editor sees the first's commands", async () => {
  await using lab = await dapLab();
  const alice = await lab.console("alice");
  alice.send(`break ${lab.line("after-x")}`);
  alice.send("run");
  await alice.waitFor(/-- stopped at /);
  alice.send("print x");
  await alice.waitFor(/\$1 = /);

  const late = await lab.editor({ user: "lou" }, "nvim-dap");
  const stopped = await late.waitEvent("stopped");
  assert.equal(stopped.body?.reason, "breakpoint");
  await late.waitOutput(/alice@\S+> print x\n\$1 = /);

  const other = await lab.editor({ user: "oz" });
  await late.waitOutput(/oz@\S+ joined \(dap:/);
  const from = late.events.length;
  const answer = await other.request("evaluate", { expression: "print x + 1", context: "repl" });
  assert.ok(answer.success, JSON.stringify(answer));
  await late.waitOutput(/oz@\S+> print x \+ 1\n\$2 = /);
  await alice.waitFor(/oz@\S+> print x \+ 1\n\$2 = /);
  // Its own command is not echoed back to it; its answer is.
  await other.waitOutput(/\$2 = /);
  assert.doesNotMatch(other.output(), /oz@\S+> print x \+ 1/);
  assert.ok(late.events.length > from);
});

Deno.test("e2e dap: disconnect leaves; terminateDebuggee ends the session for everyone, with the issuer", async () => {
  await using lab = await dapLab();
  const alice = await lab.console("alice");
  const leaver = await lab.editor({ user: "lee" });
  await alice.waitFor(/lee@\S+ joined/);
  await leaver.ok("disconnect", { terminateDebuggee: false });
  await alice.waitFor(/lee@\S+ left/);
  await leaver.gone;

  const ender = await lab.editor({ user: "eve" });
  const watcher = await lab.editor({ user: "wat" });
  await ender.ok("disconnect", { terminateDebuggee: true });
  await ender.waitEvent("terminated");
  await alice.waitFor(/eve@\S+ ended the session \(q\)/);
  await watcher.waitEvent("terminated");
  await watcher.waitOutput(/eve@\S+ ended the session/);
  await ender.gone;
  assert.equal((await lab.server.wait()).code, 0);
});

Deno.test("e2e dap: an observer editor is refused what would change the session, and told why", async () => {
  await using lab = await dapLab();
  const alice = await lab.console("alice");
  alice.send(`break ${lab.line("after-x")}`);
  alice.send("run");
  await alice.waitFor(/-- stopped at /);
  const watcher = await lab.editor({ user: "wat", observe: true });
  await alice.waitFor(/wat@\S+ joined \(dap:\S+\) as an observer/);
  await watcher.waitEvent("stopped");
  for (const command of ["next", "continue", "stepIn", "stepOut", "pause"]) {
    const r = await watcher.request(command, { threadId: 1 });
    assert.equal(r.success, false, command);
    assert.equal(r.message, "E_OBSERVER");
    assert.match(r.body!.error!.format, /observer/);
  }
  const set = await watcher.request("setBreakpoints", {
    source: { path: lab.source },
    breakpoints: [{ line: lab.line("print") }],
  });
  assert.equal(set.message, "E_OBSERVER");
  const typed = await watcher.request("evaluate", { expression: "next", context: "repl" });
  assert.equal(typed.success, false);
  // Reading is fine.
  const trace = await watcher.ok("stackTrace", { threadId: 1 });
  assert.ok((trace.stackFrames as unknown[]).length >= 1);
  alice.send(".echo still here");
  await alice.waitFor(/alice@\S+: still here/);
  assert.doesNotMatch(alice.stdout, /wat@\S+> next/);
});

Deno.test("e2e dap: variables, watches and hovers answered outside the transcript", async () => {
  await using lab = await dapLab();
  const alice = await lab.console("alice");
  const editor = await lab.editor({ user: "eve" });
  await editor.ok("setBreakpoints", {
    source: { path: lab.source },
    breakpoints: [{ line: lab.line("call-add") }],
  });
  alice.send("run");
  const stopped = await editor.waitEvent("stopped");
  const trace = await editor.ok("stackTrace", { threadId: stopped.body?.threadId });
  const top = (trace.stackFrames as { id: number }[])[0];
  const scopes = (await editor.ok("scopes", { frameId: top.id })).scopes as {
    name: string;
    variablesReference: number;
  }[];
  assert.ok(scopes.length >= 1);
  const locals = scopes.find((s) => /local/i.test(s.name)) ?? scopes[0];
  const vars = (await editor.ok("variables", { variablesReference: locals.variablesReference }))
    .variables as { name: string; value: string }[];
  assert.equal(vars.find((v) => v.name === "x")?.value, "42");
  const watch = await editor.ok("evaluate", {
    expression: "x * 2",
    frameId: top.id,
    context: "watch",
  });
  assert.equal(watch.result, "84");
  const hover = await editor.ok("evaluate", { expression: "x", frameId: top.id, context: "hover" });
  assert.equal(hover.result, "42");
  alice.send(".echo after the questions");
  await alice.waitFor(/alice@\S+: after the questions/);
  assert.doesNotMatch(alice.stdout, /x \* 2/);
});

Deno.test("e2e dap: breakpoints others set reach the editor as events, its own never come back as events", async () => {
  await using lab = await dapLab();
  const alice = await lab.console("alice");
  const editor = await lab.editor({ user: "eve" });
  const other = await lab.editor({ user: "oz" });
  const set = await editor.ok("setBreakpoints", {
    source: { path: lab.source },
    breakpoints: [{ line: lab.line("print") }],
  });
  const mine = (set.breakpoints as { id: number }[])[0].id;
  const seen = await other.waitEvent("breakpoint", (m) => m.body?.reason === "new");
  assert.equal((seen.body?.breakpoint as { id: number }).id, mine);
  alice.send("break add");
  const added = await editor.waitEvent(
    "breakpoint",
    (m) =>
      m.body?.reason === "new" &&
      (m.body?.breakpoint as { line?: number }).line === lab.line("in-add"),
  );
  alice.send("info breakpoints");
  await alice.waitFor(new RegExp(`demo\\.c:${lab.line("print")}`));
  alice.send(`delete ${(added.body?.breakpoint as { id: number }).id}`);
  await editor.waitEvent("breakpoint", (m) => m.body?.reason === "removed");
  assert.ok(
    !editor.events.some((m) =>
      m.event === "breakpoint" && (m.body?.breakpoint as { id: number }).id === mine
    ),
    "its own breakpoint came back as an event",
  );
});

Deno.test("e2e dap: daps: over TLS with a password; a wrong one is refused and the editor closed", async () => {
  await using lab = await dapLab({
    dap: "daps:port=0,server=127.0.0.1,certfile={certfile},keyfile={keyfile},password_env=DAP_PW",
    env: { DAP_PW: "open-sesame" },
  });
  const alice = await lab.console("alice");
  const guesser = await lab.connect();
  await guesser.ok("initialize", { clientID: "vscode" });
  const refused = await guesser.request("attach", { user: "mallory", password: "guess" });
  assert.equal(refused.success, false);
  assert.equal(refused.message, "E_AUTH");
  await guesser.gone;
  const editor = await lab.editor({ user: "eve", password: "open-sesame" });
  await alice.waitFor(/eve@\S+ joined \(daps:/);
  const answer = await editor.request("evaluate", { expression: "print 6*7", context: "repl" });
  assert.ok(answer.success);
  await alice.waitFor(/eve@\S+> print 6\*7\n\$1 = 42/);
  assert.doesNotMatch(alice.stdout, /mallory/);
});

Deno.test("e2e dap: .server opens one live (listed by .servers); pause, function breakpoints and sources from the server", async () => {
  await using lab = await dapLab({ args: ["loop"] });
  const alice = await lab.console("alice");
  alice.send(".server dap:port=0,server=127.0.0.1,observe");
  const opened = await alice.waitFor(
    /opened endpoint (\d+): dap:server=127\.0\.0\.1,port=0,observe/,
  );
  alice.send(".servers");
  await alice.waitFor(new RegExp(`${opened[1]} - dap:server=127\\.0\\.0\\.1,port=0,observe`));

  const editor = await lab.editor({ user: "eve" });
  const fns = await editor.ok("setFunctionBreakpoints", { breakpoints: [{ name: "add" }] });
  assert.equal((fns.breakpoints as { verified: boolean }[])[0].verified, true);
  await alice.waitFor(/eve@\S+> break add\n/);
  alice.send("run");
  const inAdd = await editor.waitEvent("stopped");
  const trace = await editor.ok("stackTrace", { threadId: inAdd.body?.threadId });
  const top = (trace.stackFrames as { name: string; source: { sourceReference: number } }[])[0];
  assert.equal(top.name, "add");
  // No pathMappings: the editor reads the file from the server.
  const src = await editor.ok("source", {
    source: top.source,
    sourceReference: top.source.sourceReference,
  });
  assert.match(String(src.content), /LINE:in-add/);
  const refused = await editor.request("source", { source: { path: "/etc/passwd" } });
  assert.equal(refused.message, "E_SOURCE");

  const from = editor.events.length;
  // A command's response comes once it has set the target running.
  const continued = editor.request("continue", { threadId: inAdd.body?.threadId });
  await editor.waitEvent("continued", () => true, from);
  await alice.waitFor(/demo: x is 50/);
  assert.ok((await continued).success);
  assert.ok((await editor.request("pause", { threadId: 1 })).success);
  const stop = await editor.waitEvent("stopped", () => true, from);
  assert.equal(stop.body?.reason, "pause");
  await alice.waitFor(/eve@\S+ interrupted the target/);
});

Deno.test("e2e dap: bad input costs the sender only: a non-JSON body is skipped, a malformed Content-Length closes that editor", async () => {
  await using lab = await dapLab();
  const alice = await lab.console("alice");
  const editor = await lab.editor({ user: "eve" });
  const bad = await lab.connect();
  bad.raw("Content-Length: 9\r\n\r\nnot json!");
  await bad.waitEvent("output", (m) => /not JSON/.test(String(m.body?.output)));
  const early = await bad.request("next", { threadId: 1 });
  assert.equal(early.message, "E_NOT_INITIALIZED");
  await bad.ok("initialize", { clientID: "fuzz" });
  bad.raw("Content-Length: 1e9\r\n\r\n{}");
  await bad.gone;
  const odd = await editor.request("goto", { threadId: 1, targetId: 1 });
  assert.equal(odd.message, "E_UNKNOWN_REQUEST");
  const thousand = Array.from({ length: 1000 }, (_, i) => ({ line: i + 1 }));
  const many = await editor.request("setBreakpoints", {
    source: { path: lab.source },
    breakpoints: thousand,
  });
  assert.equal(many.message, "E_TOO_MANY_BREAKPOINTS");
  await editor.ok("evaluate", { expression: ".echo still fine", context: "repl" });
  await alice.waitFor(/eve@\S+: still fine/);
  assert.doesNotMatch(alice.stdout, /fuzz/);
});

Deno.test("e2e dap: a Python session: the editor's breakpoint and step in pdb's words, its variables", async () => {
  await using lab = await dapLab({ kind: "python" });
  const alice = await lab.console("alice");
  const editor = await lab.editor({ user: "eve" });
  const set = await editor.ok("setBreakpoints", {
    source: { path: lab.source },
    breakpoints: [{ line: lab.line("call-add") }],
  });
  assert.equal((set.breakpoints as { verified: boolean }[])[0].verified, true);
  await alice.waitFor(new RegExp(`eve@\\S+> b \\S*demo\\.py:${lab.line("call-add")}`));
  const from = editor.events.length;
  alice.send("c");
  const stopped = await editor.waitEvent("stopped", (m) => m.body?.reason === "breakpoint", from);
  const trace = await editor.ok("stackTrace", { threadId: stopped.body?.threadId });
  const top = (trace.stackFrames as { id: number; name: string; line: number }[])[0];
  assert.equal(top.line, lab.line("call-add"));
  const scopes = (await editor.ok("scopes", { frameId: top.id })).scopes as {
    variablesReference: number;
  }[];
  const vars = (await editor.ok("variables", { variablesReference: scopes[0].variablesReference }))
    .variables as { name: string; value: string }[];
  assert.equal(vars.find((v) => v.name === "x")?.value, "42");
  const after = editor.events.length;
  await editor.ok("stepIn", { threadId: stopped.body?.threadId });
  await alice.waitFor(/eve@\S+> s\n/);
  await editor.waitEvent("stopped", (m) => m.body?.reason === "step", after);
});

Deno.test("e2e dap: an lldb session: the editor's breakpoint (verified once placed), the stop, its variables, next", async () => {
  await using lab = await dapLab({ kind: "lldb" });
  const alice = await lab.console("alice");
  const editor = await lab.editor({ user: "eve" });
  const set = await editor.ok("setBreakpoints", {
    source: { path: lab.source },
    breakpoints: [{ line: lab.line("call-add") }],
  });
  // lldb places it once the program is loaded: the editor is told when it is.
  const mine = (set.breakpoints as { id: number }[])[0].id;
  alice.send("run");
  const stopped = await editor.waitEvent("stopped", (m) => m.body?.reason === "breakpoint");
  await editor.waitEvent("breakpoint", (m) => {
    const b = m.body?.breakpoint as { id: number; verified: boolean };
    return m.body?.reason === "changed" && b.id === mine && b.verified;
  });
  const trace = await editor.ok("stackTrace", { threadId: stopped.body?.threadId });
  const top = (trace.stackFrames as { id: number; name: string; line: number }[])[0];
  assert.equal(top.line, lab.line("call-add"));
  const scopes = (await editor.ok("scopes", { frameId: top.id })).scopes as {
    variablesReference: number;
  }[];
  const vars = (await editor.ok("variables", { variablesReference: scopes[0].variablesReference }))
    .variables as { name: string; value: string }[];
  assert.equal(vars.find((v) => v.name === "x")?.value, "42");
  const after = editor.events.length;
  await editor.ok("next", { threadId: stopped.body?.threadId });
  await editor.waitEvent("stopped", (m) => m.body?.reason === "step", after);
  assert.match(editor.output(), /alice@\S+> run/);
});
