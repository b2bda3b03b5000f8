/**
 * The browser client, the entry of the page's bundle (/app.js, built by bun from this module
 * and what it imports: `deno task build:page`): the login, the live transcript, the command
 * line, the debugging toolbar and the side panel's panes, over one WebSocket that carries the
 * native protocol (protocol.ts). What the toolbar, a line number or a frame does goes to the
 * session as a command with this page's name on it; what the panes read is asked outside the
 * transcript. Text reaches the page only through textContent.
 */
import type { Breakpoint } from "../../engine/inspect.ts";
import type { ClientInfo, SessionEvent, Welcome } from "../../protocol/messages.ts";
import { leavesSession } from "../../protocol/leave.ts";
import { plural, toggleAt } from "./breakpoints.ts";
import { createBreakpointsPane } from "./breakpoints_pane.ts";
import { showClients } from "./clients.ts";
import { $, el } from "./dom.ts";
import { History, mayCommand, serverTitle, updateClients, validName } from "./format.ts";
import { createJoiner } from "./join.ts";
import { createPanel } from "./panel.ts";
import type { PageClient } from "./protocol.ts";
import { createStore } from "./store.ts";
import { toolAction, toolbarState, toolForKey, TOOLS } from "./toolbar.ts";
import { createTranscript } from "./transcript.ts";
import { createVariablesPane } from "./variables.ts";
import { createWatchesPane } from "./watches_pane.ts";

const store = createStore(() => localStorage);
const tabStore = createStore(() => sessionStorage);
const history = new History(JSON.parse(store.get("history") ?? "[]"));

let client: PageClient | undefined;
let welcome: Welcome | undefined;
let clients: ClientInfo[] = [];
/** undefined: the server tells none (older than 1.4). */
let breakpoints: Breakpoint[] | undefined;
let ended = false;

const transcript = createTranscript($("transcript"), () => welcome?.you);
const observer = () => !mayCommand(welcome);
const canAct = () => !!client?.joined && !ended && !observer() && client.canInspect;
const ask = (q: Parameters<PageClient["inspect"]>[0]) =>
  client ? client.inspect(q) : Promise.reject(new Error("not connected"));

const panel = createPanel({
  canAct,
  toggleBreakpoint: (file, line) => client?.act(toggleAt(breakpoints ?? [], file, line)),
  selectFrame: (level) => client?.act({ do: "frame", level }),
});
const variables = createVariablesPane($("variables"), ask);
const watches = createWatchesPane(
  $("watches"),
  $<HTMLFormElement>("watch-form"),
  $<HTMLInputElement>("watch-input"),
  ask,
  { load: () => tabStore.get("watches"), save: (t) => tabStore.set("watches", t) },
);
const bpPane = createBreakpointsPane($("breakpoints"), (id) => client?.act({ do: "clear", id }));

// ---- toolbar ------------------------------------------------------------

for (const t of TOOLS) {
  const b = el("button", "tool", t.label);
  b.type = "button";
  b.id = t.tool === "interrupt" ? "interrupt" : `tool-${t.tool}`;
  b.dataset.tool = t.tool;
  b.disabled = true;
  b.addEventListener("click", () => press(t.tool));
  $("toolbar").append(b);
}

function press(tool: (typeof TOOLS)[number]["tool"]) {
  if (!client?.joined) return;
  if (tool === "interrupt") client.interrupt();
  else if (canAct()) client.act(toolAction(tool));
}

function refreshToolbar() {
  const states = toolbarState({
    joined: !!client?.joined && !ended,
    observer: observer(),
    canAct: !!client?.canInspect,
    state: panel.state,
  });
  for (const b of $("toolbar").querySelectorAll<HTMLButtonElement>("button")) {
    const s = states[b.dataset.tool as keyof typeof states];
    b.disabled = !s.enabled;
    b.title = s.title;
  }
  return states;
}

// ---- the panes follow the target --------------------------------------------

/** Re-read what depends on the stop and the selected frame. */
function refreshPanes() {
  refreshToolbar();
  bpPane.show(breakpoints, canAct());
  if (panel.state !== "stopped") {
    const why = panel.state === "running" ? "running…" : "not stopped";
    variables.clear(why);
    watches.clear(why);
    return;
  }
  if (!client?.canInspect) {
    const why = "not available: this server is older than the panes (protocol 1.4)";
    variables.clear(why);
    watches.clear(why);
    return;
  }
  variables.show(panel.level);
  watches.evaluate(panel.level);
}

