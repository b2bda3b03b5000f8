/**
 * Where things are in a TOML source. smol-toml gives values without
 * positions, so this scans the text itself: table headers (`[nodes.x]`), keys
 * (`host = ...`, dotted `nodes.x.host = ...`, keys of inline tables) and the
 * elements of arrays (`listen[1]`, also across lines), each mapped to its
 * line and column. It also finds tables and keys defined twice, which TOML
 * forbids, so they can be reported by name and blanked out for a second parse
 * that finds every other problem of the file.
 *
 * It is not a TOML parser: it never fails, and on text it does not understand
 * it skips to the next line (the real parser reports the syntax error). Pure.
 */

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units (as smol-toml counts). */
  col: number;
}

/** A table or key defined a second time. */
export interface Duplicate {
  /** Dotted path, e.g. `nodes.target` or `nodes.target.host`. */
  path: string;
  kind: "table" | "key";
  /** The second definition. */
  at: Position;
  /** Line of the first definition. */
  firstLine: number;
}

export interface Locations {
  /**
   * Position of a path such as `nodes.alice.connect`, `nodes.target.listen[1]`,
   * `nodes.target.engine.program`, `nodes.target` (its header or first key). The
   * first definition wins.
   */
  at(path: string): Position | undefined;
  /** Tables and keys defined more than once, in file order. */
  duplicates: Duplicate[];
  /**
   * The source with every duplicate definition (a whole `[table]` section, or one
   * `key = value`) replaced by spaces, newlines kept: same lines and columns, and
   * TOML that no longer trips over the duplicates.
   */
  withoutDuplicates: string;
}

const BARE = /[A-Za-z0-9_-]/;

