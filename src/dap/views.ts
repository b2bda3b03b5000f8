/**
 * How an editor is shown the session's things: frames (with ids valid until the target
 * resumes), sources (the editor's own path, or a reference to read the server's file through the
 * `source` request when it has no checkout), breakpoints. One per editor connection.
 */
import fs from "node:fs";
import path from "node:path";
import type { DebugProtocol } from "@vscode/debugprotocol";
import type { StackFrame } from "../engine/engine.ts";
import type { Breakpoint } from "../engine/inspect.ts";
import { isRecord } from "../protocol/messages.ts";
import { type PathMapper, sameFile } from "./paths.ts";
import type { DapSession } from "./session_port.ts";

/** Largest source file served to an editor. */
export const MAX_SOURCE_BYTES = 4 * 1024 * 1024;

export function createViews(session: DapSession, paths: PathMapper) {
  /** Frame ids handed out since the last stop, and the sources by reference. */
  let frames = new Map<number, { thread: number; level: number }>();
  let nextFrame = 1;
  const sources = new Map<number, string>();
  const sourceRefs = new Map<string, number>();

  const sourceOf = (file: string): DebugProtocol.Source => {
    const onServer = path.resolve(file);
    const source: DebugProtocol.Source = {
      name: path.basename(file),
      path: paths.toEditor(onServer),
    };
    if (!paths.local) {
      // No checkout of its own: the editor reads the file from the server (the `source` request).
      let ref = sourceRefs.get(onServer);
      if (ref === undefined) {
        ref = sourceRefs.size + 1;
        sourceRefs.set(onServer, ref);
        sources.set(ref, onServer);
      }
      source.sourceReference = ref;
    }
    return source;
  };

  /**
   * A frame's file as the server has it. Debuggers name frames' files as compiled (often
   * relative): the full path is the one the stop, a breakpoint or an earlier frame gave.
   */
  const fullPath = (f: StackFrame): string | undefined => {
    const file = f.file;
    if (file === undefined || file.startsWith("/")) return file;
    const candidates = [
      session.stateInfo.source?.path,
      ...session.breakpoints().map((b) => b.file),
      ...sourceRefs.keys(),
    ];
    return candidates.find((c) => c !== undefined && c.startsWith("/") && sameFile(c, file)) ??
      file;
  };

  return {
    dapBreakpoint(b: Breakpoint): DebugProtocol.Breakpoint {
      const out: DebugProtocol.Breakpoint = { id: b.id, verified: b.verified };
      if (b.file !== undefined) out.source = sourceOf(b.file);
      if (b.line !== undefined) out.line = b.line;
      if (!b.enabled) out.message = "disabled";
      return out;
    },
    dapFrame(f: StackFrame, threadId: number): DebugProtocol.StackFrame {
      const id = nextFrame++;
      frames.set(id, { thread: threadId, level: f.level });
      const frame: DebugProtocol.StackFrame = {
        id,
        name: f.func ?? f.addr ?? "??",
        line: f.line ?? 0,
        column: f.line ? 1 : 0,
      };
      const where = fullPath(f);
      if (where) frame.source = sourceOf(where);
      if (f.addr) frame.instructionPointerReference = f.addr;
      return frame;
    },
    /** The frame an id names, while the target has not moved since it was handed out. */
    frame: (id: number) => frames.get(id),
    /** The target moved: frame ids die. */
    resumed() {
      frames = new Map();
    },
    /** The server's file a source reference names. */
    sourceFile: (ref: number) => sources.get(ref),
    /**
     * A `source` request's file content. Only files the session showed this editor (frames,
     * breakpoints): the endpoint is no file server, and an observer may read no more than the
     * session shows it.
     */
    source(args: Record<string, unknown>): { content: string } | { error: string } {
      const src = isRecord(args.source) ? args.source : {};
      const ref = typeof args.sourceReference === "number" && args.sourceReference > 0
        ? args.sourceReference
        : typeof src.sourceReference === "number"
        ? src.sourceReference
        : 0;
      const file = sources.get(ref) ??
        (typeof src.path === "string" && sourceRefs.has(src.path) ? src.path : undefined);
      if (!file) return { error: "no such source in this session" };
      try {
        const st = fs.statSync(file);
        if (st.size > MAX_SOURCE_BYTES) {
          return { error: `${file} is larger than ${MAX_SOURCE_BYTES} bytes` };
        }
        return { content: fs.readFileSync(file, "utf8") };
      } catch (err) {
        return { error: `cannot read ${file} on the server: ${(err as Error).message}` };
      }
    },
  };
}
