/**
 * Golden files: every invalid lab in testdata/ (NAME.toml) with the exact text
 * `dbgremote check NAME.toml` writes to stderr (NAME.txt). A lab's problems, their
 * lines, columns, messages and hints are what a person fixing a lab reads, so
 * any change to them shows up here as a diff.
 *
 * To regenerate after a deliberate change of messages, run
 *   UPDATE_GOLDEN=1 ./node_modules/.bin/deno test -A tests/topology/golden_test.ts
 * and read the diff (`git diff tests/topology/testdata`) before committing it.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { checkCommand } from "../../src/cli/lab.ts";
import { EXIT } from "../../src/cli/context.ts";
import { fakeCli } from "../cli/fake_ctx.ts";

const DIR = path.join(import.meta.dirname!, "testdata");
const UPDATE = Deno.env.get("UPDATE_GOLDEN") === "1";

/** `check`'s stderr for one lab, with the lab named by its file name alone. */
function checkOutput(lab: string): string {
  const cli = fakeCli();
  const file = path.join(DIR, lab);
  assert.equal(checkCommand(cli.ctx, [file]), EXIT.usage, `${lab} should be invalid`);
  assert.equal(cli.out(), "", `${lab}: nothing on stdout for an invalid lab`);
  return cli.err().replaceAll(DIR + path.sep, "");
}

const labs = fs.readdirSync(DIR).filter((f) => f.endsWith(".toml")).sort();

for (const lab of labs) {
  Deno.test(`golden: check ${lab}`, () => {
    const golden = path.join(DIR, lab.replace(/\.toml$/, ".txt"));
    const actual = checkOutput(lab);
    if (UPDATE) fs.writeFileSync(golden, actual);
    // assert.equal on two strings shows a line diff on failure.
    assert.equal(actual, fs.readFileSync(golden, "utf8"));
  });
}

// After the loop, so that UPDATE_GOLDEN=1 has written any new golden first.
Deno.test("golden: there are invalid labs to check, each with its golden file", () => {
  assert.ok(labs.length >= 15, `only ${labs.length} labs in ${DIR}`);
  const goldens = fs.readdirSync(DIR).filter((f) => f.endsWith(".txt")).sort();
  assert.deepEqual(goldens, labs.map((l) => l.replace(/\.toml$/, ".txt")));
});
