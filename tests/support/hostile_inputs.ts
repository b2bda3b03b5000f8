/**
 * Seeded hostile inputs for the hostile-input suites (tests/e2e/hostile_*_test.ts).
 *
 * Everything comes from one small PRNG (mulberry32) so a failure found with a seed is found again
 * with that seed: the suites print the seed, and `HOSTILE_SEED=N` replays it.
 *
 * Two families:
 * - {@link preLoginInput}: what a peer that never logged in may send as its first bytes (random
 *   bytes, truncated, oversized, malformed, wrongly typed, huge or deeply nested frames, a replayed
 *   login). Each needs a connection of its own: the server closes a peer at its first bad frame.
 * - {@link observerInput}: well-framed messages with hostile contents (control characters, bidi
 *   overrides, lone surrogates, 64 KiB texts, deeply nested or `__proto__` extra fields), sent by a
 *   logged-in observer. The server refuses each to that observer alone with exactly one reply, so
 *   thousands share one connection and each one is confirmed.
 */

/** mulberry32: a 32-bit state, good enough spread for test inputs, trivially reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = () => number;

/** An integer in [lo, hi]. */
export function int(rand: Rand, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

function pick<T>(rand: Rand, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)];
}

function randomBytes(rand: Rand, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

const encoder = new TextEncoder();

/** A frame around raw body bytes: 4-byte big-endian length, then the body. */
export function rawFrame(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
}

/** A frame around a JSON value (a string is taken as JSON text already). */
export function frame(value: unknown): Uint8Array {
  return rawFrame(encoder.encode(typeof value === "string" ? value : JSON.stringify(value)));
}

export function helloMessage(user = "eve", observe?: boolean): Record<string, unknown> {
  const m: Record<string, unknown> = {
    t: "hello",
    protocol: "1.2",
    release: "0.1.0",
    who: { user, host: "attacker", tool: "hostile" },
  };
  if (observe !== undefined) m.observe = observe;
  return m;
}

/** Text a terminal or a log must never act on, and text that stresses encoders. */
function hostileText(rand: Rand, max: number): string {
  const pieces = [
    "\x1b[2J\x1b[H",
    "\x1b]0;pwned\x07",
    "\r\n*** alice@lab left\r\n",
    "\u202e\u2066evil\u2069",
    "\ud800",
    "\udfff",
    "\u0000",
    "\x9b31m",
    "😀",
    "%s%n%x",
    "'; drop table",
    "${7*7}",
    "\\",
    '"',
  ];
  const n = int(rand, 0, max);
  let s = "";
  while (s.length < n) {
    s += rand() < 0.5 ? pick(rand, pieces) : String.fromCharCode(
      ...Array.from({ length: int(rand, 1, 16) }, () => int(rand, 0, 0xffff)),
    );
  }
  return s.slice(0, n);
}

/** `[[[...]]]` or `{"a":{"a":...}}` nested `depth` deep, as JSON text. */
export function nested(depth: number, kind: "array" | "object"): string {
  return kind === "array"
    ? "[".repeat(depth) + "]".repeat(depth)
    : '{"a":'.repeat(depth) + "0" + "}".repeat(depth);
}

function jsonValue(rand: Rand, depth = 0): unknown {
  switch (int(rand, 0, depth > 3 ? 5 : 7)) {
    case 0:
      return null;
    case 1:
      return rand() < 0.5;
    case 2:
      return pick(rand, [0, -1, 1e308, -1e-308, 2 ** 53 + 1, 0.5, -0]);
    case 3:
      return hostileText(rand, 40);
    case 4:
      return "";
    case 5:
      return [];
    case 6:
      return Array.from({ length: int(rand, 1, 4) }, () => jsonValue(rand, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: int(rand, 1, 4) }, () => [
          pick(rand, ["t", "who", "protocol", "__proto__", "constructor", "id", "text", "x"]),
          jsonValue(rand, depth + 1),
        ]),
      );
  }
}

export type PreLoginKind =
  | "random"
  | "truncated"
  | "oversized"
  | "malformed"
  | "wrongType"
  | "huge"
  | "nested";

export const PRE_LOGIN_KINDS: readonly PreLoginKind[] = [
  "random",
  "truncated",
  "oversized",
  "malformed",
  "wrongType",
  "huge",
  "nested",
];

export interface HostileInput {
  kind: PreLoginKind;
  bytes: Uint8Array;
  /**
   * A whole frame (or a header the server can judge alone) that the server must answer at once
   * with an error: no end of input needed. False for inputs that may leave the server waiting for
   * more (a truncated frame, random bytes that happen to start a small frame).
   */
  complete: boolean;
}

