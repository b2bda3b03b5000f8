/**
 * lldb's breakpoints as the session's, from lldb itself in JSON: lldb-dap tells `breakpoint`
 * events only for breakpoints an editor set through DAP, never for a console's
 * `breakpoint set`, so lldb's Python (`script`, through the REPL) lists them with the SB API:
 * id, enabled, condition, hits, where its first location is, and how it was set (the
 * breakpoint's own serialized resolver: a file and line, or function names), as JSON, never
 * lldb's human text.
 */
import type { DebugProtocol } from "@vscode/debugprotocol";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DapContext } from "./dap/engine_core.ts";
import type { Breakpoint } from "./inspect.ts";

/** The lldb command that writes the breakpoints' JSON to the file it is given (registered below). */
export const LIST_COMMAND = "dbgremote-breakpoints";

/**
 * lldb's Python: a function writing the selected target's breakpoints (the dummy target's before
 * a launch, where lldb keeps them until there is a target) as JSON to the file named by its
 * argument. A file, not lldb's output: before a launch lldb-dap would pass printed text on as
 * output events.
 */
const LISTER = [
  "def _dbgremote_bps(debugger, command, result, internal_dict):",
  "    import json, lldb",
  "    t = debugger.GetSelectedTarget()",
  "    t = t if t.IsValid() else debugger.GetDummyTarget()",
  "    def spec(b):",
  "        st = lldb.SBStream()",
  "        b.SerializeToStructuredData().GetAsJSON(st)",
  "        return json.loads(st.GetData() or '{}')",
  "    out = [{'id': b.GetID(), 'enabled': b.IsEnabled(), 'cond': b.GetCondition(),",
  "            'hits': b.GetHitCount(), 'resolved': b.GetNumResolvedLocations(),",
  "            'at': [[e.GetFileSpec().fullpath, e.GetLine()] for e in",
  "                   [l.GetAddress().GetLineEntry() for l in b] if e.IsValid()][:1],",
  "            'spec': spec(b)} for b in t.breakpoint_iter()]",
  "    with open(command.strip(), 'w') as f:",
  "        f.write(json.dumps(out))",
].join("\n");

/**
 * The lines that teach lldb {@link LIST_COMMAND}, each one line: the function defined through
 * `script`, then registered as a command. A registered command costs lldb about 0.15 ms a call; a
 * `script` line about 0.5 to 0.9 ms (its Python session set up each time), and the list is read
 * after every command.
 */
export function registerLister(): string[] {
  return [
    // Into __main__ itself: a `script` line runs in a session namespace of its own.
    `script import __main__; exec(${JSON.stringify(LISTER)}, __main__.__dict__)`,
    `command script add -o -f __main__._dbgremote_bps ${LIST_COMMAND}`,
  ];
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === "object" && v !== null && !Array.isArray(v);

/** The resolver's options: how the breakpoint was set. */
function resolverOf(spec: unknown): Rec | undefined {
  if (!isRec(spec) || !isRec(spec.Breakpoint)) return undefined;
  const r = spec.Breakpoint.BKPTResolver;
  return isRec(r) && isRec(r.Options) ? r.Options : undefined;
}

/** What {@link listBreakpoints} wrote, as the session's breakpoints. */
export function parseBreakpointList(json: string): Breakpoint[] | undefined {
  let list: unknown;
  try {
    list = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!Array.isArray(list)) return undefined;
  const out: Breakpoint[] = [];
  for (const b of list) {
    if (!isRec(b) || !Number.isSafeInteger(b.id)) continue;
    const bp: Breakpoint = {
      id: Number(b.id),
      enabled: b.enabled === true,
      verified: typeof b.resolved === "number" && b.resolved > 0,
    };
    if (Number.isSafeInteger(b.hits)) bp.hits = Number(b.hits);
    if (typeof b.cond === "string" && b.cond) bp.condition = b.cond;
    const at = Array.isArray(b.at) && Array.isArray(b.at[0]) ? b.at[0] : undefined;
    if (at && typeof at[0] === "string" && at[0]) bp.file = at[0];
    if (at && typeof at[1] === "number" && at[1] > 0) bp.line = at[1];
    const how = resolverOf(b.spec);
    const names = how?.SymbolNames;
    if (Array.isArray(names) && typeof names[0] === "string") {
      bp.func = names[0];
      bp.location = names[0];
    } else if (typeof how?.FileName === "string" && typeof how.LineNumber === "number") {
      bp.location = `${how.FileName}:${how.LineNumber}`;
      // Not placed yet: where it was asked for, so a panel can show it.
      bp.file ??= how.FileName;
      bp.line ??= how.LineNumber;
    }
    out.push(bp);
  }
  return out;
}

export interface LldbBreakpointReader {
  /** lldb's breakpoints now; undefined: unknown (running, or lldb could not say). */
  read(ctx: DapContext): Promise<Breakpoint[] | undefined>;
  /** Remove the reader's directory (its lldb has ended; a next one is taught again). */
  close(): void;
}

/**
 * A reader of lldb's breakpoints, outside the transcript, for one lldb: it teaches lldb
 * {@link LIST_COMMAND} on its first read (again after a read that failed: a new lldb), and has
 * lldb write into a directory of its own, made once (only this user can write there).
 */
export function lldbBreakpointReader(): LldbBreakpointReader {
  let taught = false;
  let dir: string | undefined;
  return {
    async read(ctx) {
      if (ctx.state === "running") return undefined;
      // Before the launch sets `commandEscapePrefix: ""`, the default prefix makes a line a
      // command.
      const run = (command: string) =>
        ctx.request<DebugProtocol.EvaluateResponse>("evaluate", {
          expression: ctx.launched ? command : "`" + command,
          context: "repl",
        });
      try {
        dir ??= fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-lldb-"));
        const file = path.join(dir, "breakpoints.json");
        fs.rmSync(file, { force: true }); // what lldb writes now, or nothing: never an old list
        if (!taught) {
          for (const line of registerLister()) await run(line);
          taught = true;
        }
        await run(`${LIST_COMMAND} ${file}`);
        return parseBreakpointList(fs.readFileSync(file, "utf8"));
      } catch {
        taught = false; // lldb without Python, or it failed: the set is unknown, not empty
        return undefined;
      }
    },
    close() {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
      dir = undefined;
      taught = false;
    },
  };
}
