/** Browser logins over a fake clock: lifetimes, idling, tickets, logout. */
import assert from "node:assert/strict";
import { Logins } from "../../src/web/logins.ts";

function clock() {
  let now = 0;
  return { now: () => now, pass: (ms: number) => (now += ms) };
}

Deno.test("a ticket is traded once, within its minute, for a random token", () => {
  const c = clock();
  const logins = new Logins({ now: c.now });
  const { token, ticket } = logins.begin();
  assert.match(token, /^[A-Za-z0-9_-]{43}$/, "256 random bits");
  assert.notEqual(token, ticket);
  assert.equal(logins.redeem(ticket), token);
  assert.equal(logins.redeem(ticket), undefined);
  const late = logins.begin();
  c.pass(60_001);
  assert.equal(logins.redeem(late.ticket), undefined);
});

Deno.test("a login idles out with no page open, never while one is", () => {
  const c = clock();
  const logins = new Logins({ now: c.now, lifetimeMs: 10 * 3600_000, idleMs: 1000 });
  const idle = logins.begin().token;
  const busy = logins.begin().token;
  const detach = logins.attach(busy, () => assert.fail("not closed while within its lifetime"));
  c.pass(5000);
  assert.equal(logins.remaining(idle), 0, "idle past its limit");
  assert.ok(logins.remaining(busy) > 0, "a page is open on it");
  detach();
  c.pass(999);
  assert.ok(logins.remaining(busy) > 0);
  c.pass(2);
  assert.equal(logins.remaining(busy), 0);
  logins.close();
});

Deno.test("at its lifetime a login ends, closing its pages; logout too", () => {
  const c = clock();
  const logins = new Logins({ now: c.now, lifetimeMs: 1000 });
  const a = logins.begin().token;
  const b = logins.begin().token;
  const closed: string[] = [];
  logins.attach(a, (why) => closed.push(`a: ${why}`));
  logins.attach(b, (why) => closed.push(`b: ${why}`));
  logins.revoke(b);
  assert.deepEqual(closed, ["b: logged out"]);
  c.pass(1000);
  logins.sweep();
  assert.deepEqual(closed, ["b: logged out", "a: the login expired: log in again"]);
  assert.equal(logins.size, 0);
  // Attaching to a login that is gone closes the page at once.
  logins.attach(a, (why) => closed.push(`late: ${why}`));
  assert.equal(closed.at(-1), "late: the login has ended");
  logins.close();
});
