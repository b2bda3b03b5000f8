/** For the topology tests: the problems of a lab that must not parse. */
import assert from "node:assert/strict";
import { TopologyError, type TopologyProblem } from "../../src/errors.ts";
import { parseTopology } from "../../src/topology/parse.ts";

/** The problems `parseTopology` reports for `text` (as lab.toml); fails the test if it parses. */
export function problems(text: string): TopologyProblem[] {
  try {
    parseTopology(text, "lab.toml");
  } catch (err) {
    assert.ok(err instanceof TopologyError, `expected TopologyError, got ${err}`);
    assert.equal(err.code, "E_TOPOLOGY");
    return err.problems;
  }
  assert.fail("the lab parsed, but it should not have");
}
