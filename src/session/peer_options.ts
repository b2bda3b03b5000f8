/**
 * What servePeer (peer.ts) is given for one endpoint: its password, its limits, its role.
 */
import type { VersionInfo } from "../version.ts";
import type { AuthLimiter } from "./auth_limiter.ts";

/** An endpoint's password, as the server keeps it: only the derived key. */
export interface EndpointAuth {
  key: Uint8Array;
  salt: string;
  iterations: number;
  /**
   * Failed attempts per peer, shared by all of a server's network endpoints; none for a private
   * pipe (only its user reaches it: a lockout there would only lock that user out).
   */
  limiter?: AuthLimiter;
  /**
   * Who a peer is for the lockout: its address, or more where an address is shared (the local
   * user behind a loopback connection). Default: the address.
   */
  identify?: (peer: string) => string;
  /** Wait this long before answering a wrong password (slows guessing). */
  failureDelayMs?: number;
}

export interface PeerOptions {
  version: VersionInfo;
  /** Largest frame accepted. */
  maxFrame?: number;
  /** Drop the peer when this many bytes are queued for it unsent and it takes none (see backlog.ts). */
  maxPending?: number;
  /** Drop the peer when this many bytes are queued for it unsent, even though it reads. */
  maxBacklog?: number;
  /** How long a peer over maxPending must take nothing to count as not reading. */
  stallMs?: number;
  /** Close a peer that has not said hello within this time. */
  helloTimeoutMs?: number;
  /** Told about each peer that is refused or dropped (for the server's log). */
  log?: (line: string) => void;
  /** Set when this endpoint needs a password. */
  auth?: EndpointAuth;
  /** The endpoint says `observe`: whoever comes in is an observer, whatever the hello asks. */
  observe?: boolean;
  /** Id of the endpoint (as `.servers` lists it), shown in `.clients`. */
  endpoint?: number;
  /** How long a dropped peer has to read what was queued for it, and why it was dropped. */
  dropGraceMs?: number;
  /** Called once the peer has logged in, or has closed before (its handshake is over). */
  onSettled?: () => void;
}

/**
 * Bytes a peer may send before it has logged in: a hello and an auth take a few hundred, so a
 * stranger cannot make the server buffer a big frame (the frame limit is for the session).
 */
export const PRELOGIN_MAX_BYTES = 16 * 1024;

export const DEFAULT_DROP_GRACE_MS = 30_000;
