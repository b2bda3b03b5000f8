// The browser client: the login, the live transcript, the command line and
// the side panel, over one WebSocket that carries the native protocol
// (protocol.ts). Text reaches the page only through textContent.
// The entry of the page's bundle (scripts/build_page.ts): it and the TypeScript
// modules it imports, shared with the server and the console, become /app.js.

import { parsePageControl } from "../control.ts";
import { createProver } from "./crypto.ts";
import {
  describeStop,
  History,
  mayCommand,
  stateBadge,
  stoppedPanel,
  updateClients,
  validName,
  whoText,
} from "./format.ts";
import { createClient } from "./protocol.ts";

const $ = (id) => document.getElementById(id);
const MAX_TRANSCRIPT_NODES = 20_000;
const store = {
  get: (k) => {
    try {
      return localStorage.getItem(`dbgremote.${k}`);
    } catch {
      return null;
    }
  },
  set: (k, v) => {
    try {
      localStorage.setItem(`dbgremote.${k}`, v);
    } catch {
      // private mode: nothing kept
    }
  },
};

let status; // /api/status
let client;
let socket;
let welcome;
let clients = [];
let stop = { state: "idle", info: {} }; // the last state, for the panel
let selected; // the frame up/down/frame N selected since the stop: {frame, source?}
let closingReason;
let left = false;
const history = new History(JSON.parse(store.get("history") ?? "[]"));

