/**
 * The structured side's contract (engine/inspect.ts), run on every engine with the shapes
 * sample (samples/shapes.c, samples/shapes.py): breakpoints set in the kind's own action words
 * are listed and told; the stack; a frame's locals with a struct expanded two levels; a watch
 * evaluated; nothing of it in the transcript nor moving the selected frame; references refused
 * after a resume; every question refused while the target runs.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import type { Engine, EngineEvent, EngineSpec } from "../../src/engine/engine.ts";
import type { Action, Breakpoint, Variable } from "../../src/engine/inspect.ts";
import { actionText } from "../../src/session/inspect.ts";
import { markerLine, recorder } from "./contract.ts";
import type { DbgRemoteError } from "../../src/errors.ts";

export interface InspectTarget {
  kind: "gdb" | "lldb" | "python";
  make(spec: EngineSpec, listener: (e: EngineEvent) => void): Engine;
  /** The sample, built; its source file. */
  sample(): Promise<{ program: string; source: string }>;
  spec(program: string, args: string[]): EngineSpec;
  /** The word that runs the program to the first breakpoint. */
  run: string;
}

const words = (kind: string, action: Action): string => {
  const r = actionText(kind, action);
  if ("error" in r) throw r.error;
  return r.text;
};

const named = (vars: Variable[], name: string): Variable => {
  const v = vars.find((x) => x.name === name);
  assert.ok(v, `no ${name} in ${JSON.stringify(vars)}`);
  return v;
};

/** The value's leading number (lldb and gdb print `4`, debugpy `4`; chars get quotes). */
const num = (v: Variable) => Number(/^-?\d+/.exec(v.value)?.[0]);

/** Rejects with an error carrying `code`, within the test's bounds. */
async function refusedWith(p: Promise<unknown>, code: string, what: string): Promise<void> {
  await assert.rejects(p, (e: DbgRemoteError) => {
    assert.equal(e.code, code, `${what}: ${e.message}`);
    return true;
  });
}

export function inspectContract(t: InspectTarget): void {
  Deno.test(`${t.kind} inspector: breakpoints, stack, locals expanded, watch, refs die on resume, running refused`, async () => {
    const { program, source } = await t.sample();
    const sourceFile = fs.realpathSync(source);
    const inArea = markerLine(fs.readFileSync(sourceFile, "utf8"), "in-area");
    const rec = recorder();
    const engine = t.make(t.spec(program, ["loop"]), rec.listener);
    const told = () =>
      rec.events.filter((e): e is EngineEvent & { type: "breakpoints" } =>
        e.type === "breakpoints"
      );
    try {
      await engine.start();
      const inspector = engine.inspector;
      assert.ok(inspector, "the engine has a structured side");

      // A breakpoint in the kind's own words: listed, and told.
      const set = await engine.execute(
        words(t.kind, { do: "break", file: sourceFile, line: inArea }),
      );
      assert.ok(set.ok, JSON.stringify(set));
      await rec.until((e) => e.type === "breakpoints" && e.breakpoints.length === 1);
      const [bp] = await inspector.breakpoints();
      assert.equal(bp.line, inArea);
      assert.ok(bp.enabled);
      assert.ok(bp.file?.endsWith(sourceFile.split("/").pop()!), JSON.stringify(bp));

      // One by a function's name: told as such (an editor's function breakpoints find it).
      const byName = await engine.execute(words(t.kind, { do: "breakFunction", name: "area" }));
      assert.ok(byName.ok, JSON.stringify(byName));
      await rec.until((e) => e.type === "breakpoints" && e.breakpoints.length === 2);
      const fbp = (await inspector.breakpoints()).find((b) => b.id !== bp.id)!;
      assert.equal(fbp.func, "area", JSON.stringify(fbp));
      assert.equal(fbp.location, "area");

      const ran = await engine.execute(t.run);
      assert.ok(ran.ok, JSON.stringify(ran));
      assert.equal(engine.state, "stopped");
      const transcript = rec.text();

      const stack = await inspector.stack();
      assert.match(stack[0].func ?? "", /area/);
      assert.equal(stack[0].line, inArea);
      assert.match(stack[1].func ?? "", /main/);
      assert.deepEqual((await inspector.stack(undefined, 1, 1)).map((f) => f.level), [1]);
      const threads = await inspector.threads();
      assert.ok(threads.length >= 1 && threads.every((th) => Number.isSafeInteger(th.id)));

      // main's locals: the struct, expanded two levels.
      const scopes = await inspector.scopes(1);
      const locals = scopes.find((s) => /locals/i.test(s.name));
      assert.ok(locals, JSON.stringify(scopes));
      const vars = await inspector.variables(locals.ref);
      assert.equal(num(named(vars, "n")), 2);
      const sq = named(vars, "sq");
      assert.ok(sq.ref > 0, `sq expands: ${JSON.stringify(sq)}`);
      const fields = await inspector.variables(sq.ref);
      assert.equal(num(named(fields, "sides")), 4);
      const at = named(fields, "at");
      assert.ok(at.ref > 0);
      const xy = await inspector.variables(at.ref);
      assert.deepEqual([num(named(xy, "x")), num(named(xy, "y"))], [3, 4]);

      // A watch in main's frame, and one in area's (the default: the innermost).
      assert.equal((await inspector.evaluate("n + 1", 1)).value, "3");
      assert.match((await inspector.evaluate("k")).value, /^2\b/);
      await refusedWith(inspector.evaluate("no_such_name_here"), "E_INSPECT", "a bad watch");
      await refusedWith(inspector.variables(987654), "E_BAD_REF", "an unknown ref");

      // None of it reached the transcript, nor selected another frame.
      assert.equal(rec.text(), transcript);
      assert.ok(!rec.events.some((e) => e.type === "frame"), "the selected frame stays");

      // Selecting a frame in the kind's words: the engine says which, as for `up`.
      const selected = await engine.execute(words(t.kind, { do: "frame", level: 1 }));
      assert.ok(selected.ok, JSON.stringify(selected));
      const frame = await rec.until((e) => e.type === "frame");
      assert.ok(frame.type === "frame" && frame.frame.level === 1, JSON.stringify(frame));
      assert.match(frame.frame.func ?? "", /main/);

      // A resume kills every reference.
      const next = await engine.execute(words(t.kind, { do: "next" }));
      assert.ok(next.ok);
      await refusedWith(inspector.variables(sq.ref), "E_BAD_REF", "a ref after a resume");

      // Clearing it in the kind's words: told, empty.
      for (const id of [bp.id, fbp.id]) {
        const cleared = await engine.execute(words(t.kind, { do: "clear", id }));
        assert.ok(cleared.ok, JSON.stringify(cleared));
      }
      await rec.until(() => told().at(-1)?.breakpoints.length === 0);
      assert.deepEqual(await inspector.breakpoints(), [] as Breakpoint[]);

      // While the target runs (the sample loops), every question is refused with a code.
      const running = engine.execute(words(t.kind, { do: "continue" }));
      await rec.until((e) =>
        e.type === "state" && e.state === "running" && engine.state === "running"
      );
      await refusedWith(inspector.stack(), "E_TARGET_RUNNING", "stack while running");
      await refusedWith(inspector.evaluate("n"), "E_TARGET_RUNNING", "evaluate while running");
      assert.ok(await engine.interrupt());
      assert.ok((await running).ok !== undefined);
      assert.equal(engine.state, "stopped");
      assert.ok((await inspector.stack()).length > 0, "answers again once stopped");
    } finally {
      await engine.stop();
    }
  });
}
