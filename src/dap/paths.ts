/**
 * Source paths between an editor's checkout and the server's machine. An editor with a local
 * copy says where it is (`pathMappings` [{localRoot, remoteRoot}] as VS Code's C/C++ and Python
 * adapters take them, or `sourceRoot` for the server's working tree as a whole); without either,
 * paths are the server's own and the editor reads files through the `source` request. Pure.
 */
import { isRecord } from "../protocol/messages.ts";

export interface PathMapping {
  localRoot: string;
  remoteRoot: string;
}

export interface PathMapper {
  /** The editor has a copy of its own: paths it is given are to be opened locally. */
  readonly local: boolean;
  /** An editor's path as the debugger on the server names it. */
  toServer(path: string): string;
  /** A path the debugger names, as the editor opens it. */
  toEditor(path: string): string;
}

function withSlash(root: string): string {
  return root.endsWith("/") || root.endsWith("\\") ? root : `${root}/`;
}

function swap(path: string, from: string, to: string): string | undefined {
  if (path === from || withSlash(path) === withSlash(from)) return to;
  if (!path.startsWith(withSlash(from))) return undefined;
  return withSlash(to) + path.slice(withSlash(from).length);
}

/**
 * The mappings an attach request gives, checked: `pathMappings` and/or `sourceRoot` (with the
 * server's working directory as its remote root). Returns an error text for a malformed one.
 */
export function readMappings(
  args: Record<string, unknown>,
  serverCwd: string,
): PathMapping[] | string {
  const out: PathMapping[] = [];
  const raw = args.pathMappings;
  if (raw !== undefined) {
    if (!Array.isArray(raw)) return "pathMappings must be a list of {localRoot, remoteRoot}";
    for (const m of raw) {
      if (
        !isRecord(m) || typeof m.localRoot !== "string" || typeof m.remoteRoot !== "string" ||
        m.localRoot === "" || m.remoteRoot === ""
      ) {
        return "each of pathMappings needs localRoot and remoteRoot (non-empty paths)";
      }
      out.push({ localRoot: m.localRoot, remoteRoot: m.remoteRoot });
    }
  }
  if (args.sourceRoot !== undefined) {
    if (typeof args.sourceRoot !== "string" || args.sourceRoot === "") {
      return "sourceRoot must be the path of your local checkout";
    }
    out.push({ localRoot: args.sourceRoot, remoteRoot: serverCwd });
  }
  return out;
}

export function pathMapper(mappings: PathMapping[]): PathMapper {
  // The longest root first: a mapping for a subdirectory wins over its parent's.
  const byLocal = [...mappings].sort((a, b) => b.localRoot.length - a.localRoot.length);
  const byRemote = [...mappings].sort((a, b) => b.remoteRoot.length - a.remoteRoot.length);
  return {
    local: mappings.length > 0,
    toServer(path) {
      for (const m of byLocal) {
        const mapped = swap(path, m.localRoot, m.remoteRoot);
        if (mapped !== undefined) return mapped;
      }
      return path;
    },
    toEditor(path) {
      for (const m of byRemote) {
        const mapped = swap(path, m.remoteRoot, m.localRoot);
        if (mapped !== undefined) return mapped;
      }
      return path;
    },
  };
}

/** Do two names of a source file mean the same file (one may be relative, as debuggers say)? */
export function sameFile(a: string, b: string): boolean {
  if (a === b) return true;
  const absA = a.startsWith("/");
  const absB = b.startsWith("/");
  if (absA && absB) return false;
  const [long, short] = a.length >= b.length ? [a, b] : [b, a];
  return long.endsWith(`/${short.replace(/^\.\//, "")}`);
}
