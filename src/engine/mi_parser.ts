/**
 * A parser for GDB/MI output lines (gdb 13, mi3). Pure: one line in, one
 * record out. A line that is not an MI record is the debugged program's own
 * output (it shares gdb's stdout), reported as `target`.
 */

export type MiValue = string | MiTuple | MiValue[];
export interface MiTuple {
  [key: string]: MiValue;
}

export type MiRecord =
  | { kind: "result"; token?: number; class: string; results: MiTuple }
  | { kind: "exec" | "status" | "notify"; token?: number; class: string; results: MiTuple }
  | { kind: "console" | "target-stream" | "log"; text: string }
  | { kind: "prompt" }
  | { kind: "target"; text: string };

const ASYNC_KINDS: Record<string, "exec" | "status" | "notify"> = {
  "*": "exec",
  "+": "status",
  "=": "notify",
};
const STREAM_KINDS: Record<string, "console" | "target-stream" | "log"> = {
  "~": "console",
  "@": "target-stream",
  "&": "log",
};

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}
  peek(): string {
    return this.text[this.pos];
  }
  eat(ch: string): void {
    if (this.text[this.pos] !== ch) throw new SyntaxError(`expected '${ch}' at ${this.pos}`);
    this.pos++;
  }
  get done(): boolean {
    return this.pos >= this.text.length;
  }
}

const utf8 = new TextDecoder();
const toUtf8 = new TextEncoder();

/** The byte a simple escape stands for (`\n`, `\t`, ...). */
const SIMPLE_ESCAPES: Record<string, number> = {
  n: 10,
  t: 9,
  r: 13,
  e: 27,
  a: 7,
  b: 8,
  f: 12,
  v: 11,
};

const isOctal = (ch: string | undefined) => ch !== undefined && ch >= "0" && ch <= "7";

/**
 * Parse a C string starting at the cursor's opening quote.
 *
 * gdb writes bytes it deems unprintable as octal escapes (`\303\251` for "é"): those are
 * gathered as bytes and decoded as UTF-8 together with whatever non-ASCII text sits between
 * them, so a character split across escapes comes out whole. Runs of plain text are sliced
 * as they are (a 9 KB answer is a handful of slices, not 9,000 encodings).
 */
function parseCString(c: Cursor): string {
  c.eat('"');
  const text = c.text;
  let out = "";
  /** Escaped bytes not yet decoded (and any non-ASCII text among them). */
  let bytes: number[] = [];
  const decodeBytes = () => {
    if (bytes.length === 0) return;
    out += utf8.decode(new Uint8Array(bytes));
    bytes = [];
  };
  let run = c.pos;
  while (c.pos < text.length) {
    const ch = text[c.pos];
    if (ch !== '"' && ch !== "\\") {
      // Non-ASCII text next to escaped bytes may complete their character: keep it with them.
      if (bytes.length && ch.charCodeAt(0) >= 0x80) {
        for (const b of toUtf8.encode(ch)) bytes.push(b);
        run = ++c.pos;
        continue;
      }
      if (bytes.length) decodeBytes();
      c.pos++;
      continue;
    }
    if (c.pos > run) out += text.slice(run, c.pos);
    if (ch === '"') {
      decodeBytes();
      c.pos++;
      return out;
    }
    const e = text[++c.pos];
    c.pos++;
    if (isOctal(e)) {
      let oct = e;
      while (oct.length < 3 && isOctal(text[c.pos])) oct += text[c.pos++];
      bytes.push(parseInt(oct, 8) & 0xff);
    } else {
      decodeBytes();
      const simple = SIMPLE_ESCAPES[e];
      out += simple === undefined ? (e ?? "") : String.fromCharCode(simple);
    }
    run = c.pos;
  }
  throw new SyntaxError("unterminated string");
}

