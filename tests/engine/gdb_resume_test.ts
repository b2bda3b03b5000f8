import assert from "node:assert/strict";
import { createResumeTracker, type ResumeHooks } from "../../src/engine/gdb_resume.ts";
import type { MiResult } from "../../src/engine/gdb_mi.ts";
import type { MiTuple } from "../../src/engine/mi_parser.ts";

const result = (token: number, cls: string, results: MiTuple = {}): MiResult => ({
  kind: "result",
  token,
  class: cls,
  results,
} as MiResult);

function hooks(threads: MiTuple[]): ResumeHooks & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    threads: () => Promise.resolve(threads),
    later: (f) => f(),
    stopped: (r) => log.push(`stopped ${JSON.stringify(r)}`),
    exited: () => log.push("exited"),
  };
}

Deno.test("resume: a command that ran the target ends with the next stop", async () => {
  const t = createResumeTracker(hooks([]));
  const ended = t.begin(5, 2);
  t.answered(result(5, "running"));
  t.stopReported(2); // a stop from before it resumed
  t.stopReported(3);
  assert.deepEqual(await ended, { ok: true });
});

Deno.test("resume: ^error after ^running asks gdb for the state: a stopped thread is reported, then the command fails", async () => {
  const h = hooks([{ state: "stopped", frame: { line: "9" } }]);
  const t = createResumeTracker(h);
  const ended = t.begin(7, 0);
  t.answered(result(7, "running"));
  t.secondWord(result(7, "error", { msg: "Command aborted." }));
  assert.deepEqual(await ended, { ok: false, error: "Command aborted." });
  assert.deepEqual(h.log, ['stopped {"frame":{"line":"9"}}']);
});

Deno.test("resume: no thread left after ^error: the program is reported gone", async () => {
  const h = hooks([]);
  const t = createResumeTracker(h);
  const ended = t.begin(1, 0);
  t.answered(result(1, "running"));
  t.secondWord(result(1, "error", { msg: "gone" }));
  assert.deepEqual(await ended, { ok: false, error: "gone" });
  assert.deepEqual(h.log, ["exited"]);
});

Deno.test("resume: a command that did not run the target is forgotten; later words are not its", () => {
  const h = hooks([]);
  const t = createResumeTracker(h);
  void t.begin(3, 0);
  t.answered(result(3, "done"));
  t.end();
  t.secondWord(result(3, "error", { msg: "x" }));
  t.stopReported(1);
  assert.deepEqual(h.log, []);
});
