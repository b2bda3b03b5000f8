/**
 * The live transcript: session events as lines (commands with their issuer, output as it
 * streams, state changes, notices), kept to a bounded number of nodes, following the bottom
 * while the reader is there.
 */
import type { SessionEvent } from "../../protocol/messages.ts";
import { el } from "./dom.ts";
import { describeStop } from "./format.ts";

const MAX_TRANSCRIPT_NODES = 20_000;

export interface Transcript {
  clear(): void;
  /** A whole line of its own: a state change, a notice, an error. */
  line(cls: string, text: string): void;
  /** A rule across the transcript with a word on it (before and after the scrollback). */
  divider(text: string): void;
  show(e: SessionEvent): void;
}

/** The transcript in `node`; `you()` is this page's client id (its commands are marked). */
export function createTranscript(node: HTMLElement, you: () => number | undefined): Transcript {
  let lastOut: HTMLElement | undefined; // the span output is appended to while a stream goes on
  const erred = new Set<number>(); // commands whose error text was shown

  const atBottom = () => node.scrollHeight - node.scrollTop - node.clientHeight < 40;

  function append(child: Node) {
    const stick = atBottom();
    node.append(child);
    while (node.childNodes.length > MAX_TRANSCRIPT_NODES) node.firstChild!.remove();
    if (stick) node.scrollTop = node.scrollHeight;
  }

  /** Start a new line unless the transcript is at the start of one (output may end mid-line). */
  function newline() {
    const last = node.lastChild;
    if (!last || (last as Element).classList?.contains("divider")) return;
    if ((last.textContent ?? "").endsWith("\n")) return;
    node.append(document.createTextNode("\n"));
  }

  function line(cls: string, text: string) {
    lastOut = undefined;
    newline();
    append(el("span", cls, `${text}\n`));
  }

  function output(stream: string, text: string) {
    if (lastOut?.dataset.stream === stream) {
      const stick = atBottom();
      lastOut.textContent += text;
      if (stick) node.scrollTop = node.scrollHeight;
      return;
    }
    lastOut = el("span", stream === "console" ? "out" : stream, text);
    lastOut.dataset.stream = stream;
    append(lastOut);
  }

  return {
    clear() {
      node.replaceChildren();
      lastOut = undefined;
    },
    line,
    divider(text) {
      lastOut = undefined;
      newline();
      append(el("span", "divider", text));
    },
    show(e) {
      switch (e.t) {
        case "echo": {
          lastOut = undefined;
          newline();
          const cmd = el("span", `cmd${e.client === you() ? " mine" : ""}`);
          cmd.append(el("span", "who", `${e.from}> `), document.createTextNode(`${e.text}\n`));
          cmd.dataset.seq = String(e.seq);
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
    },
  };
}
