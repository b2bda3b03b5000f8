/**
 * The libc calls a pseudo-terminal needs (pty.ts's {@link PtyLibc}) and a pipe for a child's
 * output (engine/child_pipes.ts), bound by FFI: one table of their C signatures and one
 * binding, spelled for Deno's FFI or Bun's. Which runtime runs is platform.ts's to know: it
 * hands over that runtime's FFI.
 */
import type { PipeLibc } from "./engine/child_pipes.ts";
import type { PtyLibc } from "./pty.ts";

export type Libc = PtyLibc & PipeLibc;

const O_CLOEXEC = 0o2000000;
const O_NONBLOCK = 0o4000;
const F_GETFL = 3;
const F_SETFL = 4;

/**
 * Make `fd` non-blocking, its other flags kept (the pty's master, a child's stdin pipe: this side
 * never waits in a read or a write).
 */
export function setNonBlocking(libc: Pick<PtyLibc, "fcntl">, fd: number): void {
  libc.fcntl(fd, F_SETFL, libc.fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
}

/** The C types these calls take: `size` is size_t, `ssize` ssize_t, `buf` a byte buffer in. */
type CType = "i32" | "u64" | "size" | "ssize" | "ptr" | "buf";

const CALLS: Record<string, { args: CType[]; result: CType }> = {
  posix_openpt: { args: ["i32"], result: "i32" },
  grantpt: { args: ["i32"], result: "i32" },
  unlockpt: { args: ["i32"], result: "i32" },
  ptsname: { args: ["i32"], result: "ptr" },
  open: { args: ["buf", "i32"], result: "i32" },
  close: { args: ["i32"], result: "i32" },
  fcntl: { args: ["i32", "i32", "i32"], result: "i32" },
  ioctl: { args: ["i32", "u64", "buf"], result: "i32" },
  tcgetattr: { args: ["i32", "buf"], result: "i32" },
  tcsetattr: { args: ["i32", "i32", "buf"], result: "i32" },
  read: { args: ["i32", "buf", "size"], result: "ssize" },
  write: { args: ["i32", "buf", "size"], result: "ssize" },
  pipe2: { args: ["buf", "i32"], result: "i32" },
};

const DENO_TYPES: Record<CType, string> = {
  i32: "i32",
  u64: "u64",
  size: "usize",
  ssize: "isize",
  ptr: "pointer",
  buf: "buffer",
};
// Bun takes a Uint8Array where a pointer goes.
const BUN_TYPES: Record<CType, string> = {
  i32: "i32",
  u64: "u64",
  size: "u64",
  ssize: "i64",
  ptr: "ptr",
  buf: "ptr",
};

/** The CALLS table in one FFI's spelling. */
function signatures<S>(spell: (args: CType[], result: CType) => S): Record<string, S> {
  return Object.fromEntries(
    Object.entries(CALLS).map(([name, c]) => [name, spell(c.args, c.result)]),
  );
}

interface Bound {
  // deno-lint-ignore no-explicit-any
  symbols: Record<string, (...a: any[]) => any>;
  /** The C string a returned pointer points at; undefined for NULL. */
  cString(pointer: unknown): string | undefined;
  /** A 64-bit argument as this FFI takes it. */
  wide(n: number): number | bigint;
}

function bind({ symbols: s, cString, wide }: Bound): Libc {
  return {
    posixOpenpt: (f) => s.posix_openpt(f),
    grantpt: (fd) => s.grantpt(fd),
    unlockpt: (fd) => s.unlockpt(fd),
    ptsname: (fd) => cString(s.ptsname(fd)),
    open: (path, flags) => s.open(new TextEncoder().encode(path + "\0"), flags),
    close: (fd) => s.close(fd),
    fcntl: (fd, cmd, arg) => s.fcntl(fd, cmd, arg),
    ioctl: (fd, req, arg) => s.ioctl(fd, wide(req), arg),
    tcgetattr: (fd, t) => s.tcgetattr(fd, t),
    tcsetattr: (fd, when, t) => s.tcsetattr(fd, when, t),
    // An empty buffer is no pointer to Bun: nothing to read or write then anyway.
    read: (fd, buf) => (buf.length ? Number(s.read(fd, buf, wide(buf.length))) : 0),
    write: (fd, data) => (data.length ? Number(s.write(fd, data, wide(data.length))) : 0),
    pipe() {
      const ends = new Int32Array(2);
      if (s.pipe2(new Uint8Array(ends.buffer), O_CLOEXEC) !== 0) return undefined;
      return [ends[0], ends[1]];
    },
  };
}

/** Deno's FFI, as far as these calls need it. */
export type DenoFfi = {
  dlopen(path: string, symbols: Record<string, unknown>): { symbols: Record<string, unknown> };
  UnsafePointerView: { getCString(p: unknown): string };
};

export function denoLibc(deno: DenoFfi): Libc {
  const lib = deno.dlopen(
    "libc.so.6",
    signatures((args, result) => ({
      parameters: args.map((t) => DENO_TYPES[t]),
      result: DENO_TYPES[result],
    })),
  );
  return bind({
    symbols: lib.symbols as Bound["symbols"],
    cString: (p) => (p === null ? undefined : deno.UnsafePointerView.getCString(p)),
    wide: BigInt,
  });
}

/** Bun's FFI module (`bun:ffi`), as far as these calls need it. */
export type BunFfi = {
  FFIType: Record<string, unknown>;
  dlopen(path: string, symbols: Record<string, unknown>): { symbols: Bound["symbols"] };
  CString: new (pointer: unknown) => { toString(): string };
};

export function bunLibc(ffi: BunFfi): Libc {
  const type = (t: CType) => ffi.FFIType[BUN_TYPES[t]];
  const lib = ffi.dlopen(
    "libc.so.6",
    signatures((args, result) => ({ args: args.map(type), returns: type(result) })),
  );
  return bind({
    symbols: lib.symbols,
    cString: (p) => (p ? new ffi.CString(p).toString() : undefined),
    wide: (n) => n,
  });
}
