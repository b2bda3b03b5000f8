/**
 * The Python engine: debugpy's adapter (`python3 -m debugpy.adapter`, Debian's
 * `python3-debugpy`) over the Debug Adapter Protocol, run by the interpreter the
 * user named, which also runs their script. As `python3 -m pdb` does, the script
 * starts stopped at its first line.
 *
 * debugpy's REPL takes Python only: pdb's words are ours, mapped onto DAP requests
 * (see {@link parsePdb}); everything else is evaluated in the selected frame.
 */
import type { DebugProtocol } from "@vscode/debugprotocol";
import type { CommandResult, EngineListener, EngineSpec } from "./engine.ts";
import {
  createDapEngine,
  type DapContext,
  type DapProfile,
  dapStopInfo,
} from "./dap/engine_core.ts";
import {
  addBreakpoint,
  type Breakpoint,
  byNumbers,
  type PdbState,
  resolveLocation,
  syncBreakpoints,
} from "./pdb_breakpoints.ts";
import { evaluate, evaluateJson, fail } from "./pdb_eval.ts";
import { frameLines, list, longlist } from "./pdb_source.ts";
import { parsePdb, type PdbCommand } from "./pdb_words.ts";
import { findAdapter } from "./python_adapter.ts";
import type { Breakpoint as SessionBreakpoint } from "./inspect.ts";
import { splitArgs } from "./split_args.ts";

export { firstBodyLine, functionRange } from "./pdb_source.ts";

/** After a stop: temporary breakpoints hit are gone; displays are shown. */
async function afterStop(ctx: DapContext, st: PdbState, stopsBefore: number): Promise<void> {
  if (ctx.state !== "stopped" || ctx.stops === stopsBefore) return;
  const top = ctx.frames[0];
  const hit = st.breakpoints.filter((b) =>
    b.temporary && b.file === top?.file && b.line === top?.line
  );
  for (const bp of hit) {
    st.breakpoints = st.breakpoints.filter((b) => b !== bp);
    ctx.output("console", `Deleted breakpoint ${bp.number} at ${bp.file}:${bp.line}\n`);
    await syncBreakpoints(ctx, st, bp.file);
  }
  ctx.output("console", frameLines(ctx, 0, ">"));
  for (const expr of st.displays) {
    const r = await evaluate(ctx, expr, "watch");
    ctx.output("console", `display ${expr}: ${r.ok ? r.result : `** raised ${r.error} **`}\n`);
  }
}

async function resume(
  ctx: DapContext,
  st: PdbState,
  request: string,
): Promise<CommandResult> {
  if (ctx.state !== "stopped") return fail(ctx, "the script is not stopped");
  const before = ctx.stops;
  await ctx.resuming(async () => {
    await ctx.request(request, { threadId: ctx.threadId });
  }, true);
  await afterStop(ctx, st, before);
  return { ok: true };
}

