import assert from "node:assert/strict";
import { serveDap } from "../../src/dap/peer.ts";
import { deriveKey, newSalt } from "../../src/protocol/auth.ts";
import { AuthLimiter } from "../../src/session/auth_limiter.ts";
import type { EndpointAuth } from "../../src/session/peer.ts";
import { memoryPair } from "../../src/transport/memory.ts";
import { editorEnd } from "./editor.ts";
import { FakeSession } from "./fake_session.ts";

function connect(session: FakeSession, options: Parameters<typeof serveDap>[2] = {}) {
  const [server, client] = memoryPair("dap:127.0.0.1:5000", "editor");
  const gone = serveDap(session, server, { attachTimeoutMs: 5000, ...options });
  return { editor: editorEnd(client), gone };
}

async function attached(session: FakeSession, args: Record<string, unknown> = {}) {
  const c = connect(session);
  await c.editor.request("initialize", { clientID: "vscode", clientName: "Code" });
  const a = await c.editor.request("attach", args);
  assert.ok(a.success, JSON.stringify(a));
  await c.editor.event("initialized");
  assert.ok((await c.editor.request("configurationDone")).success);
  return c;
}

Deno.test("dap peer: requests before initialize, launch and unknown commands get error responses; the connection stays", async () => {
  const session = new FakeSession();
  const { editor } = connect(session);
  const early = await editor.request("threads");
  assert.equal(early.success, false);
  assert.equal(early.message, "E_NOT_INITIALIZED");
  assert.ok((await editor.request("initialize", { clientID: "vscode" })).success);
  assert.equal((await editor.request("threads")).message, "E_NOT_ATTACHED");
  assert.equal((await editor.request("launch", {})).message, "E_LAUNCH");
  assert.ok((await editor.request("attach", { user: "eve" })).success);
  const odd = await editor.request("readMemory", { memoryReference: "0x0" });
  assert.equal(odd.message, "E_UNKNOWN_REQUEST");
  assert.ok(!editor.closed);
  const [p] = session.members.values();
  assert.deepEqual(p.who.user, "eve");
  assert.deepEqual(p.who.tool, "vscode");
});

Deno.test("dap peer: a body that is not JSON is reported and skipped; a malformed Content-Length closes the connection", async () => {
  const session = new FakeSession();
  const { editor, gone } = connect(session);
  editor.raw(new TextEncoder().encode("Content-Length: 8\r\n\r\nnot json"));
  await editor.event("output", (m) => /not JSON/.test(String(m.body?.output)));
  assert.ok((await editor.request("initialize", {})).success);
  editor.raw(new TextEncoder().encode("Content-Length: lots\r\n\r\n{}"));
  await gone;
  assert.ok(editor.closed);
  assert.equal(session.members.size, 0);
});

Deno.test("dap peer: more bytes before attach than an attach needs close the connection", async () => {
  const session = new FakeSession();
  const { editor, gone } = connect(session);
  const big = JSON.stringify({
    seq: 1,
    type: "request",
    command: "initialize",
    arguments: { x: "y".repeat(20_000) },
  });
  editor.raw(new TextEncoder().encode(`Content-Length: ${big.length}\r\n\r\n${big}`));
  await gone;
  assert.equal(session.members.size, 0);
});

Deno.test("dap peer: 1,000 breakpoints in one setBreakpoints are refused with a reason; nothing runs; the connection stays", async () => {
  const session = new FakeSession();
  const { editor } = await attached(session);
  const breakpoints = Array.from({ length: 1000 }, (_, i) => ({ line: i + 1 }));
  const r = await editor.request("setBreakpoints", { source: { path: "/src/x.c" }, breakpoints });
  assert.equal(r.success, false);
  assert.equal(r.message, "E_TOO_MANY_BREAKPOINTS");
  assert.equal(session.acts.length, 0);
  const ok = await editor.request("setBreakpoints", {
    source: { path: "/src/x.c" },
    breakpoints: [{ line: 3 }],
  });
  assert.ok(ok.success);
});

