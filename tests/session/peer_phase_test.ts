/** The peer's phase table: the moves the handshake allows, and only those. */
import assert from "node:assert/strict";
import {
  canMove,
  EXPECTED,
  inHandshake,
  type PhaseName,
  TRANSITIONS,
} from "../../src/session/peer_phase.ts";

const ALL: PhaseName[] = ["awaitHello", "awaitAuth", "authFailed", "joined", "closed"];

Deno.test("phases: the handshake goes forward only, and every phase can close", () => {
  assert.ok(canMove("awaitHello", "awaitAuth"));
  assert.ok(canMove("awaitHello", "joined"), "no password: straight in");
  assert.ok(canMove("awaitAuth", "joined"));
  assert.ok(canMove("awaitAuth", "authFailed"));
  for (const from of ALL.filter((p) => p !== "closed")) assert.ok(canMove(from, "closed"), from);
  assert.ok(!canMove("authFailed", "joined"), "a wrong answer never joins");
  assert.ok(!canMove("authFailed", "awaitAuth"), "no second challenge on one connection");
  assert.ok(!canMove("joined", "awaitHello"));
  assert.ok(!canMove("joined", "awaitAuth"));
  for (const to of ALL) assert.ok(!canMove("closed", to), `closed is final (not to ${to})`);
  for (const p of ALL) assert.ok(!canMove(p, p), `${p} does not move to itself`);
  assert.deepEqual(Object.keys(TRANSITIONS).sort(), [...ALL].sort());
});

Deno.test("phases: the byte cap and the handshake's messages apply before joining only", () => {
  assert.ok(inHandshake({ name: "awaitHello", heard: false }));
  assert.ok(inHandshake({ name: "authFailed" }));
  assert.ok(!inHandshake({ name: "joined", id: 1 }));
  assert.ok(!inHandshake({ name: "closed" }));
  assert.deepEqual(EXPECTED, { awaitHello: "hello", awaitAuth: "auth", authFailed: "auth" });
});
