/**
 * What a session may ask of the server that hosts it: its endpoints, for
 * `.servers`, `.server` and `.endsrv`. The session knows no sockets or
 * transports; src/server/server.ts implements this over its endpoints list.
 */

/** One endpoint of the server, as people see it: secrets masked everywhere. */
export interface EndpointInfo {
  /** Stable for the server's lifetime, from 0, never reused (WinDbg: "0 - tcp:Port=5005"). */
  id: number;
  /** Its connection string as configured, e.g. "tcp:port=5005,password_env=LAB_PW" (password=* for an inline one). */
  spec: string;
  /** What a client gives `dbgremote client` to come in here, secrets masked the same way. */
  address: string;
  /** "closed": `.endsrv` stopped it accepting (its clients stayed). */
  state: "accepting" | "closed";
  /** Who closed it, e.g. "alice@laptop". */
  closedBy?: string;
  /** Everyone who comes in here is an observer. */
  observe: boolean;
}

export interface SessionControls {
  /** Every endpoint, open or closed, by id. */
  servers(): EndpointInfo[];
  /**
   * Open one more endpoint from a listening connection string, with the same checks as
   * at startup. Rejects with a DbgRemoteError saying what is wrong; nothing changes then.
   * `by` is who asked, e.g. "alice@laptop", for the server's log.
   */
  open(text: string, by: string): Promise<EndpointInfo>;
  /** Stop accepting on endpoint `id`; clients that came in through it stay. */
  close(id: number, by: string): Promise<EndpointInfo>;
}
