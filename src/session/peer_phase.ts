/**
 * The phases of one peer's connection, the data each holds, and which may follow which. Pure:
 * servePeer (peer.ts) keeps one {@link Phase} and changes it only through a move this table
 * allows, so the handshake's state is named, never inferred from flags.
 *
 *   awaitHello ─hello─▶ awaitAuth ─right answer─▶ joined ─▶ closed
 *       │                   └─wrong answer─▶ authFailed ─▶ closed
 *       └─hello (no password, or a browser's live login)─▶ joined
 *   and from every phase: ─▶ closed (refused, timed out, broken, left)
 */
import type { ClientInfo, Hello } from "../protocol/messages.ts";

export type Phase =
  /** Connected, nothing said yet. `heard`: some bytes came (a silent peer is closed quietly). */
  | { name: "awaitHello"; heard: boolean }
  /** Challenged for the endpoint's password, with the nonce sent; the hello is kept to join. */
  | { name: "awaitAuth"; hello: Hello; warning?: string; nonce: string }
  /** The answer was wrong: the refusal waits out the failure delay (slows guessing). */
  | { name: "authFailed" }
  /** In the session as participant `id`; `self` as the participants' list shows it. */
  | { name: "joined"; id: number; self?: ClientInfo }
  | { name: "closed" };

export type PhaseName = Phase["name"];

/** The phases that may follow each phase: every other move is a bug in peer.ts. */
export const TRANSITIONS: Readonly<Record<PhaseName, readonly PhaseName[]>> = {
  awaitHello: ["awaitAuth", "joined", "closed"],
  awaitAuth: ["joined", "authFailed", "closed"],
  authFailed: ["closed"],
  joined: ["closed"],
  closed: [],
};

export function canMove(from: PhaseName, to: PhaseName): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The phases before joining: the pre-login byte cap and the handshake's messages apply. */
export type HandshakePhase = Extract<Phase, { name: "awaitHello" | "awaitAuth" | "authFailed" }>;

export function inHandshake(phase: Phase): phase is HandshakePhase {
  return phase.name !== "joined" && phase.name !== "closed";
}

/** The message each handshake phase waits for, to say so to a peer that sends another. */
export const EXPECTED: Readonly<Record<HandshakePhase["name"], "hello" | "auth">> = {
  awaitHello: "hello",
  awaitAuth: "auth",
  // Its answer is being refused: a second answer changes nothing, anything else is out of turn.
  authFailed: "auth",
};
