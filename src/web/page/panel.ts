/**
 * The side panel's target view: where the target is (location, the source there, the stack),
 * for the frame selected since the stop. The source's line numbers set and clear breakpoints
 * (lines with one are marked); a click on a frame selects it for everyone. Both go to the
 * session through the hooks, as commands.
 */
import type { StopInfo } from "../../engine/engine.ts";
import type { Breakpoint } from "../../engine/inspect.ts";
import type { SelectedFrame } from "../../protocol/messages.ts";
import { breakpointsIn } from "./breakpoints.ts";
import { $, el } from "./dom.ts";
import { describeStop, stateBadge, stoppedPanel } from "./format.ts";

export interface PanelHooks {
  /** May this page act (an operator, on a server that takes act)? */
  canAct(): boolean;
  /** A click on `file:line`'s number. */
  toggleBreakpoint(file: string, line: number): void;
  /** A click on a frame of the stack. */
  selectFrame(level: number): void;
}

export interface Panel {
  /** A new state (a stop selects its own frame again, as gdb does). */
  showState(state: string, info?: StopInfo, selected?: SelectedFrame): void;
  /** Another frame was selected (a `selected` event). */
  select(selected: SelectedFrame): void;
  setBreakpoints(list: Breakpoint[]): void;
  /** The target's state as last shown. */
  readonly state: string;
  /** The selected frame's level while stopped. */
  readonly level: number;
}

/** A click, or Enter or Space on the focused element (line numbers and frames are keyboard-reachable). */
function onPress(e: HTMLElement, act: () => void) {
  e.addEventListener("click", act);
  e.addEventListener("keydown", (k) => {
    if (k.key !== "Enter" && k.key !== " ") return;
    k.preventDefault();
    act();
  });
}

export function createPanel(hooks: PanelHooks): Panel {
  let stop: { state: string; info: StopInfo } = { state: "idle", info: {} };
  let selected: SelectedFrame | undefined;
  let breakpoints: Breakpoint[] = [];
  let level = 0;

  function showStopped() {
    const view = stoppedPanel(stop.info, selected);
    level = view.level;
    $("location").textContent = view.location;
    $("location").title = view.title;
    const file = view.title;
    const marks = file ? breakpointsIn(breakpoints, file) : new Map<number, Breakpoint>();
    const acting = hooks.canAct();
    $("source").replaceChildren(
      ...view.source.map(({ n, text, here }) => {
        const bp = marks.get(n);
        const li = el(
          "li",
          [here ? "here" : "", bp ? (bp.enabled ? "bp" : "bp off") : ""].join(" ").trim(),
        );
        const num = el("span", "n", String(n));
        if (file && acting) {
          num.classList.add("toggle");
          num.setAttribute("role", "button");
          num.title = bp ? `clear breakpoint ${bp.id}` : `set a breakpoint at line ${n}`;
          num.tabIndex = 0;
          onPress(num, () => hooks.toggleBreakpoint(file, n));
        } else if (bp) num.title = `breakpoint ${bp.id}`;
        li.append(num, el("span", "text", text || " "));
        return li;
      }),
    );
    $("stack").replaceChildren(
      ...view.stack.map((f) => {
        const li = el("li", f.selected ? "selected" : "", f.text);
        if (acting && !f.selected) {
          li.classList.add("pick");
          li.title = `select frame #${f.level} for everyone (frame ${f.level})`;
          li.setAttribute("role", "button");
          li.tabIndex = 0;
          onPress(li, () => hooks.selectFrame(f.level));
        }
        return li;
      }),
    );
  }

  function showState(state: string, info: StopInfo = {}, sel?: SelectedFrame) {
    stop = { state, info };
    selected = sel;
    level = sel?.frame.level ?? 0;
    const badge = $("state");
    badge.dataset.state = state;
    badge.textContent = stateBadge(state, info);
    $("panel").classList.toggle("running", state === "running");
    if (state === "running") {
      $("location").textContent = "running…";
      return;
    }
    if (state !== "stopped") {
      $("location").textContent = state === "exited"
        ? describeStop(state, info).slice(3)
        : "not started";
      $("source").replaceChildren();
      $("stack").replaceChildren();
      return;
    }
    showStopped();
  }

  return {
    showState,
    select(sel) {
      if (stop.state !== "stopped") return;
      selected = sel;
      showStopped();
    },
    setBreakpoints(list) {
      breakpoints = list;
      if (stop.state === "stopped") showStopped();
    },
    get state() {
      return stop.state;
    },
    get level() {
      return level;
    },
  };
}
