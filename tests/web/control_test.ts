/** The transport's text messages to a page: what the server sends is what the page reads. */
import assert from "node:assert/strict";
import { parsePageControl } from "../../src/web/control.ts";
import { wsChannel, type WsEnd } from "../../src/web/ws_channel.ts";

Deno.test("a kicked page reads the server's closing message through the shared parser", () => {
  const sent: (Uint8Array | string)[] = [];
  const end: WsEnd = {
    send: (d) => void sent.push(d),
    close: () => {},
    terminate: () => {},
    bufferedAmount: () => 0,
  };
  const channel = wsChannel(end, "http:127.0.0.1:1");
  channel.control({ t: "login", ticket: "abc" });
  channel.kick("logged out");
  const texts = sent.filter((d): d is string => typeof d === "string");
  assert.deepEqual(texts.map(parsePageControl), [
    { t: "login", ticket: "abc" },
    { t: "closing", reason: "logged out" },
  ]);
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