Deno.test("dap peer: its own breakpoints are answered, never echoed as events; others' reach it as breakpoint events", async () => {
  const session = new FakeSession();
  const { editor } = await attached(session);
  const r = await editor.request("setBreakpoints", {
    source: { path: "/src/x.c" },
    breakpoints: [{ line: 3 }, { line: 9 }],
  });
  assert.deepEqual(session.acts.map((a) => a.action), [
    { do: "break", file: "/src/x.c", line: 3 },
    { do: "break", file: "/src/x.c", line: 9 },
  ]);
  const bps = r.body!.breakpoints as { id: number; line: number; verified: boolean }[];
  assert.deepEqual(bps.map((b) => [b.line, b.verified]), [[3, true], [9, true]]);
  // Re-sent as VS Code does, one line fewer: one remove.
  await editor.request("setBreakpoints", {
    source: { path: "/src/x.c" },
    breakpoints: [{ line: 9 }],
  });
  assert.deepEqual(session.acts.slice(2).map((a) => a.action), [{ do: "clear", id: bps[0].id }]);
  session.othersBreak("/src/y.c", 4);
  const ev = await editor.event("breakpoint");
  assert.equal(ev.body?.reason, "new");
  assert.equal((ev.body?.breakpoint as { line: number }).line, 4);
  assert.equal(editor.got.filter((m) => m.event === "breakpoint").length, 1);
});

Deno.test("dap peer: a wrong password is refused and closes, none is asked for, the right one joins", async () => {
  const salt = newSalt();
  const limiter = new AuthLimiter();
  const auth: EndpointAuth = {
    key: deriveKey("sesame-open", salt, 1000),
    salt,
    iterations: 1000,
    limiter,
    failureDelayMs: 0,
  };
  const session = new FakeSession();
  const bad = connect(session, { auth });
  await bad.editor.request("initialize", {});
  const refused = await bad.editor.request("attach", { password: "guess" });
  assert.equal(refused.message, "E_AUTH");
  await bad.gone;
  assert.equal(session.members.size, 0);
  const none = connect(session, { auth });
  await none.editor.request("initialize", {});
  assert.match(
    ((await none.editor.request("attach", {})).body?.error as { format: string }).format,
    /needs a password/,
  );
  const good = connect(session, { auth });
  await good.editor.request("initialize", {});
  assert.ok((await good.editor.request("attach", { password: "sesame-open" })).success);
  assert.equal(session.members.size, 1);
});

Deno.test("dap peer: on a token endpoint the server's own user needs no password; others do", async () => {
  const salt = newSalt();
  const auth: EndpointAuth = {
    key: deriveKey("tok", salt, 1000),
    salt,
    iterations: 1000,
    failureDelayMs: 0,
  };
  const session = new FakeSession();
  const mine = connect(session, { auth, sameUser: () => true });
  await mine.editor.request("initialize", {});
  assert.ok((await mine.editor.request("attach", {})).success);
  const theirs = connect(session, { auth, sameUser: () => false });
  await theirs.editor.request("initialize", {});
  assert.equal((await theirs.editor.request("attach", {})).message, "E_AUTH");
});

Deno.test("dap peer: attaching while stopped gets stopped after configurationDone, on the engine's thread", async () => {
  const session = new FakeSession();
  session.state = "stopped";
  session.stateInfo = { reason: "breakpoint-hit", func: "main" };
  const { editor } = await attached(session);
  const stopped = await editor.event("stopped");
  assert.equal(stopped.body?.threadId, 7);
  assert.equal(stopped.body?.reason, "breakpoint");
  const configured = editor.got.findIndex((m) => m.command === "configurationDone");
  assert.ok(editor.got.indexOf(stopped) > configured);
});

Deno.test("dap peer: a request the engine cannot answer gets its error code", async () => {
  const session = new FakeSession();
  const { editor } = await attached(session);
  const r = await editor.request("stackTrace", { threadId: 1 });
  assert.equal(r.success, false);
  assert.equal(r.message, "E_TARGET_RUNNING");
});

Deno.test("dap peer: terminate is answered at once and runs q as the editor's command", async () => {
  const session = new FakeSession();
  const { editor } = await attached(session);
  assert.ok((await editor.request("terminate")).success);
  assert.deepEqual(session.submits.map((s) => s.text), ["q"]);
});

