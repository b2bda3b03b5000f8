/**
 * How the target's state reads, for people: one module for the console
 * (render.ts) and the browser page (bundled from src/web/page/), so both say
 * "-- stopped at demo.c:12 in main (breakpoint-hit)" the same way. Pure: data
 * in, text out; no terminal, no DOM.
 */
import type { StackFrame, StopInfo } from "../protocol/wire_types.ts";

/** The file name of a path, as stacks show it: `/w/demo.c` → `demo.c`. */
export function basename(file: string): string {
  return file.split("/").pop() ?? file;
}

/** One line for a state change: `-- stopped at demo.c:12 in main (breakpoint-hit)`. */
export function describeStop(state: string, info: StopInfo): string {
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

/** One stack frame: `#1  main (argc=1, argv=0x7ffe…) at demo.c:17`. */
export function frameText(frame: StackFrame): string {
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