function view(name, extra = {}) {
  document.body.className = name;
  for (const [cls, on] of Object.entries(extra)) document.body.classList.toggle(cls, on);
  if (status?.signedIn) document.body.classList.add("signed-in");
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

// ---- transcript ---------------------------------------------------------

const transcript = $("transcript");
let lastOut; // the span output is appended to while a stream goes on
const erred = new Set(); // commands whose error text was shown

function atBottom() {
  return transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 40;
}

function append(node) {
  const stick = atBottom();
  transcript.append(node);
  while (transcript.childNodes.length > MAX_TRANSCRIPT_NODES) transcript.firstChild.remove();
  if (stick) transcript.scrollTop = transcript.scrollHeight;
}

/** Start a new line unless the transcript is at the start of one (output may end mid-line). */
function newline() {
  const last = transcript.lastChild;
  if (!last || last.classList?.contains("divider") || last.textContent.endsWith("\n")) return;
  transcript.append(document.createTextNode("\n"));
}

/** A rule across the transcript with a word on it (before and after the scrollback). */
function divider(text) {
  lastOut = undefined;
  newline();
  append(el("span", "divider", text));
}

/** A whole line of its own: a state change, a notice, an error. */
function line(cls, text) {
  lastOut = undefined;
  newline();
  append(el("span", cls, `${text}\n`));
}

function output(stream, text) {
  if (lastOut?.dataset.stream === stream) {
    const stick = atBottom();
    lastOut.textContent += text;
    if (stick) transcript.scrollTop = transcript.scrollHeight;
    return;
  }
  lastOut = el("span", stream === "console" ? "out" : stream, text);
  lastOut.dataset.stream = stream;
  append(lastOut);
}

function showEvent(e) {
  switch (e.t) {
    case "echo": {
      lastOut = undefined;
      newline();
      const cmd = el("span", `cmd${e.client === welcome?.you ? " mine" : ""}`);
      cmd.append(el("span", "who", `${e.from}> `), document.createTextNode(`${e.text}\n`));
      cmd.dataset.seq = e.seq;
      append(cmd);
      break;
    }
    case "out":
      if (e.stream === "error" && e.seq !== null) erred.add(e.seq);
      output(e.stream, e.text);
      break;
    case "state":
      if (e.state !== "running") line("state", describeStop(e.state, e.info));
      break;
    case "notice":
      line("notice", `*** ${e.text}`);
      break;
    case "done":
      if (!e.ok && e.error && !erred.has(e.seq)) line("failed", e.error);
      erred.delete(e.seq);
      break;
    case "end":
      line("notice", `*** session ended: ${e.reason}`);
      break;
  }
}

// ---- side panel ---------------------------------------------------------

function showState(state, info = {}) {
  stop = { state, info };
  const badge = $("state");
  badge.dataset.state = state;
  badge.textContent = stateBadge(state, info);
  const panel = $("panel");
  panel.classList.toggle("running", state === "running");
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

/** Where the target stopped, or the frame selected since: location, source, stack. */
function showStopped() {
  const view = stoppedPanel(stop.info, selected);
  $("location").textContent = view.location;
  $("location").title = view.title;
  $("source").replaceChildren(
    ...view.source.map(({ n, text, here }) => {
      const li = el("li", here ? "here" : "");
      li.append(el("span", "n", String(n)), document.createTextNode(text || " "));
      return li;
    }),
  );
  $("stack").replaceChildren(
    ...view.stack.map((f) => el("li", f.selected ? "selected" : "", f.text)),
  );
}

function showClients() {
  $("clients").replaceChildren(
    ...clients.map((c) => {
      const li = el("li", "", whoText(c.who));
      if (c.id === welcome?.you) li.append(el("span", "you", "(you)"));
      li.append(el("span", "via", c.via));
      if (c.role === "observer") li.append(el("span", "via", "observer"));
      return li;
    }),
  );
}

// ---- login and connection -----------------------------------------------

function showLogin(message = "") {
  closeSocket();
  view("login", { "no-password": status?.login !== "password" || status?.signedIn === true });
  $("login-where").textContent = `${location.host}`;
  $("login-error").textContent = message;
  if (!$("name").value) $("name").value = store.get("name") ?? "";
  $("observe").checked = store.get("observe") === "1";
  $("join").textContent = status?.login === "password" && !status?.signedIn ? "Log in" : "Join";
  ($("name").value ? $("password") : $("name")).focus();
}

function closeSocket() {
  if (socket) {
    socket.onclose = null;
    socket.close();
  }
  socket = undefined;
  client = undefined;
}

async function fetchStatus() {
  const r = await fetch("/api/status", { cache: "no-store" });
  if (!r.ok) throw new Error(`the server answered ${r.status}`);
  status = await r.json();
}

/** Trade the login ticket for the session cookie: a reload then needs no password. */
async function keepLogin(ticket) {
  const r = await fetch("/api/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ticket }),
  });
  if (r.ok) {
    status.signedIn = true;
    document.body.classList.add("signed-in");
  }
}

function join(name, password, observe = store.get("observe") === "1") {
  closeSocket();
  left = false;
  closingReason = undefined;
  $("login-error").textContent = "";
  const ws = new WebSocket(
    `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`,
  );
  ws.binaryType = "arraybuffer";
  socket = ws;
  let refusal;
  const c = createClient({
    who: { user: name, host: "browser", tool: "dbgremote-web" },
    version: { protocol: status.protocol, release: status.release },
    password: password || undefined,
    observe,
    prover: createProver(),
    send: (bytes) => ws.readyState === WebSocket.OPEN && ws.send(bytes),
    on: {
      welcome: (w) => joined(w, name),
      event: (e) => onEvent(e),
      refused: (err) => {
        // The server's hints speak to console users (connection strings): a page says its own.
        // E_AUTH from the server means exactly one thing: the password was wrong.
        const hint = err.fromServer && err.code === "E_AUTH"
          ? "check the session password and try again"
          : err.hint;
        refusal = { ...err, hint };
        if (c.joined) closingReason = err.message;
        ws.close();
      },
      needPassword: () => {
        refusal = { message: "this session needs its password" };
        status.signedIn = false;
        ws.close();
      },
    },
  });
  client = c;
  ws.onopen = () => c.start();
  ws.onmessage = (m) => {
    if (typeof m.data === "string") {
      const control = parsePageControl(m.data);
      if (control?.t === "login") void keepLogin(control.ticket);
      if (control?.t === "closing") closingReason = control.reason;
      return;
    }
    c.receive(new Uint8Array(m.data));
  };
  ws.onclose = (e) => {
    if (socket !== ws) return;
    socket = undefined;
    if (!c.joined) {
      const text = refusal
        ? `${refusal.message}${refusal.hint ? `\n${refusal.hint}` : ""}`
        : `could not join (${e.code}${e.reason ? `: ${e.reason}` : ""})`;
      void fetchStatus().catch(() => {}).finally(() => showLogin(text));
      return;
    }
    ended(left ? "You left the session; it goes on for the others." : closingReason ?? e.reason);
  };
}

function joined(w, name) {
  welcome = w;
  store.set("name", name);
  const observer = !mayCommand(w);
  view("session", { observer });
  $("server").textContent = `${w.server.name} on ${w.server.host}: ${w.server.engine}`;
  $("me").textContent = `${name}@browser${observer ? " (observer)" : ""}`;
  $("prompt").textContent = `${name}@browser>`;
  transcript.replaceChildren();
  lastOut = undefined;
  line("notice", `*** connected to ${w.server.name} on ${w.server.host}: ${w.server.engine}`);
  if (w.warning) line("notice", `*** warning: ${w.warning}`);
  if (w.scrollback.length) {
    divider(`recent output (${w.scrollback.length} events)`);
    for (const e of w.scrollback) showEvent(e);
    divider("live");
  }
  clients = w.clients;
  showClients();
  selected = w.selected;
  showState(w.state, w.info);
  if (!observer) $("cmd").focus();
}

function onEvent(e) {
  showEvent(e);
  if (e.t === "state") {
    selected = undefined; // a stop selects its own frame, as gdb does
    showState(e.state, e.info);
  }
  if (e.t === "selected" && stop.state === "stopped") {
    selected = { frame: e.frame, source: e.source };
    showStopped();
  }
  if (e.t === "notice") {
    clients = updateClients(clients, e);
    showClients();
  }
  if (e.t === "end") closingReason = `the session has ended: ${e.reason}`;
}

function ended(reason) {
  document.body.classList.add("ended");
  $("ended-text").textContent = reason || "Disconnected from the session.";
  $("state").textContent = "disconnected";
  $("state").dataset.state = "exited";
}

// ---- input --------------------------------------------------------------

function submitCommand() {
  const text = $("cmd").value.trim();
  $("cmd").value = "";
  if (!text || !client?.joined) return;
  history.add(text);
  store.set("history", JSON.stringify(history.items.slice(-200)));
  if (text === ".remote_exit") {
    leave();
    return;
  }
  client.command(text);
}

function interrupt() {
  client?.interrupt();
}

function leave() {
  left = true;
  client?.leave();
}

$("cmdline").addEventListener("submit", (e) => {
  e.preventDefault();
  submitCommand();
});
$("cmd").addEventListener("keydown", (e) => {
  if (e.key === "ArrowUp") {
    e.preventDefault();
    $("cmd").value = history.up($("cmd").value);
  } else if (e.key === "ArrowDown") {
    e.preventDefault();
    $("cmd").value = history.down();
  }
});
document.addEventListener("keydown", (e) => {
  // Ctrl+C interrupts, unless it copies a selection.
  if (e.ctrlKey && !e.shiftKey && !e.altKey && e.key.toLowerCase() === "c" && client?.joined) {
    const input = $("cmd");
    const selected = String(globalThis.getSelection?.() ?? "") ||
      (document.activeElement === input && input.selectionStart !== input.selectionEnd);
    if (!selected) {
      e.preventDefault();
      interrupt();
    }
  }
});
$("interrupt").addEventListener("click", interrupt);
$("leave").addEventListener("click", leave);
$("rejoin").addEventListener("click", () => {
  void fetchStatus().then(() => start(), (err) => showLogin(err.message));
});
$("logout").addEventListener("click", async () => {
  left = true;
  client?.leave();
  await fetch("/api/logout", { method: "POST" }).catch(() => {});
  await fetchStatus().catch(() => {});
  showLogin("Logged out.");
});
$("login-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const name = $("name").value.trim();
  if (!validName(name)) {
    $("login-error").textContent = "a name of letters, digits, . _ - (up to 32)";
    return;
  }
  const password = $("password").value;
  $("password").value = "";
  const observe = $("observe").checked;
  store.set("observe", observe ? "1" : "0");
  $("login-error").textContent = status.login === "password" && !status.signedIn
    ? "logging in…"
    : "";
  join(name, password, observe);
});

/** Join straight away when nothing needs typing (a known name, and no password or a live login). */
function start() {
  const name = store.get("name");
  if (name && validName(name) && (status.login !== "password" || status.signedIn)) join(name);
  else showLogin();
}

fetchStatus().then(start, (err) => {
  view("login");
  $("login-error").textContent = `cannot reach the server: ${err.message}`;
});
