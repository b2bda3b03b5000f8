// How the page words things: the same phrases as the console
// (src/client/render.ts), plus the side panel's. Pure: data in, text out.

export function whoText(who) {
  return `${who.user}@${who.host}`;
}

export function basename(file) {
  return file ? file.split("/").pop() : file;
}

/** One line for a state change, as the console prints it. */
export function describeState(state, info = {}) {
  switch (state) {
    case "running":
      return "-- running";
    case "exited":
      return info.signal
        ? `-- program exited on signal ${info.signal}`
        : `-- program exited with code ${info.exitCode ?? 0}`;
    case "stopped": {
      const where = info.file ? ` at ${info.file}:${info.line ?? "?"}` : "";
      const fn = info.func ? ` in ${info.func}` : "";
      const why = info.signal ? ` (${info.signal})` : info.reason ? ` (${info.reason})` : "";
      return `-- stopped${where}${fn}${why}`;
    }
    default:
      return `-- ${state}`;
  }
}

/** The badge in the header: "running", "stopped at demo.c:10", "exited (0)", "not started". */
export function stateBadge(state, info = {}) {
  switch (state) {
    case "running":
      return "running";
    case "stopped":
      return info.file ? `stopped at ${basename(info.file)}:${info.line ?? "?"}` : "stopped";
    case "exited":
      return info.signal ? `exited (${info.signal})` : `exited (${info.exitCode ?? 0})`;
    default:
      return "not started";
  }
}

/** `#1  main (argc=1, argv=0x7ffe…) at demo.c:17` */
export function frameText(frame) {
  const args = frame.args
    ? ` (${
      frame.args.map((a) => (a.value === undefined ? a.name : `${a.name}=${a.value}`)).join(", ")
    })`
    : "";
  const where = frame.file
    ? ` at ${basename(frame.file)}:${frame.line ?? "?"}`
    : frame.from
    ? ` from ${basename(frame.from)}`
    : frame.addr
    ? ` at ${frame.addr}`
    : "";
  return `#${frame.level}  ${frame.func ?? "??"}${args}${where}`;
}

/**
 * What the side panel shows while the target is stopped. `selected` ({frame, source?}, from a
 * `selected` event or welcome.selected) is the frame `up`, `down` or `frame N` chose; without it
 * the stop's own frame 0 is. Returns the location line and its tooltip, the source lines (the
 * frame's line marked `here`) and the stack (the selected frame marked `selected`).
 * @param {any} [info] the last stop's info
 * @param {any} [selected]
 * @returns {{location: string, title: string, source: {n: number, text: string, here: boolean}[],
 *   stack: {text: string, selected: boolean}[]}}
 */
export function stoppedPanel(info = {}, selected) {
  const level = selected?.frame.level ?? 0;
  const at = selected?.frame ?? info;
  const src = selected ? selected.source : info.source;
  const fn = at.func ? ` in ${at.func}` : "";
  const place = at.file
    ? `${at.file}:${at.line ?? "?"}${fn}`
    : selected
    ? `${at.func ?? "??"}${
      at.from ? ` from ${basename(at.from)}` : at.addr ? ` at ${at.addr}` : ""
    }`
    : `stopped${fn}`;
  return {
    location: level === 0 ? place : `${place} (frame #${level})`,
    title: src?.path ?? "",
    source: (src?.lines ?? []).map((text, i) => ({
      n: src.first + i,
      text,
      here: src.first + i === at.line,
    })),
    stack: (info.frames ?? []).map((f) => ({ text: frameText(f), selected: f.level === level })),
  };
}

/** Observers watch: the server sends them no command line (welcome.role). */
export function mayCommand(welcome) {
  return welcome?.role !== "observer";
}

/** The participant list after a notice (join/leave/drop carry the client). */
export function updateClients(clients, notice) {
  if (notice.t !== "notice" || !notice.client) return clients;
  const others = clients.filter((c) => c.id !== notice.client.id);
  return notice.kind === "join" ? [...others, notice.client] : others;
}

/** A name others will see: letters, digits and . _ - (1 to 32). */
export function validName(name) {
  return /^[A-Za-z0-9._-]{1,32}$/.test(name);
}

/** Command history with up/down, as a shell's: newest last, no repeats in a row. */
export class History {
  #items = [];
  #at = 0;
  #draft = "";
  #limit;

  constructor(items = [], limit = 500) {
    this.#limit = limit;
    this.#items = items.slice(-limit);
    this.#at = this.#items.length;
  }

  get items() {
    return [...this.#items];
  }

  add(line) {
    if (line && this.#items.at(-1) !== line) this.#items.push(line);
    if (this.#items.length > this.#limit) this.#items.shift();
    this.#at = this.#items.length;
    this.#draft = "";
  }

  /** The line before (up), keeping what was being typed. */
  up(current) {
    if (this.#at === this.#items.length) this.#draft = current;
    if (this.#at > 0) this.#at--;
    return this.#items[this.#at] ?? current;
  }

  /** The line after (down); past the newest, what was being typed. */
  down() {
    if (this.#at < this.#items.length) this.#at++;
    return this.#at === this.#items.length ? this.#draft : this.#items[this.#at];
  }
}
