/**
 * Making session events fit in frames. Pure: events in, events out.
 *
 * Whatever the debugger or the program prints, and whatever a participant
 * says, every event the server stores or sends must be encodable in one frame
 * (else it is unsendable to everyone, and a welcome carrying it too). Text of
 * any length is split across `out` messages that clients join as they come,
 * adding nothing between them; the few other events that carry text are
 * shortened visibly instead (their text is bounded at the source: commands
 * are limited, see session/limits.ts).
 */
import { DbgRemoteError } from "../errors.ts";
import { DEFAULT_MAX_FRAME, encodeFrame, type Message } from "./frame.ts";
import type { Out, SessionEvent, Welcome } from "./messages.ts";

/**
 * Largest encoded event the session stores or sends. Well under the frame
 * limit: a 5 MB line goes out as ~20 frames, each small enough that a slow
 * client's queue is measured finely, and a welcome holds many of them.
 */
export const MAX_EVENT_BYTES = 256 * 1024;

const encoder = new TextEncoder();

/** Bytes of a message's frame body (its UTF-8 JSON). */
export function encodedSize(m: Message): number {
  return encoder.encode(JSON.stringify(m)).length;
}

/** Bytes JSON.stringify spends on the code unit at `i` of `text` (with its pair, if any). */
function unitBytes(text: string, i: number): { bytes: number; units: number } {
  const c = text.charCodeAt(i);
  if (c === 0x22 || c === 0x5c) return { bytes: 2, units: 1 }; // \" \\
  if (c < 0x20) {
    // \b \t \n \f \r have short escapes; the other controls are \u00XX.
    return { bytes: c === 8 || c === 9 || c === 10 || c === 12 || c === 13 ? 2 : 6, units: 1 };
  }
  if (c < 0x80) return { bytes: 1, units: 1 };
  if (c < 0x800) return { bytes: 2, units: 1 };
  if (c >= 0xd800 && c <= 0xdbff) {
    const next = text.charCodeAt(i + 1);
    if (next >= 0xdc00 && next <= 0xdfff) return { bytes: 4, units: 2 }; // a pair: never cut
    return { bytes: 6, units: 1 }; // a lone surrogate is escaped as \uXXXX
  }
  if (c >= 0xdc00 && c <= 0xdfff) return { bytes: 6, units: 1 };
  return { bytes: 3, units: 1 };
}

/**
 * Cut `text` into pieces of at most `budget` encoded bytes each (as JSON string content),
 * never inside a surrogate pair. Joined, the pieces are `text`.
 */
export function splitText(text: string, budget: number): string[] {
  if (budget < 6) throw new RangeError("budget must hold at least one escaped character");
  // Every code unit costs at most 6 bytes: short texts need no measuring.
  if (text.length * 6 <= budget) return [text];
  const pieces: string[] = [];
  let start = 0;
  let used = 0;
  let i = 0;
  while (i < text.length) {
    const { bytes, units } = unitBytes(text, i);
    if (used + bytes > budget) {
      pieces.push(text.slice(start, i));
      start = i;
      used = 0;
    }
    used += bytes;
    i += units;
  }
  if (start < text.length || pieces.length === 0) pieces.push(text.slice(start));
  return pieces;
}

/** An `out` as `out`s whose frames each fit `maxBytes`; joining their texts gives the original. */
export function splitOut(out: Out, maxBytes = MAX_EVENT_BYTES): Out[] {
  // The common case, measured without encoding anything: an out's other fields take < 128 bytes.
  if (out.text.length * 6 + 128 <= maxBytes) return [out];
  const envelope = encodedSize({ ...out, text: "" });
  if (out.text.length * 6 + envelope <= maxBytes) return [out];
  return splitText(out.text, maxBytes - envelope).map((text) => ({ ...out, text }));
}

/** `text` cut to fit `budget` encoded bytes, saying how much was left out. */
function shorten(text: string, budget: number): string {
  const note = (n: number) => ` [... ${n} more characters not shown]`;
  const head = splitText(text, Math.max(6, budget - encoder.encode(note(text.length)).length))[0];
  return head.length === text.length ? text : head + note(text.length - head.length);
}

/** One text field of `event` shortened so that the whole event fits `maxBytes`. */
function shortenField<E extends SessionEvent>(event: E, field: keyof E, maxBytes: number): E {
  const text = event[field];
  if (typeof text !== "string") return event;
  const rest = encodedSize({ ...event, [field]: "" });
  return { ...event, [field]: shorten(text, maxBytes - rest) };
}

