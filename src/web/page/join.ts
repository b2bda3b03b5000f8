/**
 * Getting into the session and out of it: the login form, the WebSocket and the protocol
 * client over it, the login cookie (a ticket traded after the password), leaving, logging
 * out and joining again. What happens once in is the caller's (app.ts).
 */
import type { Breakpoint } from "../../engine/inspect.ts";
import type { SessionEvent, Welcome } from "../../protocol/messages.ts";
import { parsePageControl } from "../control.ts";
import { createProver } from "./crypto.ts";
import { $ } from "./dom.ts";
import { mayCommand } from "./format.ts";
import { createClient, type PageClient, type Refusal } from "./protocol.ts";
import type { Store } from "./store.ts";

/** GET /api/status: what the page needs before joining. */
interface Status {
  protocol: string;
  release: string;
  login: "password" | "none";
  signedIn: boolean;
}

export interface JoinerHooks {
  store: Store;
  joined(w: Welcome, client: PageClient, name: string): void;
  event(e: SessionEvent): void;
  breakpoints(list: Breakpoint[]): void;
  /** No longer in the session, and why. */
  ended(reason: string): void;
}

export interface Joiner {
  /** Fetch the status, then join straight away or show the login. */
  boot(validName: (name: string) => boolean): void;
  leave(): void;
}

export function createJoiner(hooks: JoinerHooks): Joiner {
  const { store } = hooks;
  let status: Status | undefined;
  let socket: WebSocket | undefined;
  let client: PageClient | undefined;
  let closingReason: string | undefined;
  let left = false;
  let valid: (name: string) => boolean = () => false;

  function view(name: string, extra: Record<string, boolean> = {}) {
    document.body.className = name;
    for (const [cls, on] of Object.entries(extra)) document.body.classList.toggle(cls, on);
    if (status?.signedIn) document.body.classList.add("signed-in");
  }

  const input = (id: string) => $<HTMLInputElement>(id);

  function showLogin(message = "") {
    closeSocket();
    view("login", { "no-password": status?.login !== "password" || status?.signedIn === true });
    $("login-where").textContent = `${location.host}`;
    $("login-error").textContent = message;
    if (!input("name").value) input("name").value = store.get("name") ?? "";
    input("observe").checked = store.get("observe") === "1";
    $("join").textContent = status?.login === "password" && !status?.signedIn ? "Log in" : "Join";
    (input("name").value ? input("password") : input("name")).focus();
  }

  function closeSocket() {
    if (socket) {
      socket.onclose = null;
      socket.close();
    }
    client?.close();
    socket = undefined;
    client = undefined;
  }

  async function fetchStatus() {
    const r = await fetch("/api/status", { cache: "no-store" });
    if (!r.ok) throw new Error(`the server answered ${r.status}`);
    status = await r.json() as Status;
  }

  /** Trade the login ticket for the session cookie: a reload then needs no password. */
  async function keepLogin(ticket: string) {
    const r = await fetch("/api/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ticket }),
    });
    if (r.ok && status) {
      status.signedIn = true;
      document.body.classList.add("signed-in");
    }
  }

  function join(name: string, password?: string, observe = store.get("observe") === "1") {
    closeSocket();
    left = false;
    closingReason = undefined;
    $("login-error").textContent = "";
    const ws = new WebSocket(
      `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`,
    );
    ws.binaryType = "arraybuffer";
    socket = ws;
    let refusal: (Partial<Refusal> & { message: string }) | undefined;
    const c = createClient({
      who: { user: name, host: "browser", tool: "dbgremote-web" },
      version: { protocol: status!.protocol, release: status!.release },
      password: password || undefined,
      observe,
      prover: createProver(),
      send: (bytes) =>
        ws.readyState === WebSocket.OPEN && ws.send(bytes as Uint8Array<ArrayBuffer>),
      on: {
        welcome: (w) => {
          view("session", { observer: !mayCommand(w) });
          hooks.joined(w, c, name);
        },
        event: (e) => {
          if (e.t === "end") closingReason = `the session has ended: ${e.reason}`;
          hooks.event(e);
        },
        breakpoints: hooks.breakpoints,
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
          if (status) status.signedIn = false;
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
      void c.receive(new Uint8Array(m.data as ArrayBuffer));
    };
    ws.onclose = (e) => {
      if (socket !== ws) return;
      socket = undefined;
      c.close();
      if (!c.joined) {
        const text = refusal
          ? `${refusal.message}${refusal.hint ? `\n${refusal.hint}` : ""}`
          : `could not join (${e.code}${e.reason ? `: ${e.reason}` : ""})`;
        void fetchStatus().catch(() => {}).finally(() => showLogin(text));
        return;
      }
      hooks.ended(
        left ? "You left the session; it goes on for the others." : closingReason ?? e.reason,
      );
    };
  }

  function leave() {
    left = true;
    client?.leave();
  }

  /** Join straight away when nothing needs typing (a known name, and no password or a live login). */
  function start() {
    const name = store.get("name");
    if (name && valid(name) && (status!.login !== "password" || status!.signedIn)) join(name);
    else showLogin();
  }

  $("leave").addEventListener("click", leave);
  $("rejoin").addEventListener("click", () => {
    void fetchStatus().then(() => start(), (err) => showLogin(err.message));
  });
  $("logout").addEventListener("click", async () => {
    leave();
    await fetch("/api/logout", { method: "POST" }).catch(() => {});
    await fetchStatus().catch(() => {});
    showLogin("Logged out.");
  });
  $("login-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const name = input("name").value.trim();
    if (!valid(name)) {
      $("login-error").textContent = "a name of letters, digits, . _ - (up to 32)";
      return;
    }
    const password = input("password").value;
    input("password").value = "";
    const observe = input("observe").checked;
    store.set("observe", observe ? "1" : "0");
    $("login-error").textContent = status?.login === "password" && !status.signedIn
      ? "logging in…"
      : "";
    join(name, password, observe);
  });

  return {
    boot(validName) {
      valid = validName;
      fetchStatus().then(start, (err) => {
        view("login");
        $("login-error").textContent = `cannot reach the server: ${err.message}`;
      });
    },
    leave,
  };
}