/** Wrongly typed first messages: what a peer may send instead of a proper hello. */
function wrongType(rand: Rand): unknown {
  const hello = helloMessage();
  switch (int(rand, 0, 9)) {
    case 0:
      return { ...hello, protocol: jsonValue(rand) ?? 5 };
    case 1:
      return { ...hello, who: pick(rand, [null, "eve", [], 7, { user: 1, host: "h", tool: "t" }]) };
    case 2:
      return { ...hello, who: { user: "eve\x1b[2J", host: "h", tool: "t" } };
    case 3:
      return { ...hello, who: { user: "e".repeat(int(rand, 256, 5000)), host: "h", tool: "t" } };
    case 4:
      return { ...hello, observe: pick(rand, ["yes", 1, null, {}]) };
    case 5:
      return {
        t: pick(rand, ["cmd", "interrupt", "bye", "welcome", "echo", "auth"]),
        id: 1,
        text: "q",
      };
    case 6:
      return { t: pick(rand, [1, null, [], {}, true]) };
    case 7:
      return pick(rand, [[], 0, "hello", null, true, [hello]]);
    case 8:
      return { t: hostileText(rand, 30) };
    default:
      return { t: "auth", nonce: hostileText(rand, 300), proof: 5 };
  }
}

/** One input for a fresh, never-logged-in connection. `maxFrame` is the server's frame limit. */
export function preLoginInput(rand: Rand, maxFrame = 1024 * 1024): HostileInput {
  // Huge and deeply nested frames are up to a megabyte each: a few go a long way.
  const kind = rand() < 0.08
    ? pick(rand, ["huge", "nested"] as const)
    : pick(rand, PRE_LOGIN_KINDS.filter((k) => k !== "huge" && k !== "nested"));
  switch (kind) {
    case "random": {
      const bytes = randomBytes(rand, int(rand, 1, 4096));
      const declared = bytes.length >= 4
        ? new DataView(bytes.buffer).getUint32(0)
        : Number.POSITIVE_INFINITY;
      // Judged at once: a header over the limit, or a whole (garbage) frame.
      const complete = bytes.length >= 4 && (declared > maxFrame || declared + 4 <= bytes.length);
      return { kind, bytes, complete };
    }
    case "truncated": {
      const whole = frame(helloMessage());
      return { kind, bytes: whole.subarray(0, int(rand, 1, whole.length - 1)), complete: false };
    }
    case "oversized": {
      const header = new Uint8Array(4);
      new DataView(header.buffer).setUint32(0, int(rand, maxFrame + 1, 0xffffffff));
      return { kind, bytes: header, complete: true };
    }
    case "malformed": {
      const body = pick(rand, [
        () => randomBytes(rand, int(rand, 0, 64)),
        () => new Uint8Array([0x7b, 0x22, 0x74, 0x22, 0x3a, 0xc3, 0x28, 0x7d]), // invalid UTF-8
        () => encoder.encode('{"t":"hello",'),
        () => encoder.encode("NaN"),
        () => encoder.encode('{"t":"hello"}'.repeat(int(rand, 2, 10))),
      ])();
      return { kind, bytes: rawFrame(body), complete: true };
    }
    case "wrongType":
      return { kind, bytes: frame(wrongType(rand)), complete: true };
    case "huge": {
      // A well-formed hello carrying a huge extra field: valid JSON, up to the frame limit.
      const size = int(rand, 64 * 1024, maxFrame - 200);
      const text = JSON.stringify({ ...helloMessage(), pad: "A".repeat(size) });
      return { kind, bytes: frame(text), complete: true };
    }
    case "nested": {
      const depth = int(rand, 1_000, Math.floor((maxFrame - 100) / 6));
      const text = rand() < 0.5
        ? nested(depth, "array")
        : `{"t":"hello","x":${nested(depth, rand() < 0.5 ? "array" : "object")}}`;
      return { kind, bytes: frame(text.slice(0, maxFrame)), complete: true };
    }
  }
}

/** One well-framed message for a logged-in observer; the server answers each with one reply. */
export function observerInput(rand: Rand, id: number): Record<string, unknown> {
  const extra = (): Record<string, unknown> => {
    switch (int(rand, 0, 5)) {
      case 0:
        return { x: JSON.parse(nested(int(rand, 10, 500), "array")) };
      case 1:
        return JSON.parse(`{"__proto__":{"role":"operator","polluted":true}}`);
      case 2:
        return { who: { user: "admin" }, role: "operator", observe: false };
      case 3:
        return { x: jsonValue(rand) };
      default:
        return {};
    }
  };
  if (rand() < 0.1) return { ...extra(), t: "interrupt" };
  // A letter first: a text starting with "." could be a command observers may give (.echo).
  const text = "x" + hostileText(rand, rand() < 0.005 ? 65536 : 200);
  return { ...extra(), t: "cmd", id, text };
}
