/**
 * The variables pane: the selected frame's scopes (locals, arguments...) as a tree, structures
 * expanded on a click and read only then (their refs are valid until the target resumes). Every
 * read is an inspect question, answered to this page alone; answers for an older stop or frame
 * are dropped, so the tree never mixes two stops. What the user opened or closed stays so at the
 * next stop (by its path of names), as in editors: a struct being watched is not folded by a step.
 */
import type { InspectAnswer, InspectQuery, Variable } from "../../engine/inspect.ts";
import { el } from "./dom.ts";
import { inspectProblem } from "./inspect_words.ts";

export type Ask = (q: InspectQuery) => Promise<InspectAnswer>;

export interface VariablesPane {
  /** The target stopped, or another frame was selected: read the scopes of `level`. */
  show(level: number): void;
  /** Not stopped: nothing to read (`why` says so). */
  clear(why: string): void;
}

/** Scopes open at first: the innermost names people look at. */
const OPEN_SCOPES = /^(locals?|arguments|args)$/i;

export function createVariablesPane(root: HTMLElement, ask: Ask): VariablesPane {
  let generation = 0;
  /** The user's choice per path ("locals/pt"): open or closed; absent: the default. */
  const chosen = new Map<string, boolean>();

  const note = (text: string, cls = "dim") => root.replaceChildren(el("div", cls, text));

  /** One node: name = value, its type in the tooltip; with children a toggle that reads them. */
  function node(
    v: { name: string; value?: string; type?: string; ref: number },
    gen: number,
    path: string,
    openByDefault = false,
  ) {
    const li = el("li", "var");
    li.dataset.name = v.name;
    const row = el("div", "row");
    const twisty = el("span", "twisty", v.ref > 0 ? "▸" : " ");
    row.append(twisty, el("span", "name", v.name));
    // A group without a value of its own (a scope, Python's "special variables") shows none.
    if (v.value) row.append(el("span", "eq", " = "), el("span", "value", v.value));
    if (v.type) row.title = v.type;
    li.append(row);
    if (v.ref > 0) {
      li.classList.add("expandable");
      let children: HTMLElement | undefined;
      const expand = () => {
        if (children) {
          const open = children.hidden === true;
          children.hidden = !open;
          twisty.textContent = open ? "▾" : "▸";
          li.classList.toggle("open", open);
          return open;
        }
        children = el("ul", "children");
        li.append(children);
        twisty.textContent = "▾";
        li.classList.add("open");
        void fill(children, v.ref, gen, path);
        return true;
      };
      row.addEventListener("click", () => chosen.set(path, expand()));
      if (chosen.get(path) ?? openByDefault) expand();
    }
    return li;
  }

  async function fill(list: HTMLElement, ref: number, gen: number, path: string) {
    list.replaceChildren(el("li", "dim", "…"));
    try {
      const a = await ask({ what: "variables", ref });
      if (gen !== generation) return;
      const vars: Variable[] = a.what === "variables" ? a.variables : [];
      list.replaceChildren(
        ...(vars.length
          ? vars.map((v) => node(v, gen, `${path}/${v.name}`))
          : [el("li", "dim", "(none)")]),
      );
    } catch (err) {
      if (gen === generation) list.replaceChildren(el("li", "failed", inspectProblem(err)));
    }
  }

  return {
    async show(level) {
      const gen = ++generation;
      try {
        const a = await ask({ what: "scopes", frame: level });
        if (gen !== generation) return;
        const scopes = a.what === "scopes" ? a.scopes : [];
        if (!scopes.length) return note("no variables in this frame");
        const tree = el("ul", "tree");
        root.replaceChildren(tree);
        for (const [i, scope] of scopes.entries()) {
          const open = OPEN_SCOPES.test(scope.name) || i === 0;
          const li = node({ name: scope.name, ref: scope.ref }, gen, scope.name, open);
          li.classList.add("scope");
          tree.append(li);
        }
      } catch (err) {
        if (gen === generation) note(inspectProblem(err));
      }
    },
    clear(why) {
      generation++;
      note(why);
    },
  };
}
