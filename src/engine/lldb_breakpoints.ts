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

/**
 * One line of lldb's Python writing the selected target's breakpoints (the dummy target's
 * before a launch, where lldb keeps them until there is a target) to `file` as JSON. A file,
 * not lldb's output: before a launch lldb-dap would pass printed text on as output events.
 */
export function listBreakpoints(file: string): string {
  return "script import json as _dj, lldb as _dl; " +
    "_dt = lldb.debugger.GetSelectedTarget(); " +
    "_dt = _dt if _dt.IsValid() else lldb.debugger.GetDummyTarget(); " +
    "_ds = lambda b: (lambda st: (b.SerializeToStructuredData().GetAsJSON(st), st.GetData())[1])" +
    "(_dl.SBStream()); " +
    `_dw = open(${JSON.stringify(file)}, "w").write(_dj.dumps([{"id": b.GetID(), ` +
    `"enabled": b.IsEnabled(), "cond": b.GetCondition(), "hits": b.GetHitCount(), ` +
    `"resolved": b.GetNumResolvedLocations(), ` +
    `"at": [[e.GetFileSpec().fullpath, e.GetLine()] for e in ` +
    `[l.GetAddress().GetLineEntry() for l in b] if e.IsValid()][:1], ` +
    `"spec": _dj.loads(_ds(b) or "{}")} for b in _dt.breakpoint_iter()]))`;
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

/** Ask lldb for its breakpoints, outside the transcript. */
export async function lldbBreakpoints(ctx: DapContext): Promise<Breakpoint[] | undefined> {
  if (ctx.state === "running") return undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbgremote-lldb-"));
  const file = path.join(dir, "breakpoints.json");
  try {
    const command = listBreakpoints(file);
    await ctx.request<DebugProtocol.EvaluateResponse>("evaluate", {
      // Before the launch sets `commandEscapePrefix: ""`, the default prefix makes it a command.
      expression: ctx.launched ? command : "`" + command,
      context: "repl",
    });
    return parseBreakpointList(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined; // lldb without Python, or it failed: the set is unknown, not empty
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
