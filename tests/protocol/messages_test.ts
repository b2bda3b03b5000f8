import assert from "node:assert/strict";
import { type Message } from "../../src/protocol/frame.ts";
import { parseClientMessage } from "../../src/protocol/messages.ts";

/** The parser's error text, or undefined when it accepts the message. */
function checkClientMessage(m: Message): string | undefined {
  const parsed = parseClientMessage(m);
  return parsed.ok ? undefined : parsed.error;
}

const who = { user: "u", host: "h", tool: "t" };

Deno.test("parseClientMessage: hello may ask to observe (1.1), with a boolean only", () => {
  const hello = { t: "hello", protocol: "1.1", release: "0.1.0", who };
  assert.equal(checkClientMessage(hello), undefined, "observe is optional (a 1.0 client)");
  assert.equal(checkClientMessage({ ...hello, observe: true }), undefined);
  assert.equal(checkClientMessage({ ...hello, observe: false }), undefined);
  assert.equal(
    checkClientMessage({ ...hello, observe: "yes" }),
    "hello's observe must be true or false",
  );
  assert.equal(
    checkClientMessage({ ...hello, who: { user: "u" } }),
    "hello needs who {user, host, tool}",
  );
  // Names are printed on every console and in the server's log: nothing a terminal obeys.
  for (
    const bad of [
      { ...who, user: "eve\x1b]0;pwned\x07" },
      { ...who, host: "h\r\n*** fake notice" },
      { ...who, tool: "t\u009b31m" },
      { ...who, user: "x".repeat(256) },
    ]
  ) {
    assert.equal(
      checkClientMessage({ ...hello, who: bad }),
      "hello's who {user, host, tool} must be printable, up to 255 characters each",
      JSON.stringify(bad),
    );
  }
  assert.equal(checkClientMessage({ ...hello, who: { ...who, user: "Zoë-ünïcode" } }), undefined);
});

Deno.test("parseClientMessage: commands, interrupts, goodbyes; nothing else", () => {
  assert.equal(checkClientMessage({ t: "cmd", id: 1, text: "bt" }), undefined);
  assert.equal(
    checkClientMessage({ t: "cmd", id: 1.5, text: "bt" }),
    "cmd needs an integer id and text",
  );
  assert.equal(checkClientMessage({ t: "interrupt" }), undefined);
  assert.equal(checkClientMessage({ t: "bye" }), undefined);
  // A client cannot promote itself or anyone: there is no such message.
  assert.equal(checkClientMessage({ t: "role", role: "operator" }), 'unknown message type "role"');
});

Deno.test("parseClientMessage: who is printable text: a name cannot carry terminal controls", () => {
  const hello = { t: "hello", protocol: "1.1", release: "0.1.0", who };
  for (const bad of ["eve\x1b[2J", "eve\nalice", "eve\x07", "eve\u009b31m"]) {
    for (const field of ["user", "host", "tool"]) {
      assert.equal(
        checkClientMessage({ ...hello, who: { ...who, [field]: bad } }),
        "hello's who {user, host, tool} must be printable, up to 255 characters each",
        `${field}: ${JSON.stringify(bad)}`,
      );
    }
  }
  assert.equal(checkClientMessage({ ...hello, who: { ...who, user: "José Müller" } }), undefined);
});

Deno.test("parseClientMessage: an accepted message comes back narrowed, newer fields kept", () => {
  const parsed = parseClientMessage({ t: "cmd", id: 7, text: "bt", later: 1 });
  assert.ok(parsed.ok);
  assert.equal(parsed.msg.t, "cmd");
  // The union narrows on `t`: id is a number here with no cast.
  const id: number = parsed.msg.t === "cmd" ? parsed.msg.id : -1;
  assert.equal(id, 7);
  assert.equal(parsed.msg.later, 1, "a newer client's optional field passes through");
  const hello = parseClientMessage({ t: "hello", protocol: "1.3", release: "9", who });
  assert.ok(hello.ok && hello.msg.t === "hello");
  assert.deepEqual(hello.msg.who, who);
  const bad = parseClientMessage({ t: "auth", nonce: "n" });
  assert.deepEqual(bad, { ok: false, error: "auth needs nonce and proof" });
});