async function run(cmd: PdbCommand, ctx: DapContext, st: PdbState): Promise<CommandResult> {
  switch (cmd.op) {
    case "break":
      return await addBreakpoint(ctx, st, cmd.args, false);
    case "tbreak":
      return await addBreakpoint(ctx, st, cmd.args, true);
    case "clear": {
      const gone = cmd.args ? byNumbers(st, cmd.args) : [...st.breakpoints];
      if (typeof gone === "string") return fail(ctx, gone);
      st.breakpoints = st.breakpoints.filter((b) => !gone.includes(b));
      for (const file of new Set(gone.map((b) => b.file))) await syncBreakpoints(ctx, st, file);
      for (const b of gone) {
        ctx.output("console", `Deleted breakpoint ${b.number} at ${b.file}:${b.line}\n`);
      }
      return { ok: true };
    }
    case "disable":
    case "enable": {
      const bps = byNumbers(st, cmd.args);
      if (typeof bps === "string") return fail(ctx, bps);
      for (const b of bps) b.enabled = cmd.op === "enable";
      for (const file of new Set(bps.map((b) => b.file))) await syncBreakpoints(ctx, st, file);
      for (const b of bps) {
        ctx.output(
          "console",
          `${
            cmd.op === "enable" ? "Enabled" : "Disabled"
          } breakpoint ${b.number} at ${b.file}:${b.line}\n`,
        );
      }
      return { ok: true };
    }
    case "condition": {
      const [num, ...rest] = cmd.args.split(/\s+/);
      const bps = byNumbers(st, num ?? "");
      if (typeof bps === "string" || !bps.length) {
        return fail(ctx, typeof bps === "string" ? bps : "condition needs a breakpoint number");
      }
      const bp = bps[0];
      const cond = rest.join(" ").trim();
      if (cond) bp.condition = cond;
      else delete bp.condition;
      await syncBreakpoints(ctx, st, bp.file);
      ctx.output(
        "console",
        cond
          ? `New condition set for breakpoint ${bp.number}.\n`
          : `Breakpoint ${bp.number} is now unconditional.\n`,
      );
      return { ok: true };
    }
    case "continue":
      return await resume(ctx, st, "continue");
    case "next":
      return await resume(ctx, st, "next");
    case "step":
      return await resume(ctx, st, "stepIn");
    case "return":
      return await resume(ctx, st, "stepOut");
    case "until": {
      if (!cmd.args) return await resume(ctx, st, "next");
      const at = await resolveLocation(ctx, st, cmd.args);
      if (typeof at === "string") return fail(ctx, at);
      const bp: Breakpoint = { number: 0, ...at, enabled: true, temporary: true };
      st.breakpoints.push(bp);
      await syncBreakpoints(ctx, st, bp.file);
      const r = await resume(ctx, st, "continue");
      st.breakpoints = st.breakpoints.filter((b) => b !== bp);
      await syncBreakpoints(ctx, st, bp.file);
      return r;
    }
    case "jump": {
      // pdb's jump: the next line to run, in the innermost frame (DAP's gotoTargets + goto).
      if (ctx.state !== "stopped") return fail(ctx, "the script is not stopped");
      const line = Number(cmd.args);
      if (!/^\d+$/.test(cmd.args) || line < 1) {
        return fail(ctx, "The 'jump' command requires a line number");
      }
      if (ctx.selectedLevel !== 0) return fail(ctx, "You can only jump within the bottom frame");
      const file = ctx.frames[0]?.file;
      if (!file) return fail(ctx, "no source here");
      const t = await ctx.request<DebugProtocol.GotoTargetsResponse>("gotoTargets", {
        source: { path: file },
        line,
      });
      const target = t.body.targets[0];
      if (!target) return fail(ctx, `Jump failed: line ${line} cannot be jumped to`);
      const before = ctx.stops;
      await ctx.resuming(async () => {
        await ctx.request("goto", { threadId: ctx.threadId, targetId: target.id });
      }, true);
      await afterStop(ctx, st, before);
      return { ok: true };
    }
    case "where": {
      if (ctx.state !== "stopped") return fail(ctx, "the script is not stopped");
      let out = "";
      for (let level = ctx.frames.length - 1; level >= 0; level--) {
        out += frameLines(ctx, level, level === ctx.selectedLevel ? ">" : " ");
      }
      ctx.output("console", out);
      return { ok: true };
    }
    case "frame": {
      // `frame N` (the page's and editors' frame selection); anything else is Python's `frame`.
      if (!/^\d+$/.test(cmd.args)) {
        return await run({ op: "exec", args: `frame ${cmd.args}`.trim() }, ctx, st);
      }
      if (ctx.state !== "stopped") return fail(ctx, "the script is not stopped");
      const level = Number(cmd.args);
      if (level >= ctx.frames.length) return fail(ctx, "Oldest frame");
      ctx.selectFrame(level);
      ctx.output("console", frameLines(ctx, level, ">"));
      return { ok: true };
    }
    case "up":
    case "down": {
      if (ctx.state !== "stopped") return fail(ctx, "the script is not stopped");
      const n = cmd.args ? Number(cmd.args) : 1;
      const level = ctx.selectedLevel + (cmd.op === "up" ? n : -n);
      if (!Number.isInteger(level) || level < 0) return fail(ctx, "Newest frame");
      if (level >= ctx.frames.length) return fail(ctx, "Oldest frame");
      ctx.selectFrame(level);
      ctx.output("console", frameLines(ctx, level, ">"));
      return { ok: true };
    }
    case "pp": {
      // pdb's pp: pprint's layout of the value (a string comes back, as JSON).
      const r = await evaluate(ctx, cmd.args, "watch");
      if (!r.ok) return fail(ctx, r.error);
      const text = await evaluateJson(ctx, `__import__('pprint').pformat((${cmd.args}))`);
      ctx.output("console", `${typeof text === "string" ? text : r.result}\n`);
      return { ok: true };
    }
    case "longlist":
      return longlist(ctx);
    case "undisplay": {
      if (!cmd.args) {
        st.displays = [];
        return { ok: true };
      }
      if (!st.displays.includes(cmd.args)) return fail(ctx, `not displaying ${cmd.args}`);
      st.displays = st.displays.filter((d) => d !== cmd.args);
      return { ok: true };
    }
    case "restart": {
      // As pdb: the script again from its first line, breakpoints and displays kept;
      // `run ARGS` gives it new arguments, `restart` alone the last ones.
      const args = cmd.args ? splitArgs(cmd.args) : st.args;
      const before = ctx.stops;
      ctx.output("console", `Restarting ${st.program} with arguments:\n\t${args.join(" ")}\n`);
      await ctx.restart(args);
      for (const file of new Set(st.breakpoints.map((b) => b.file))) {
        await syncBreakpoints(ctx, st, file);
      }
      await afterStop(ctx, st, before);
      return { ok: true };
    }
    case "print": {
      const r = await evaluate(ctx, cmd.args, "watch");
      if (!r.ok) return fail(ctx, r.error);
      ctx.output("console", `${r.result}\n`);
      return { ok: true };
    }
    case "list": {
      const nums = cmd.args.split(",").map((s) => s.trim()).filter(Boolean).map(Number);
      if (nums.some((n) => !Number.isInteger(n))) {
        return fail(ctx, `bad line numbers "${cmd.args}"`);
      }
      const [first, last] = nums;
      return list(ctx, first, last !== undefined && last < first ? first + last : last);
    }
    case "display": {
      if (!cmd.args) {
        ctx.output(
          "console",
          `Currently displaying:\n${st.displays.map((d) => `${d}\n`).join("")}`,
        );
        return { ok: true };
      }
      st.displays.push(cmd.args);
      const r = await evaluate(ctx, cmd.args, "watch");
      ctx.output(
        "console",
        `display ${cmd.args}: ${r.ok ? r.result : `** raised ${r.error} **`}\n`,
      );
      return { ok: true };
    }
    case "args": {
      // pdb's `args`: the selected frame's arguments, by its function's code (a module-level
      // function or one reachable by name from the frame).
      const func = ctx.frames[ctx.selectedLevel]?.func;
      if (ctx.state !== "stopped" || !func) return fail(ctx, "the script is not stopped");
      if (!/^[A-Za-z_]\w*$/.test(func)) return { ok: true }; // <module>, <lambda>: none
      const pairs = await evaluateJson(
        ctx,
        `(lambda c, l: [[n, repr(l[n])] for n in c.co_varnames[:c.co_argcount + ` +
          `c.co_kwonlyargcount] if n in l])(${func}.__code__, locals())`,
      );
      if (!Array.isArray(pairs)) return fail(ctx, `cannot find the arguments of ${func}`);
      ctx.output("console", pairs.map(([n, v]) => `${n} = ${v}\n`).join(""));
      return { ok: true };
    }
    case "exec": {
      const r = await evaluate(ctx, cmd.args, "repl");
      if (!r.ok) return fail(ctx, r.error);
      if (r.result) ctx.output("console", `${r.result}\n`);
      return { ok: true };
    }
  }
}

