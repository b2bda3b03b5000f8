/**
 * Protocol 1.4 on the compiled binary, with raw protocol clients (as the page and editors'
 * glue speak it): an operator's action run as its command in gdb's words and seen by all, the
 * breakpoints event to 1.4 peers only (and in a late joiner's welcome), an observer's questions
 * answered to it alone, its action refused.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseConnStr } from "../../src/connstr.ts";
import type { Message } from "../../src/protocol/frame.ts";
import { createTransports } from "../../src/transport/transports.ts";
import { withServer } from "./harness.ts";
import { Peer } from "./hostile_peers.ts";

const SHAPES = path.resolve(import.meta.dirname!, "../../samples/shapes.c");

function buildShapes(dir: string): { program: string; source: string; inArea: number } {
  const source = path.join(dir, "shapes.c");
  fs.copyFileSync(SHAPES, source);
  const program = path.join(dir, "shapes");
  execFileSync("cc", ["-g", "-O0", "-o", program, source]);
  const inArea = fs.readFileSync(source, "utf8").split("\n")
    .findIndex((l) => l.includes("LINE:in-area")) + 1;
  return { program, source, inArea };
}

Deno.test("protocol 1.4: act, breakpoints and inspect between raw clients of a gdb session", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-e2e-inspect-"));
  try {
    const { program, source, inArea } = buildShapes(dir);
    await using s = await withServer({ program });
    const transports = createTransports({ pipeDir: s.env.DBGREMOTE_PIPE_DIR });
    const spec = parseConnStr(s.address, "connect");
    const join = async (user: string, protocol: string, observe = false) => {
      const peer = new Peer(await transports[spec.transport].connect(spec, { timeoutMs: 15_000 }));
      peer.send({
        t: "hello",
        protocol,
        release: "0.1.0",
        who: { user, host: "raw", tool: "inspect-e2e" },
        ...(observe ? { observe: true } : {}),
      });
      const [welcome] = await peer.waitFrames((m) => m.t === "welcome" || m.t === "error");
      assert.equal(welcome.t, "welcome", JSON.stringify(welcome));
      return { peer, welcome };
    };
    const alice = await join("alice", "1.4");
    const olga = await join("olga", "1.4", true);
    const old = await join("oscar", "1.3");
    assert.deepEqual(alice.welcome.breakpoints, []);
    assert.equal(old.welcome.breakpoints, undefined);

    // alice's click in the source: gdb's own words, echoed to everyone with her name.
    alice.peer.send({ t: "act", id: 1, action: { do: "break", file: source, line: inArea } });
    for (const p of [alice, olga, old]) {
      const [echo] = await p.peer.waitFrames((m) => m.t === "echo" && m.id === 1);
      assert.equal(echo.text, `break ${source}:${inArea}`);
      assert.equal(echo.from, "alice@raw");
    }
    const isSet = (m: Message) =>
      m.t === "breakpoints" && Array.isArray(m.breakpoints) && m.breakpoints.length === 1;
    for (const p of [alice, olga]) {
      const [told] = await p.peer.waitFrames(isSet);
      assert.equal(told.client, alice.welcome.you);
      const [bp] = told.breakpoints as { line: number; file: string }[];
      assert.equal(bp.line, inArea);
    }
    await alice.peer.waitFrames((m) =>
      m.t === "done" && m.id === 1 && m.client === alice.welcome.you
    );

    alice.peer.send({ t: "cmd", id: 2, text: "run" });
    await alice.peer.waitFrames((m) => m.t === "done" && m.id === 2);
    await old.peer.waitFrames((m) => m.t === "done" && m.id === 2);
    assert.ok(!old.peer.frames.some((m) => m.t === "breakpoints"), "a 1.3 peer is never told");

    // The observer reads main's locals, a struct expanded: answered to it alone.
    olga.peer.send({ t: "inspect", id: 10, query: { what: "scopes", frame: 1 } });
    const [scopes] = await olga.peer.waitFrames((m) => m.t === "inspected" && m.id === 10);
    assert.equal(scopes.ok, true, JSON.stringify(scopes));
    const answer = scopes.answer as { scopes: { name: string; ref: number }[] };
    const locals = answer.scopes.find((x) => x.name === "Locals")!;
    olga.peer.send({ t: "inspect", id: 11, query: { what: "variables", ref: locals.ref } });
    const [vars] = await olga.peer.waitFrames((m) => m.t === "inspected" && m.id === 11);
    const list = (vars.answer as { variables: { name: string; value: string; ref: number }[] })
      .variables;
    const sq = list.find((v) => v.name === "sq")!;
    assert.ok(sq.ref > 0, JSON.stringify(list));
    olga.peer.send({ t: "inspect", id: 12, query: { what: "variables", ref: sq.ref } });
    const [fields] = await olga.peer.waitFrames((m) => m.t === "inspected" && m.id === 12);
    const sides = (fields.answer as { variables: { name: string; value: string }[] }).variables
      .find((v) => v.name === "sides");
    assert.equal(sides?.value, "4");

    // A watch in main's frame from alice; a bad question's code.
    alice.peer.send({
      t: "inspect",
      id: 20,
      query: { what: "evaluate", expression: "n + 1", frame: 1 },
    });
    const [watch] = await alice.peer.waitFrames((m) => m.t === "inspected" && m.id === 20);
    assert.deepEqual(watch.answer, {
      what: "evaluate",
      result: { value: "3", type: "int", ref: 0 },
    });
    alice.peer.send({ t: "inspect", id: 21, query: { what: "variables", ref: 999_999 } });
    const [bad] = await alice.peer.waitFrames((m) => m.t === "inspected" && m.id === 21);
    assert.equal(bad.ok, false);
    assert.equal(bad.code, "E_BAD_REF");

    // The observer's action is refused to it alone; gdb never ran it.
    olga.peer.send({ t: "act", id: 30, action: { do: "next" } });
    const [refused] = await olga.peer.waitFrames((m) => m.t === "done" && m.id === 30);
    assert.equal(refused.refused, true);

    // Sync point: everyone has everything sent before alice's next command's done.
    alice.peer.send({ t: "act", id: 3, action: { do: "frame", level: 1 } });
    for (const p of [alice, olga, old]) {
      const [echo] = await p.peer.waitFrames((m) => m.t === "echo" && m.id === 3);
      assert.equal(echo.text, "frame 1");
      await p.peer.waitFrames((m) => m.t === "done" && m.id === 3);
    }
    const inspectedIds = (p: Peer) => p.frames.filter((m) => m.t === "inspected").map((m) => m.id);
    assert.deepEqual(inspectedIds(olga.peer), [10, 11, 12]);
    assert.deepEqual(inspectedIds(alice.peer), [20, 21]);
    assert.deepEqual(inspectedIds(old.peer), []);
    assert.ok(!alice.peer.frames.some((m) => m.t === "done" && m.id === 30));
    assert.ok(!old.peer.frames.some((m) => m.t === "echo" && m.id === 30));

    // A late 1.4 joiner finds the set in its welcome, not in the scrollback.
    const late = await join("lena", "1.4");
    const set = late.welcome.breakpoints as { line: number }[];
    assert.deepEqual(set.map((b) => b.line), [inArea]);
    const back = late.welcome.scrollback as Message[];
    assert.ok(!back.some((m) => m.t === "breakpoints" || m.t === "inspected"));
    for (const p of [alice, olga, old, late]) p.peer.channel.end();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
