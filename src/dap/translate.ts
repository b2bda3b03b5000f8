/**
 * Session events as an editor hears them (DAP events), for one participant. Others' commands
 * come as `output` with their issuer (the editor's own are in its console already), answers and
 * program output as `output`, state changes as `stopped`/`continued`/`exited`, the session's
 * end as `terminated`. A stop names who caused it. Pure: a factory with the little it
 * remembers (whose command runs now).
 */
import type { DebugProtocol } from "@vscode/debugprotocol";
import type { StopInfo } from "../engine/engine.ts";
import type { SessionEvent } from "../protocol/messages.ts";

/** A DAP event without its `seq` (the connection numbers what it sends). */
export interface DapEvent {
  event: string;
  body?: Record<string, unknown>;
}

/** The target stopped: the connection adds the thread (it may have to ask the engine which). */
export interface StopEvent {
  stop: { reason: DebugProtocol.StoppedEvent["body"]["reason"]; description: string };
}

export type Translated = DapEvent | StopEvent;

/** The DAP reason for the debugger's stop reason (gdb's MI words, the DAP engines' own). */
export function stopReason(info: StopInfo): StopEvent["stop"]["reason"] {
  const r = info.reason ?? "";
  if (r === "breakpoint-hit" || r === "breakpoint" || r === "function breakpoint") {
    return "breakpoint";
  }
  if (r.includes("watchpoint") || r === "data breakpoint") return "data breakpoint";
  if (
    r === "end-stepping-range" || r === "function-finished" || r === "location-reached" ||
    r === "step" || r === "goto"
  ) {
    return "step";
  }
  if (r === "signal-received") return info.signal === "SIGINT" ? "pause" : "exception";
  if (r === "exception" || r === "entry" || r === "pause") return r;
  return "pause";
}

const REASON_TEXT: Record<string, string> = {
  "breakpoint": "Paused on breakpoint",
  "data breakpoint": "Paused on data breakpoint",
  "step": "Paused after step",
  "exception": "Paused on exception",
  "entry": "Paused on entry",
  "pause": "Paused",
};

function output(category: string, text: string): DapEvent {
  return { event: "output", body: { category, output: text } };
}

export interface EventTranslator {
  /** What the editor hears of one live session event (maybe nothing). */
  live(event: SessionEvent): Translated[];
  /** What it hears of scrollback on joining: the transcript only, no state changes. */
  replay(event: SessionEvent): DapEvent[];
}

/** `me`: this editor's participant id (its own commands are not echoed back to it). */
export function eventTranslator(me: number): EventTranslator {
  /** The command running now (its issuer and words), for the stop it causes. */
  let running: { seq: number; from: string; text: string } | undefined;

  const transcript = (e: SessionEvent): DapEvent[] => {
    switch (e.t) {
      case "echo":
        return e.client === me ? [] : [output("console", `${e.from}> ${e.text}\n`)];
      case "out":
        return [
          output(
            e.stream === "target" ? "stdout" : e.stream === "error" ? "stderr" : "console",
            e.text,
          ),
        ];
      case "notice":
        return [output(e.kind === "warning" ? "important" : "console", `*** ${e.text}\n`)];
      default:
        return [];
    }
  };

  return {
    replay: transcript,
    live(e) {
      switch (e.t) {
        case "echo":
          running = { seq: e.seq, from: e.from, text: e.text };
          return transcript(e);
        case "done":
          if (running?.seq === e.seq) running = undefined;
          return [];
        case "state": {
          if (e.state === "running") {
            return [{ event: "continued", body: { threadId: 0, allThreadsContinued: true } }];
          }
          if (e.state === "exited") {
            return [{ event: "exited", body: { exitCode: e.info.exitCode ?? 0 } }];
          }
          if (e.state !== "stopped") return [];
          const reason = stopReason(e.info);
          const where = e.info.func ? ` in ${e.info.func}` : "";
          const by = running ? ` (${running.from}: ${running.text})` : "";
          return [{ stop: { reason, description: `${REASON_TEXT[reason]}${where}${by}` } }];
        }
        case "end":
          return [
            output("important", `*** the session ended: ${e.reason}\n`),
            { event: "terminated" },
          ];
        default:
          return transcript(e);
      }
    },
  };
}