export function locate(text: string): Locations {
  const n = text.length;
  const lineStarts = [0];
  for (let i = 0; i < n; i++) if (text[i] === "\n") lineStarts.push(i + 1);

  const position = (offset: number): Position => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - lineStarts[lo] + 1 };
  };

  const map = new Map<string, Position>();
  const set = (path: string, offset: number) => {
    if (!map.has(path)) map.set(path, position(offset));
  };

  // ---- lexical helpers (all return an offset) ----
  const skipWs = (i: number) => {
    while (i < n && (text[i] === " " || text[i] === "\t" || text[i] === "\r")) i++;
    return i;
  };
  const endOfLine = (i: number) => {
    while (i < n && text[i] !== "\n") i++;
    return i;
  };
  /** Whitespace, newlines and comments (between array elements). */
  const skipBlank = (i: number) => {
    for (;;) {
      i = skipWs(i);
      if (text[i] === "#") i = endOfLine(i);
      else if (text[i] === "\n") i++;
      else return i;
    }
  };
  /** A string starting at i (any of the four kinds); the offset after it. */
  const skipString = (i: number): number => {
    const q = text[i];
    const escapes = q === '"';
    if (text.startsWith(q.repeat(3), i)) {
      let j = i + 3;
      while (j < n && !text.startsWith(q.repeat(3), j)) j += escapes && text[j] === "\\" ? 2 : 1;
      return j >= n ? n : j + 3 + countQuotes(j + 3, q);
    }
    let j = i + 1;
    while (j < n && text[j] !== q && text[j] !== "\n") j += escapes && text[j] === "\\" ? 2 : 1;
    return text[j] === q ? j + 1 : j;
  };
  /** Up to two extra quotes may close a multi-line string (`""""` ends with a quote in it). */
  const countQuotes = (i: number, q: string) => {
    let k = 0;
    while (k < 2 && text[i + k] === q) k++;
    return k;
  };
  /** A dotted key starting at i: its segments and the offset after it, or undefined. */
  const parseKey = (i: number): { segments: string[]; end: number } | undefined => {
    const segments: string[] = [];
    for (;;) {
      i = skipWs(i);
      if (text[i] === '"' || text[i] === "'") {
        const end = skipString(i);
        if (text[end - 1] !== text[i] || end - i < 2) return undefined;
        segments.push(unquote(text.slice(i, end)));
        i = end;
      } else {
        const start = i;
        while (i < n && BARE.test(text[i])) i++;
        if (i === start) return undefined;
        segments.push(text.slice(start, i));
      }
      const after = skipWs(i);
      if (text[after] !== ".") return { segments, end: i };
      i = after + 1;
    }
  };

  /** Record positions inside a value starting at i (array elements, inline-table keys); its end. */
  const scanValue = (i: number, path: string, depth: number): number => {
    if (depth > 64) return endOfLine(i);
    const ch = text[i];
    if (ch === '"' || ch === "'") return skipString(i);
    if (ch === "[") {
      i++;
      for (let index = 0;; index++) {
        i = skipBlank(i);
        if (i >= n) return n;
        if (text[i] === "]") return i + 1;
        const element = `${path}[${index}]`;
        set(element, i);
        const end = scanValue(i, element, depth + 1);
        if (end === i) return i; // not a value: give up on this array
        i = skipBlank(end);
        if (text[i] === ",") i++;
        else return text[i] === "]" ? i + 1 : i;
      }
    }
    if (ch === "{") {
      i++;
      for (;;) {
        i = skipBlank(i);
        if (text[i] === "}") return i + 1;
        const key = parseKey(i);
        if (!key) return i;
        const keyPath = [path, ...key.segments];
        for (let k = 2; k <= keyPath.length; k++) set(keyPath.slice(0, k).join("."), i);
        const eq = skipWs(key.end);
        if (text[eq] !== "=") return eq;
        const start = skipWs(eq + 1);
        const end = scanValue(start, keyPath.join("."), depth + 1);
        if (end === start) return start;
        i = skipBlank(end);
        if (text[i] === ",") i++;
        else return text[i] === "}" ? i + 1 : i;
      }
    }
    // A scalar: number, boolean, date (which may hold a space).
    let j = i;
    while (j < n && !",]}#\n".includes(text[j])) j++;
    while (j > i && /\s/.test(text[j - 1])) j--;
    return j;
  };

  // ---- statements ----
  const duplicates: Duplicate[] = [];
  /** Paths defined explicitly (a header, or a key given a value): their line. */
  const defined = new Map<string, number>();
  /** Tables made implicitly by dotted keys: a header may not reopen them. */
  const dotted = new Map<string, number>();
  const blanks: [number, number][] = [];
  let table: string[] = [];
  /** Start of the duplicate [table] section being skipped, if any. */
  let skipping: number | undefined;

  let i = 0;
  while (i < n) {
    i = skipBlank(i);
    if (i >= n) break;
    const start = i;
    if (text[i] === "[") {
      if (skipping !== undefined) blanks.push([skipping, start]);
      skipping = undefined;
      const arrayOfTables = text[i + 1] === "[";
      const key = parseKey(i + (arrayOfTables ? 2 : 1));
      if (key) {
        table = key.segments;
        const path = table.join(".");
        const first = arrayOfTables ? undefined : defined.get(path) ?? dotted.get(path);
        if (first !== undefined) {
          duplicates.push({ path, kind: "table", at: position(start), firstLine: first });
          skipping = start;
        } else {
          set(path, start);
          if (!arrayOfTables) defined.set(path, position(start).line);
        }
      }
      i = endOfLine(i);
      continue;
    }
    const key = parseKey(i);
    const eq = key ? skipWs(key.end) : i;
    if (!key || text[eq] !== "=") {
      i = endOfLine(i);
      continue;
    }
    const full = [...table, ...key.segments];
    const path = full.join(".");
    const valueStart = skipWs(eq + 1);
    const end = scanValue(valueStart, path, 0);
    if (skipping === undefined) {
      const first = defined.get(path);
      if (first !== undefined) {
        duplicates.push({ path, kind: "key", at: position(start), firstLine: first });
        blanks.push([start, end]);
      } else {
        defined.set(path, position(start).line);
        for (let k = table.length + 1; k < full.length; k++) {
          const p = full.slice(0, k).join(".");
          set(p, start);
          if (!dotted.has(p)) dotted.set(p, position(start).line);
        }
        set(path, start);
      }
    }
    i = endOfLine(Math.max(end, valueStart));
  }
  if (skipping !== undefined) blanks.push([skipping, n]);

  let withoutDuplicates = text;
  for (const [from, to] of blanks.reverse()) {
    withoutDuplicates = withoutDuplicates.slice(0, from) +
      withoutDuplicates.slice(from, to).replace(/[^\n]/g, " ") + withoutDuplicates.slice(to);
  }
  return { at: (path) => map.get(path), duplicates, withoutDuplicates };
}

function unquote(quoted: string): string {
  const body = quoted.slice(1, -1);
  if (quoted[0] === "'") return body;
  try {
    return JSON.parse(`"${body}"`);
  } catch {
    return body;
  }
}
