/**
 * Where things are in a TOML source: smol-toml gives values without
 * positions, so this scans the text for table headers, keys and the string
 * elements of arrays, good enough to point at the line of every problem.
 * Pure.
 */

export interface Position {
  line: number;
  col: number;
}

export interface Locations {
  /** Position of a path such as `nodes.alice.connect`, `nodes.target.listen[1]`, `nodes.target`. */
  at(path: string): Position | undefined;
  /** Table headers defined more than once: the second definition, and the first's line. */
  duplicates: { path: string; at: Position; firstLine: number }[];
}

const KEY =
  /^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=/;
const HEADER = /^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$/;

function splitKey(key: string): string[] {
  return key.split(/\s*\.\s*/).map((k) => k.replace(/^["']|["']$/g, ""));
}

export function locate(text: string): Locations {
  const map = new Map<string, Position>();
  const duplicates: Locations["duplicates"] = [];
  const lines = text.split("\n");
  let table: string[] = [];
  const set = (path: string, pos: Position) => {
    if (!map.has(path)) map.set(path, pos);
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const header = HEADER.exec(line);
    if (header && !line.trimStart().startsWith("[[")) {
      table = splitKey(header[1]);
      const path = table.join(".");
      const pos = { line: i + 1, col: line.indexOf("[") + 1 };
      const first = map.get(path);
      if (first) duplicates.push({ path, at: pos, firstLine: first.line });
      else set(path, pos);
      continue;
    }
    const key = KEY.exec(line);
    if (!key) continue;
    const keyPath = [...table, ...splitKey(key[1])];
    const path = keyPath.join(".");
    set(path, { line: i + 1, col: line.indexOf(key[1].trim()[0]) + 1 });
    // Implicit tables from dotted keys (nodes.x.host = ...) locate their node too.
    for (let n = table.length + 1; n < keyPath.length; n++) {
      set(keyPath.slice(0, n).join("."), { line: i + 1, col: line.indexOf(key[1].trim()[0]) + 1 });
    }
    scanValue(lines, i, key[0].length, path, set);
  }
  return { at: (path) => map.get(path), duplicates };
}

/** Record positions inside a value: array string elements (path[i]) and inline-table keys (path.key). */
function scanValue(
  lines: string[],
  startLine: number,
  startCol: number,
  path: string,
  set: (path: string, pos: Position) => void,
): void {
  const stack: { kind: "[" | "{"; path: string; index: number }[] = [];
  let l = startLine;
  let c = startCol;
  let expectKey = false;
  while (l < lines.length) {
    const line = lines[l];
    while (c < line.length) {
      const ch = line[c];
      if (ch === "#") {
        c = line.length;
        break;
      }
      if (ch === "[" || ch === "{") {
        const top = stack.at(-1);
        const inner = top?.kind === "[" ? `${top.path}[${top.index}]` : path;
        stack.push({ kind: ch, path: stack.length === 0 ? path : inner, index: 0 });
        expectKey = ch === "{";
        c++;
        continue;
      }
      if (ch === "]" || ch === "}") {
        stack.pop();
        if (stack.length === 0) return;
        c++;
        continue;
      }
      if (ch === ",") {
        const top = stack.at(-1);
        if (top?.kind === "[") top.index++;
        if (top?.kind === "{") expectKey = true;
        c++;
        continue;
      }
      const top = stack.at(-1);
      if (top?.kind === "{" && expectKey && /[A-Za-z0-9_"'-]/.test(ch)) {
        const m = /^([A-Za-z0-9_-]+|"[^"]*"|'[^']*')\s*=/.exec(line.slice(c));
        if (m) {
          const key = m[1].replace(/^["']|["']$/g, "");
          set(`${top.path}.${key}`, { line: l + 1, col: c + 1 });
          c += m[0].length;
          expectKey = false;
          // A nested value under this key: scan it with the key's path.
          const keyPath = `${top.path}.${key}`;
          const rest = line.slice(c).trimStart();
          if (rest.startsWith("[") || rest.startsWith("{")) {
            c = line.indexOf(rest[0], c);
            stack.push({ kind: rest[0] as "[" | "{", path: keyPath, index: 0 });
            expectKey = rest[0] === "{";
            c++;
          }
          continue;
        }
      }
      if (ch === '"' || ch === "'") {
        if (top?.kind === "[") set(`${top.path}[${top.index}]`, { line: l + 1, col: c + 1 });
        if (stack.length === 0) return;
        c = skipString(line, c);
        continue;
      }
      if (stack.length === 0 && !/\s/.test(ch)) return; // a scalar value
      c++;
    }
    if (stack.length === 0) return;
    l++;
    c = 0;
  }
}

function skipString(line: string, start: number): number {
  const quote = line[start];
  let c = start + 1;
  while (c < line.length && line[c] !== quote) c += quote === '"' && line[c] === "\\" ? 2 : 1;
  return c + 1;
}