function parseValue(c: Cursor): MiValue {
  const ch = c.peek();
  if (ch === '"') return parseCString(c);
  if (ch === "{") {
    c.eat("{");
    const t: MiTuple = {};
    if (c.peek() === "}") {
      c.eat("}");
      return t;
    }
    parseResults(c, t, "}");
    c.eat("}");
    return t;
  }
  if (ch === "[") {
    c.eat("[");
    const list: MiValue[] = [];
    while (c.peek() !== "]") {
      if (c.done) throw new SyntaxError("unterminated list");
      // A list holds values or results (name=value); keep results as one-key tuples.
      if (c.peek() === '"' || c.peek() === "{" || c.peek() === "[") {
        list.push(parseValue(c));
      } else {
        const name = parseName(c);
        c.eat("=");
        list.push({ [name]: parseValue(c) });
      }
      if (c.peek() === ",") c.eat(",");
    }
    c.eat("]");
    return list;
  }
  throw new SyntaxError(`unexpected '${ch}' at ${c.pos}`);
}

function parseName(c: Cursor): string {
  const start = c.pos;
  while (!c.done && /[A-Za-z0-9_-]/.test(c.text[c.pos])) c.pos++;
  if (c.pos === start) throw new SyntaxError(`expected a name at ${c.pos}`);
  return c.text.slice(start, c.pos);
}

function parseResults(c: Cursor, into: MiTuple, end?: string): void {
  const repeated = new Set<string>();
  while (!c.done && c.peek() !== end) {
    const name = parseName(c);
    c.eat("=");
    const value = parseValue(c);
    // gdb repeats a name for some lists (e.g. bkpt=...,bkpt=...): keep every value.
    if (repeated.has(name)) {
      (into[name] as MiValue[]).push(value);
    } else if (name in into) {
      into[name] = [into[name], value];
      repeated.add(name);
    } else {
      into[name] = value;
    }
    if (c.peek() === ",") c.eat(",");
    else break;
  }
}

/** Parse one line of gdb's MI output (without its newline). */
export function parseMiLine(line: string): MiRecord {
  const text = line.endsWith("\r") ? line.slice(0, -1) : line;
  if (text === "(gdb) " || text === "(gdb)") return { kind: "prompt" };
  try {
    return parseRecord(text) ?? { kind: "target", text };
  } catch {
    return { kind: "target", text };
  }
}

function parseRecord(text: string): MiRecord | undefined {
  const c = new Cursor(text);
  const first = text[0];
  if (first in STREAM_KINDS) {
    if (text[1] !== '"') return undefined;
    c.pos = 1;
    const s = parseCString(c);
    if (!c.done) return undefined;
    return { kind: STREAM_KINDS[first], text: s };
  }
  let token: number | undefined;
  while (!c.done && c.peek() >= "0" && c.peek() <= "9") c.pos++;
  if (c.pos > 0) token = Number(text.slice(0, c.pos));
  const marker = c.peek();
  if (marker !== "^" && !(marker in ASYNC_KINDS)) return undefined;
  c.pos++;
  const cls = parseName(c);
  if (marker === "^" && !["done", "running", "connected", "error", "exit"].includes(cls)) {
    return undefined;
  }
  const results: MiTuple = {};
  if (c.peek() === ",") {
    c.eat(",");
    parseResults(c, results);
  }
  if (!c.done) return undefined;
  if (marker === "^") return { kind: "result", token, class: cls, results };
  return { kind: ASYNC_KINDS[marker], token, class: cls, results };
}

/**
 * Target output printed without a newline can end up glued in front of an MI
 * record on the same line (`hello*stopped,reason=...`). Split such a line
 * into the program's text and the record, when the rest is a known record.
 */
export function splitGlued(line: string): { target: string; record: MiRecord } | undefined {
  const re =
    /(\d*[\^*=+](?:done|running|error|exit|connected|stopped|thread-|library-|breakpoint-|cmd-param|memory-changed|record-|traceframe|tsv-)|[~@&]")/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    if (m.index === 0) continue;
    const record = parseMiLine(line.slice(m.index));
    if (record.kind !== "target") return { target: line.slice(0, m.index), record };
  }
  return undefined;
}

/** A string field of a tuple, or undefined. */
export function str(t: MiTuple | undefined, key: string): string | undefined {
  const v = t?.[key];
  return typeof v === "string" ? v : undefined;
}

/** A tuple field of a tuple, or undefined. */
export function tuple(t: MiTuple | undefined, key: string): MiTuple | undefined {
  const v = t?.[key];
  return v !== undefined && typeof v === "object" && !Array.isArray(v) ? v : undefined;
}
