/** The server side of a page's WebSocket as a channel, over a stand-in socket. */
import assert from "node:assert/strict";
import {
  CLOSE_LOGIN_ENDED,
  wsChannel,
  type WsEnd,
} from "../../../src/transport/http/ws_channel.ts";

function fakeEnd() {
  const sent: (Uint8Array | string)[] = [];
  const closes: { code?: number; reason?: string }[] = [];
  const end: WsEnd = {
    send: (d) => void sent.push(d),
    close: (code, reason) => void closes.push({ code, reason }),
    terminate: () => void closes.push({ code: -1 }),
    bufferedAmount: () => 0,
  };
  return { end, sent, closes };
}

Deno.test("a page whose login ended is cut off at once, even if it ignores the close frame", () => {
  const { end, sent, closes } = fakeEnd();
  const ch = wsChannel(end, "http:10.0.0.5:4242", { preauthenticated: true });
  const data: Uint8Array[] = [];
  const closedWith: (Error | undefined)[] = [];
  ch.start({ data: (b) => data.push(b), close: (e) => closedWith.push(e) });
  ch.received(new Uint8Array([1, 2, 3]).buffer);
  assert.equal(data.length, 1);

  ch.kick("logged out", "the site's farewell");
  assert.equal(sent.at(-1), "the site's farewell", "said before closing");
  assert.deepEqual(closes, [{ code: CLOSE_LOGIN_ENDED, reason: "logged out" }]);
  // The session hears of it now, not when (or if) the page answers the close.
  assert.equal(closedWith.length, 1);
  assert.match(String(closedWith[0]?.message), /logged out/);

  // A hostile page goes on sending: none of it reaches the session.
  ch.received(new Uint8Array([4, 5, 6]).buffer);
  assert.equal(data.length, 1);
  ch.write(new Uint8Array([7]));
  assert.equal(ch.pending, 0);
  // The close that finally comes changes nothing.
  ch.closed(1006, "");
  assert.equal(closedWith.length, 1);
});

Deno.test("a page kicked before the session started gets no byte into it", () => {
  const { end } = fakeEnd();
  const ch = wsChannel(end, "http:10.0.0.5:4242", { preauthenticated: true });
  ch.received(new Uint8Array([1]).buffer);
  ch.kick("the login has ended", "farewell");
  const data: Uint8Array[] = [];
  const closedWith: (Error | undefined)[] = [];
  ch.start({ data: (b) => data.push(b), close: (e) => closedWith.push(e) });
  assert.deepEqual(data, []);
  assert.equal(closedWith.length, 1);
});

Deno.test("text messages from a page end its channel: the protocol is binary", () => {
  const { end, closes } = fakeEnd();
  const ch = wsChannel(end, "http:10.0.0.5:4242");
  const data: Uint8Array[] = [];
  let closedWith: Error | undefined;
  ch.start({ data: (b) => data.push(b), close: (e) => (closedWith = e) });
  ch.received('{"t":"cmd"}');
  assert.deepEqual(data, []);
  assert.deepEqual(closes, [{ code: 1003, reason: "binary messages only" }]);
  ch.closed(1003, "binary messages only");
  assert.match(String(closedWith?.message), /text message/);
});
