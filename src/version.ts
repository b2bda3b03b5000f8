/** This build's release and wire-protocol version. */

/** The release of this dbgremote build (package.json's version). */
export const RELEASE = "0.1.0";

/**
 * Wire protocol `major.minor`. Majors must match; minors are compatible (a
 * minor adds optional fields, or event types sent only to peers that said they
 * know them). 1.1: observers and session controls. 1.2: the selected frame. 1.3: refusal and drop codes.
 * 1.4: the structured side (act, inspect, inspected, breakpoints).
 */
export const PROTOCOL = "1.4";

export interface VersionInfo {
  protocol: string;
  release: string;
}

export const CURRENT: VersionInfo = { protocol: PROTOCOL, release: RELEASE };
