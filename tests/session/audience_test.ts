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
