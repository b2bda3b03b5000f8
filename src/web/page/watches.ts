/**
 * A page's watch list: expressions its user wants evaluated at every stop, kept with the
 * page (sessionStorage) across reloads. The list, its limits and its stored form; the pane
 * and the evaluation are elsewhere. Pure.
 */

/** Enough for any screen; a stored list longer than this is cut. */
export const MAX_WATCHES = 50;
/** An expression longer than this is not a watch (the command line takes anything). */
export const MAX_EXPRESSION = 500;

export class Watches {
  #items: string[];

  constructor(items: string[] = []) {
    this.#items = items.filter(valid).slice(0, MAX_WATCHES);
  }

  get items(): string[] {
    return [...this.#items];
  }

  /** Add an expression (trimmed); false if empty, too long, a duplicate, or the list is full. */
  add(expression: string): boolean {
    const e = expression.trim();
    if (!valid(e) || this.#items.includes(e) || this.#items.length >= MAX_WATCHES) return false;
    this.#items.push(e);
    return true;
  }

  remove(expression: string): void {
    this.#items = this.#items.filter((e) => e !== expression);
  }

  /** The stored form. */
  serialize(): string {
    return JSON.stringify(this.#items);
  }

  /** From the stored form; anything unreadable is an empty list. */
  static parse(text: string | null): Watches {
    try {
      const v: unknown = JSON.parse(text ?? "[]");
      return new Watches(Array.isArray(v) ? v.filter((e) => typeof e === "string") : []);
    } catch {
      return new Watches();
    }
  }
}

function valid(e: string): boolean {
  return e.length > 0 && e.length <= MAX_EXPRESSION && !/[\r\n]/.test(e);
}
