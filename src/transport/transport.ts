/**
 * The transport interface: every transport (tcp, npipe, and later ssl, com)
 * gives the session the same minimal byte channel. Each implementation passes
 * the shared contract suite in tests/transport/contract.ts.
 */
import type { ConnSpec } from "../connstr.ts";
import type { VersionInfo } from "../version.ts";

export interface ChannelHandlers {
  /** Bytes arrived. Chunks are split and merged arbitrarily. */
  data(chunk: Uint8Array): void;
  /** The channel is closed (by either side). `error` is set if it broke. */
  close(error?: Error): void;
}

/** One connected, ordered, reliable byte stream. */
export interface Channel {
  /** Where the other end is, for people: "tcp:127.0.0.1:40312", "npipe:/run/…/demo". */
  readonly peer: string;
  /** Attach the handlers and start reading. Call once. */
  start(handlers: ChannelHandlers): void;
  /** Queue bytes for sending. Never blocks; see {@link pending}. */
  write(chunk: Uint8Array): void;
  /** Bytes queued but not yet handed to the OS: a peer that doesn't read makes this grow. */
  readonly pending: number;
  /** Flush what is queued, then close. */
  end(): void;
  /** Close at once, dropping anything queued. */
  destroy(): void;
  /**
   * Set when the transport itself has authenticated the peer for a password
   * endpoint (a browser with a live login cookie): the session asks no password.
   */
  readonly preauthenticated?: boolean;
  /** Told once the peer has proven the endpoint's password (the http transport starts a login). */
  authenticated?(): void;
}

export interface Listener {
  /** The bound address as a connection string a client can use, e.g. "tcp:server=127.0.0.1,port=5005". */
  readonly address: string;
  /** For endpoints people open in a browser: the address to open. */
  readonly url?: string;
  /** Stop accepting. Connected channels stay open. */
  close(): Promise<void>;
}

export interface ListenOptions {
  /** The server's pid, for `%d` in pipe names. */
  pid: number;
  /** The server's thread id, for `%x` in pipe names (WinDbg's). */
  tid?: number;
  /** Where a transport reports trouble that has no caller to throw to (the server's log). */
  log?: (line: string) => void;
  /** The server's version (the browser client's page speaks it). */
  version?: VersionInfo;
  /**
   * A loopback endpoint's session token (src/endpoint_policy.ts), its password: the browser
   * endpoint puts it in the URL it prints, and the page opened from that URL is logged in.
   */
  loginToken?: string;
}

export interface ConnectOptions {
  /** Give up connecting after this long. */
  timeoutMs?: number;
}

export interface Transport {
  readonly name: ConnSpec["transport"];
  listen(
    spec: ConnSpec,
    accept: (channel: Channel) => void,
    options: ListenOptions,
  ): Promise<Listener>;
  connect(spec: ConnSpec, options?: ConnectOptions): Promise<Channel>;
}