Deno.test("dap peer: threads while the debugger cannot say are the last ones named (none at first)", async () => {
  const session = new FakeSession();
  const { editor } = await attached(session);
  const inspect = session.inspect.bind(session);
  session.inspect = () =>
    Promise.reject(Object.assign(new Error("running"), { code: "E_TARGET_RUNNING" }));
  assert.deepEqual((await editor.request("threads")).body, { threads: [] });
  session.inspect = inspect;
  assert.deepEqual((await editor.request("threads")).body, { threads: [{ id: 7, name: "main" }] });
  session.inspect = () =>
    Promise.reject(Object.assign(new Error("running"), { code: "E_TARGET_RUNNING" }));
  assert.deepEqual((await editor.request("threads")).body, { threads: [{ id: 7, name: "main" }] });
});

Deno.test("dap peer: with pathMappings the editor's paths become the server's and back; no file is served then", async () => {
  const session = new FakeSession();
  const { editor } = await attached(session, {
    pathMappings: [{ localRoot: "/home/me/app", remoteRoot: "/srv/app" }],
  });
  const r = await editor.request("setBreakpoints", {
    source: { path: "/home/me/app/src/x.c" },
    breakpoints: [{ line: 5 }],
  });
  assert.deepEqual(session.acts[0].action, { do: "break", file: "/srv/app/src/x.c", line: 5 });
  const [b] = r.body!.breakpoints as { source: { path: string; sourceReference?: number } }[];
  assert.equal(b.source.path, "/home/me/app/src/x.c");
  assert.equal(b.source.sourceReference, undefined);
  session.othersBreak("/srv/app/src/y.c", 8);
  const ev = await editor.event("breakpoint");
  assert.equal(
    (ev.body?.breakpoint as { source: { path: string } }).source.path,
    "/home/me/app/src/y.c",
  );
  const bad = connect(session);
  await bad.editor.request("initialize", {});
  assert.equal((await bad.editor.request("attach", { pathMappings: "nope" })).message, "E_ATTACH");
});

Deno.test("dap peer: a step is answered once it runs the target, before its stop; a failed one with the error", async () => {
  const session = new FakeSession();
  const { editor } = await attached(session);
  const asked = editor.request("next", { threadId: 1 });
  await editor.until(() => session.acts.length === 1, "the next act");
  const { client, id } = session.acts[0];
  session.broadcast({ t: "echo", from: "eve@box", client, id, seq: 1, text: "next" });
  session.broadcast({ t: "state", state: "running", info: {} });
  const answered = await asked;
  assert.ok(answered.success);
  session.broadcast({ t: "state", state: "stopped", info: { reason: "end-stepping-range" } });
  session.broadcast({ t: "done", client, id, seq: 1, ok: true });
  const stopped = await editor.event("stopped");
  assert.ok(editor.got.indexOf(answered) < editor.got.indexOf(stopped));

  const failing = editor.request("stepIn", { threadId: 1 });
  await editor.until(() => session.acts.length === 2, "the stepIn act");
  const second = session.acts[1];
  session.broadcast({ t: "echo", from: "eve@box", client, id: second.id, seq: 2, text: "step" });
  session.broadcast({
    t: "done",
    client,
    id: second.id,
    seq: 2,
    ok: false,
    error: "The program is not being run.",
  });
  const r = await failing;
  assert.equal(r.success, false);
  assert.match((r.body?.error as { format: string }).format, /not being run/);
});

Deno.test("dap peer: an observe endpoint makes observers whatever the attach asks", async () => {
  const session = new FakeSession();
  const c = connect(session, { observe: true });
  await c.editor.request("initialize", { clientID: "nvim-dap" });
  assert.ok((await c.editor.request("attach", { observe: false, user: "bob" })).success);
  const [p] = session.members.values();
  assert.equal(p.role, "observer");
  assert.equal(p.who.tool, "nvim-dap");
  assert.equal((await c.editor.request("next", { threadId: 1 })).message, "E_OBSERVER");
  assert.equal(session.acts.length, 0);
});
