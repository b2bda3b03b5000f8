/** This build's release and wire-protocol version. */

/** The release of this dbgremote build (package.json's version). */
export const RELEASE = "0.1.0";

/**
 * Wire protocol `major.minor`. Majors must match; minors are compatible (a
 * minor adds optional fields only). 1.1: observers and session controls.
 */
export const PROTOCOL = "1.1";

export interface VersionInfo {
  protocol: string;
  release: string;
}

export const CURRENT: VersionInfo = { protocol: PROTOCOL, release: RELEASE };