/**
 * `event` as events that each fit `maxBytes` encoded: an `out` split into pieces, any other
 * event shortened where it is long (its text, or a stop's stack arguments and source).
 */
export function fitEvent(event: SessionEvent, maxBytes = MAX_EVENT_BYTES): SessionEvent[] {
  if (event.t === "out") return splitOut(event, maxBytes);
  if (encodedSize(event) <= maxBytes) return [event];
  switch (event.t) {
    case "echo":
      return [shortenField(event, "text", maxBytes)];
    case "notice":
      return [shortenField(event, "text", maxBytes)];
    case "end":
      return [shortenField(event, "reason", maxBytes)];
    case "done":
      return [shortenField(event, "error", maxBytes)];
    case "state": {
      // The place is what matters; arguments (gdb prints whole structures) and source go first.
      const frames = event.info.frames?.map(({ args: _args, ...frame }) => frame);
      const lean = { ...event, info: { ...event.info, frames } };
      if (encodedSize(lean) <= maxBytes) return [lean];
      const { frames: _f, source: _s, ...where } = event.info;
      return [{ ...event, info: where }];
    }
    case "selected": {
      const { args: _args, ...frame } = event.frame;
      return [{ t: "selected", frame }];
    }
  }
  return [event];
}

/**
 * A welcome that fits `maxFrame`: the oldest scrollback events are left out until it does
 * (a late joiner gets the most recent output that fits, never an unsendable welcome).
 */
export function fitWelcome(welcome: Welcome, maxFrame = DEFAULT_MAX_FRAME): Welcome {
  let size = encodedSize(welcome);
  if (size <= maxFrame) return welcome;
  const scrollback = [...welcome.scrollback];
  while (scrollback.length && size > maxFrame) {
    size -= encodedSize(scrollback.shift()!) + 1; // and its comma
  }
  return { ...welcome, scrollback };
}

const NO_CLIENTS = '"clients":[]';

/**
 * The welcome's body as pieces of UTF-8; with `clientsJson` (its `clients`, already encoded:
 * session/audience.ts keeps each entry encoded) those bytes go in place of the list rather than
 * encoding it again. The first `"clients":[]` is the welcome's own key: keys before it are fixed
 * names, and a quote inside any string value is escaped.
 */
function welcomeBody(welcome: Welcome, clientsJson: Uint8Array | undefined): Uint8Array[] {
  if (clientsJson === undefined) return [encoder.encode(JSON.stringify(welcome))];
  const json = JSON.stringify({ ...welcome, clients: [] });
  const at = json.indexOf(NO_CLIENTS);
  return [
    encoder.encode(json.slice(0, at) + '"clients":'),
    clientsJson,
    encoder.encode(json.slice(at + NO_CLIENTS.length)),
  ];
}

/**
 * The welcome's frame, encoded once: a welcome lists every participant, so in a full room it is
 * the largest thing a join costs, and measuring it apart from encoding it would pay that twice.
 * Only a welcome over `maxFrame` is measured event by event and encoded again, fitted
 * ({@link fitWelcome}, from `welcome.clients`, which must be the list `clientsJson` says).
 */
export function encodeWelcome(
  welcome: Welcome,
  maxFrame = DEFAULT_MAX_FRAME,
  clientsJson?: Uint8Array,
): Uint8Array {
  const pieces = welcomeBody(welcome, clientsJson);
  const length = pieces.reduce((n, p) => n + p.length, 0);
  if (length > maxFrame) return encodeFrame(fitWelcome(welcome, maxFrame), maxFrame);
  const frame = new Uint8Array(4 + length);
  new DataView(frame.buffer).setUint32(0, length);
  let at = 4;
  for (const p of pieces) {
    frame.set(p, at);
    at += p.length;
  }
  return frame;
}

/**
 * Longest command line (or `.echo`) a participant may send, in characters. Far beyond any
 * command a person types; small enough that its echo, shown with every control character
 * spelled out, always fits in an event.
 */
export const MAX_COMMAND_CHARS = 16 * 1024;

/** Why a command line may not be sent, or undefined when it may. */
export function commandTooLong(text: string): DbgRemoteError | undefined {
  if (text.length <= MAX_COMMAND_CHARS) return undefined;
  return new DbgRemoteError(
    "E_TOO_LONG",
    `the command is ${text.length} characters long, over the ${MAX_COMMAND_CHARS}-character ` +
      "limit: it was not run",
    { hint: "for long input, put it in a file on the server and use `source FILE`" },
  );
}
