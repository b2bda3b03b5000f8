/**
 * The breakpoints pane: the session's one set of breakpoints (whoever set them: a console's
 * `break`, another page's click), as the `breakpoints` event and welcome.breakpoints say.
 * An operator's × clears one, as a session command.
 */
import type { Breakpoint } from "../../engine/inspect.ts";
import { breakpointRow } from "./breakpoints.ts";
import { el } from "./dom.ts";

export interface BreakpointsPane {
  /** The list, or undefined when the server tells none (older than protocol 1.4). */
  show(list: Breakpoint[] | undefined, canAct: boolean): void;
}

export function createBreakpointsPane(
  root: HTMLElement,
  clear: (id: number) => void,
): BreakpointsPane {
  return {
    show(list, canAct) {
      if (!list) {
        root.replaceChildren(el("li", "dim", "not available: this server does not list them"));
        return;
      }
      if (!list.length) {
        root.replaceChildren(el("li", "dim", "none (click a line number to set one)"));
        return;
      }
      root.replaceChildren(...list.map((bp) => {
        const row = breakpointRow(bp);
        const li = el("li", row.enabled ? "" : "off");
        li.dataset.id = String(row.id);
        const where = el("span", "where", row.where);
        where.title = row.title;
        const state = el("span", "enabled", row.enabled ? "●" : "○");
        state.title = row.enabled ? "enabled" : "disabled";
        li.append(el("span", "id", `${row.id}`), state, where);
        if (row.condition) li.append(el("span", "cond", `if ${row.condition}`));
        if (row.note) li.append(el("span", "note", row.note));
        if (canAct) {
          const x = el("button", "clear", "×");
          x.type = "button";
          x.title = `clear breakpoint ${row.id} (for everyone)`;
          x.addEventListener("click", () => clear(row.id));
          li.append(x);
        }
        return li;
      }));
    },
  };
}
