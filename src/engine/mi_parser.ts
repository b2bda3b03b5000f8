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

/** Parse a C string starting at the cursor's opening quote. */
function parseCString(c: Cursor): string {
  c.eat('"');
  const bytes: number[] = [];
  const pushText = (s: string) => bytes.push(...new TextEncoder().encode(s));
  while (!c.done) {
    const ch = c.text[c.pos++];
    if (ch === '"') return utf8.decode(new Uint8Array(bytes));
    if (ch !== "\\") {
      pushText(ch);
      continue;
    }
    const e = c.text[c.pos++];
    switch (e) {
      case "n":
        bytes.push(10);
        break;
      case "t":
        bytes.push(9);
        break;
      case "r":
        bytes.push(13);
        break;
      case "e":
        bytes.push(27);
        break;
      case "a":
        bytes.push(7);
        break;
      case "b":
        bytes.push(8);
        break;
      case "f":
        bytes.push(12);
        break;
      case "v":
        bytes.push(11);
        break;
      default:
        if (e >= "0" && e <= "7") {
          let oct = e;
          while (oct.length < 3 && c.text[c.pos] >= "0" && c.text[c.pos] <= "7") {
            oct += c.text[c.pos++];
          }
          bytes.push(parseInt(oct, 8) & 0xff);
        } else {
          pushText(e ?? "");
        }
    }
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
