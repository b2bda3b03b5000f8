/**
 * A lab's problems as they are found, each placed at file:line:col by the path of
 * the value it is about (nodes.NAME.listen[1]): every check adds here, and the
 * lab is refused once, with all of them.
 */
import { TopologyError, type TopologyProblem } from "../errors.ts";
import type { Locations } from "./locate.ts";

export type Table = Record<string, unknown>;

export function isTable(v: unknown): v is Table {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

export function typeName(v: unknown): string {
  if (Array.isArray(v)) return "an array";
  if (isTable(v)) return "a table";
  return `a ${typeof v}`;
}

export class Problems {
  readonly list: TopologyProblem[] = [];
  constructor(readonly file: string, readonly where: Locations) {}

  /** Add a problem at `path` (or the nearest enclosing path that was found). */
  add(path: string, message: string, hint?: string): void {
    let p: string | undefined = path;
    let pos = this.where.at(p);
    while (!pos && p) {
      p = p.includes("[")
        ? p.replace(/\[\d+\]$/, "")
        : p.includes(".")
        ? p.replace(/\.[^.]*$/, "")
        : undefined;
      pos = p ? this.where.at(p) : undefined;
    }
    this.list.push({ file: this.file, line: pos?.line ?? 1, col: pos?.col ?? 1, message, hint });
  }

  /** All problems, in file order. */
  error(): TopologyError {
    return new TopologyError(this.list.toSorted((a, b) => a.line - b.line || a.col - b.col));
  }
}