function setBreakpoints(list: Breakpoint[]) {
  breakpoints = list;
  panel.setBreakpoints(list);
  bpPane.show(list, canAct());
}

function joined(w: Welcome, c: PageClient, name: string) {
  client = c;
  welcome = w;
  ended = false;
  store.set("name", name);
  const title = serverTitle(w.server);
  $("server").textContent = `${title}: ${w.server.engine}`;
  $("server").title = $("server").textContent;
  $("me").textContent = `${name}@browser${observer() ? " (observer)" : ""}`;
  $("prompt").textContent = `${name}@browser>`;
  transcript.clear();
  transcript.line("notice", `*** connected to ${title}: ${w.server.engine}`);
  if (w.warning) transcript.line("notice", `*** warning: ${w.warning}`);
  if (w.scrollback.length) {
    transcript.divider(`recent output (${plural(w.scrollback.length, "event")})`);
    for (const e of w.scrollback) transcript.show(e);
    transcript.divider("live");
  }
  clients = w.clients;
  showClients(clients, w.you);
  breakpoints = w.breakpoints ?? (c.canInspect ? [] : undefined);
  panel.setBreakpoints(breakpoints ?? []);
  panel.showState(w.state, w.info, w.selected);
  refreshPanes();
  if (!observer()) $("cmd").focus();
}

function onEvent(e: SessionEvent) {
  transcript.show(e);
  if (e.t === "state") {
    panel.showState(e.state, e.info);
    refreshPanes();
  }
  if (e.t === "selected" && panel.state === "stopped") {
    panel.select({ frame: e.frame, source: e.source });
    refreshPanes();
  }
  if (e.t === "notice") {
    clients = updateClients(clients, e);
    showClients(clients, welcome?.you);
  }
}

const joiner = createJoiner({
  store,
  joined,
  event: onEvent,
  breakpoints: setBreakpoints,
  ended(reason) {
    ended = true;
    document.body.classList.add("ended");
    $("ended-text").textContent = reason || "Disconnected from the session.";
    $("state").textContent = "disconnected";
    $("state").dataset.state = "exited";
    refreshToolbar();
  },
});

// ---- input --------------------------------------------------------------

const cmd = $<HTMLInputElement>("cmd");

$("cmdline").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = cmd.value.trim();
  cmd.value = "";
  if (!text || !client?.joined) return;
  history.add(text);
  store.set("history", JSON.stringify(history.items.slice(-200)));
  if (leavesSession(text)) joiner.leave();
  else client.command(text);
});
cmd.addEventListener("keydown", (e) => {
  if (e.key === "ArrowUp") {
    e.preventDefault();
    cmd.value = history.up(cmd.value);
  } else if (e.key === "ArrowDown") {
    e.preventDefault();
    cmd.value = history.down();
  }
});
document.addEventListener("keydown", (e) => {
  if (!client?.joined) return;
  // Ctrl+C interrupts, unless it copies a selection.
  if (e.ctrlKey && !e.shiftKey && !e.altKey && e.key.toLowerCase() === "c") {
    const selection = String(globalThis.getSelection?.() ?? "") ||
      (document.activeElement === cmd && cmd.selectionStart !== cmd.selectionEnd);
    if (!selection) {
      e.preventDefault();
      client.interrupt();
    }
    return;
  }
  // F5, F10, F11, Shift+F11 as in editors, while the button may be pressed.
  const tool = e.ctrlKey || e.altKey || e.metaKey ? undefined : toolForKey(e);
  if (tool && refreshToolbar()[tool].enabled) {
    e.preventDefault();
    press(tool);
  }
});
// The program's own terminal: a line as typed (an empty one too), or end of input.
$("inputline").addEventListener("submit", (e) => {
  e.preventDefault();
  const input = $<HTMLInputElement>("target-input");
  const line = input.value;
  input.value = "";
  if (client?.joined) client.command(line === "" ? ".input" : `.input ${line}`);
});
$("target-eof").addEventListener("click", () => client?.joined && client.command(".eof"));

joiner.boot(validName);
