/**
 * The watch list pane: this page's expressions (kept for this tab), each evaluated in the
 * selected frame at every stop and selection, answered to this page alone. Evaluation has no
 * side effects and nobody else sees it.
 */
import { el } from "./dom.ts";
import { inspectProblem } from "./inspect_words.ts";
import type { Ask } from "./variables.ts";
import { Watches } from "./watches.ts";

export interface WatchesPane {
  /** Evaluate every watch in frame `level` (the target stopped, or a frame was selected). */
  evaluate(level: number): void;
  /** Not stopped: the values are gone until the next stop. */
  clear(why: string): void;
}

export function createWatchesPane(
  root: HTMLElement,
  form: HTMLFormElement,
  input: HTMLInputElement,
  ask: Ask,
  keep: { load(): string | null; save(text: string): void },
): WatchesPane {
  const watches = Watches.parse(keep.load());
  let generation = 0;
  let last: { level: number } | { why: string } = { why: "not stopped" };

  function render() {
    const gen = ++generation;
    if (!watches.items.length) {
      root.replaceChildren(el("li", "dim", "no watches: add an expression below"));
      return;
    }
    root.replaceChildren(...watches.items.map((expression) => {
      const li = el("li", "watch");
      const value = el("span", "value dim", "level" in last ? "…" : last.why);
      const x = el("button", "clear", "×");
      x.type = "button";
      x.title = "remove this watch";
      x.addEventListener("click", () => {
        watches.remove(expression);
        keep.save(watches.serialize());
        render();
      });
      li.append(el("span", "name", expression), el("span", "eq", " = "), value, x);
      if ("level" in last) void fill(value, expression, last.level, gen);
      return li;
    }));
  }

  async function fill(value: HTMLElement, expression: string, level: number, gen: number) {
    try {
      const a = await ask({ what: "evaluate", expression, frame: level });
      if (gen !== generation) return;
      if (a.what !== "evaluate") return;
      value.className = "value";
      value.textContent = a.result.value;
      if (a.result.type) value.title = a.result.type;
    } catch (err) {
      if (gen !== generation) return;
      value.className = "value failed";
      value.textContent = inspectProblem(err);
    }
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (watches.add(input.value)) {
      input.value = "";
      keep.save(watches.serialize());
      render();
    }
  });
  render();

  return {
    evaluate(level) {
      last = { level };
      render();
    },
    clear(why) {
      last = { why };
      render();
    },
  };
}
