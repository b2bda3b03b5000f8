import assert from "node:assert/strict";
import { Audience, type Participant } from "../../src/session/audience.ts";
import { Scrollback } from "../../src/session/scrollback.ts";
import type { Role } from "../../src/protocol/messages.ts";

function participant(user: string, role: Role, endpoint?: number): Participant {
  return {
    who: { user, host: 'h"ost', tool: "t" },
    via: `tcp:10.0.0.1:${user.length}`,
    role,
    endpoint,
    deliver() {},
    close() {},
  };
}

Deno.test("clientsJson: the participants' list as clients() says it, through joins, leaves and activity", () => {
  const audience = new Audience({ scrollback: new Scrollback(10), record() {} });
  const utf8 = new TextDecoder();
  const same = () =>
    assert.deepEqual(JSON.parse(utf8.decode(audience.clientsJson())), audience.clients());
  same();
  audience.add(1, { p: participant("op", "operator"), since: 100 });
  for (let id = 2; id < 6; id++) {
    audience.add(id, { p: participant(`w${id}`, "observer", 0), since: 100 + id });
  }
  same();
  audience.get(1)!.lastActive = 500;
  same();
  assert.equal(JSON.parse(utf8.decode(audience.clientsJson()))[0].lastActive, 500);
  audience.get(1)!.lastActive = 900;
  assert.equal(
    JSON.parse(utf8.decode(audience.clientsJson()))[0].lastActive,
    900,
    "a changed entry is new",
  );
  audience.remove(3);
  same();
  assert.deepEqual(
    JSON.parse(utf8.decode(audience.clientsJson())).map((c: { id: number }) => c.id),
    [
      1,
      2,
      4,
      5,
    ],
  );
});

Deno.test("audience: the participant waiting for an answer is handed each event first; everyone gets the same, in order", () => {
  const audience = new Audience({ scrollback: new Scrollback(10), record() {} });
  const handed: string[] = [];
  for (const [id, user] of [[1, "w1"], [2, "w2"], [3, "op"]] as const) {
    audience.add(id, {
      p: { ...participant(user, "observer"), deliver: (e) => void handed.push(`${user}:${e.t}`) },
      since: 0,
    });
  }
  audience.waiting = 3;
  audience.broadcast({ t: "echo", from: "op@h", client: 3, id: 1, seq: 1, text: "print x" });
  audience.live({ t: "notice", kind: "info", text: "x" });
  audience.waiting = undefined;
  audience.broadcast({ t: "done", client: 3, id: 1, seq: 1, ok: true });
  assert.deepEqual(handed, [
    "op:echo",
    "w1:echo",
    "w2:echo",
    "op:notice",
    "w1:notice",
    "w2:notice",
    "w1:done",
    "w2:done",
    "op:done",
  ]);
  audience.waiting = 9; // gone already: nobody is skipped
  handed.length = 0;
  audience.broadcast({ t: "notice", kind: "info", text: "y" });
  assert.deepEqual(handed, ["w1:notice", "w2:notice", "op:notice"]);
});
