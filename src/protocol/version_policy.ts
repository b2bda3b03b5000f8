/**
 * Version policy for the handshake: protocol majors must match; a different
 * release connects with a warning (WinDbg: binaries from the same release
 * work best). Pure.
 */
import type { VersionInfo } from "../version.ts";

export type Compatibility =
  | { kind: "same" }
  | { kind: "warn"; message: string }
  | { kind: "refuse"; message: string; hint: string };

function major(protocol: string): string | undefined {
  const m = /^(\d+)\.\d+$/.exec(protocol);
  return m?.[1];
}

/** Does a peer speaking `protocol` know what protocol `since` added? (Same major, minor at least.) */
export function speaks(protocol: string, since: string): boolean {
  const [a, b] = [protocol, since].map((p) => /^(\d+)\.(\d+)$/.exec(p));
  if (!a || !b) return false;
  return Number(a[1]) === Number(b[1]) && Number(a[2]) >= Number(b[2]);
}

/**
 * Compare our versions with the peer's. `peer` names the other side in
 * messages ("server" or "client").
 */
export function compareVersions(
  ours: VersionInfo,
  theirs: VersionInfo,
  peer: "server" | "client",
): Compatibility {
  const ourMajor = major(ours.protocol);
  const theirMajor = major(theirs.protocol);
  if (theirMajor === undefined) {
    return {
      kind: "refuse",
      message: `the ${peer} sent protocol "${theirs.protocol}", which is not MAJOR.MINOR`,
      hint: "the peer is not dbgremote, or is damaged",
    };
  }
  if (ourMajor !== theirMajor) {
    return {
      kind: "refuse",
      message:
        `protocol mismatch: this side speaks dbgremote protocol ${ours.protocol} (release ${ours.release}), ` +
        `the ${peer} speaks ${theirs.protocol} (release ${theirs.release})`,
      hint: "run the same dbgremote release on both ends: copy this binary to the other machine, " +
        "or install the other side's release here",
    };
  }
  if (ours.release !== theirs.release) {
    return {
      kind: "warn",
      message:
        `release mismatch: this side is dbgremote ${ours.release}, the ${peer} is ${theirs.release} ` +
        `(protocol ${theirs.protocol} is compatible; matching releases work best)`,
    };
  }
  return { kind: "same" };
}
