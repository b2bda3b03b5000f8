/**
 * The page's two DOM helpers: find an element of index.html, make one. Text reaches the page
 * only as textContent (never as HTML), so nothing a debugger prints can become markup.
 */

/** The element with this id; index.html has every id the page's modules ask for. */
export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`index.html has no #${id}`);
  return e as T;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
