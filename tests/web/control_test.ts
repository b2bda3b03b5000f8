/** The transport's text messages to a page: what the server sends is what the page reads. */
import assert from "node:assert/strict";
import { pageControlText, parsePageControl } from "../../src/web/control.ts";

Deno.test("what the server writes is what the page reads back", () => {
  for (
    const m of [{ t: "login", ticket: "abc" }, { t: "closing", reason: "logged out" }] as const
  ) {
    assert.deepEqual(parsePageControl(pageControlText(m)), m);
  }
});

Deno.test("anything else in a text message is ignored, not trusted", () => {
  for (
    const text of [
      "not json",
      "null",
      "[]",
      '{"t":"login"}',
      '{"t":"login","ticket":5}',
      '{"t":"closing"}',
      '{"t":"eval","code":"x"}',
    ]
  ) {
    assert.equal(parsePageControl(text), undefined, text);
  }
  // Extra fields are dropped: the page gets exactly the fields it reads.
  assert.deepEqual(parsePageControl('{"t":"closing","reason":"r","x":1}'), {
    t: "closing",
    reason: "r",
  });
});