export function pythonProfile(): DapProfile {
  const st: PdbState = { breakpoints: [], nextNumber: 1, displays: [], program: "", args: [] };
  return {
    kind: "python",
    launchAtStart: true,
    adapter: (spec) => findAdapter(spec),
    launchArguments(program, spec, cwd, tty) {
      st.program = program;
      st.args = spec.args ?? [];
      return {
        program,
        args: spec.args ?? [],
        cwd,
        python: [spec.debugger ?? "python3"],
        // With our pty, debugpy starts its launcher there (runInTerminal) and the script
        // writes to it; without, its output comes as output events.
        console: tty ? "integratedTerminal" : "internalConsole",
        redirectOutput: !tty,
        stopOnEntry: true,
        justMyCode: true,
      };
    },
    stopInfo: dapStopInfo,
    // (inspect) pdb's list, as the session's.
    breakpoints: () =>
      Promise.resolve(st.breakpoints.map((b): SessionBreakpoint => {
        const bp: SessionBreakpoint = {
          id: b.number,
          file: b.file,
          line: b.line,
          enabled: b.enabled,
          verified: true,
          location: b.func ?? `${b.file}:${b.line}`,
        };
        if (b.func) bp.func = b.func;
        if (b.condition) bp.condition = b.condition;
        return bp;
      })),
    async execute(text, ctx) {
      const cmd = parsePdb(text);
      if (cmd.op === "exec" && ctx.state === "exited") {
        return fail(ctx, "the script has finished: nothing to evaluate in");
      }
      return await run(cmd, ctx, st);
    },
  };
}

export function createPythonEngine(spec: EngineSpec, listener: EngineListener) {
  return createDapEngine(pythonProfile(), spec, listener);
}
