/** What a connection string says, per transport: the parsed endpoint (see ../connstr.ts). */

/** Options every transport takes. */
export interface CommonSpec {
  /** The session password, given inline (WinDbg's key). Never printed: see {@link formatConnStr}. */
  password?: string;
  /** Name of an environment variable holding the password: keeps it out of files and `ps`. */
  passwordEnv?: string;
  /** Listen on a non-loopback tcp address without a password, knowingly. */
  insecure?: boolean;
  /** Keep this endpoint out of server searches. */
  hidden?: boolean;
  /**
   * (listen) Everyone who joins through this endpoint is an observer: sees the whole
   * session, cannot run commands or interrupt. The server enforces it.
   */
  observe?: boolean;
}

export interface TcpSpec extends CommonSpec {
  transport: "tcp";
  /** Port to listen on or dial; with {@link portEnd}, the first port of a range. */
  port?: number;
  /** Last port of a `port=Start:End` range (listen only). */
  portEnd?: number;
  /**
   * Reverse connection (WinDbg's clicon): a server dials this client host instead of
   * listening; a client waits for the server named here to dial in.
   */
  clicon?: string;
  /** Address to dial (client) or bind (server). */
  server?: string;
  ipversion?: 4 | 6;
}

export interface NpipeSpec extends CommonSpec {
  transport: "npipe";
  /** Pipe name (a socket file in the pipe directory) or an absolute socket path. */
  pipe: string;
}

/** TLS options of the ssl and spipe transports (file paths, PEM). */
export interface TlsOptions {
  /** Server: its certificate. Client: its own certificate, for servers that want one. */
  certfile?: string;
  /** The private key of certfile. */
  keyfile?: string;
  /** Client: trust this CA (or self-signed certificate) for the server. */
  cafile?: string;
  /** Server: accept only clients with a certificate signed by this CA. */
  clientca?: string;
}

/** `ssl:` is TLS 1.3 over tcp. */
export interface SslSpec extends Omit<TcpSpec, "transport">, TlsOptions {
  transport: "ssl";
}

/** `spipe:` is TLS 1.3 over the local pipe. */
export interface SpipeSpec extends Omit<NpipeSpec, "transport">, TlsOptions {
  transport: "spipe";
}

/** `com:` is a serial line (WinDbg's COM port): one client at a time over a tty device. */
export interface ComSpec extends CommonSpec {
  transport: "com";
  /** The device, e.g. /dev/ttyS0 or /dev/ttyUSB0 (WinDbg's `port=`). */
  device: string;
  baud: number;
}

/**
 * `http:` serves the browser client (a web page and its WebSocket) on a tcp port;
 * native clients can connect to it too. `https:` is the same over TLS.
 */
export interface HttpSpec extends CommonSpec {
  transport: "http";
  port?: number;
  /** Last port of a `port=Start:End` range (listen only). */
  portEnd?: number;
  /** Address to dial (client) or bind (server). */
  server?: string;
  ipversion?: 4 | 6;
  /** How long a browser login lasts, in seconds (`expire=12h`). */
  expire?: number;
}

export interface HttpsSpec extends Omit<HttpSpec, "transport">, Omit<TlsOptions, "clientca"> {
  transport: "https";
}

/** `dap:` takes editors (VS Code, nvim-dap, dape) over the Debug Adapter Protocol; listen only. */
export interface DapSpec extends Omit<TcpSpec, "transport" | "clicon"> {
  transport: "dap";
}

/** `daps:` is `dap:` over TLS (the attach request carries the password). */
export interface DapsSpec extends Omit<DapSpec, "transport">, Omit<TlsOptions, "clientca"> {
  transport: "daps";
}

export type ConnSpec =
  | TcpSpec
  | NpipeSpec
  | SslSpec
  | SpipeSpec
  | ComSpec
  | HttpSpec
  | HttpsSpec
  | DapSpec
  | DapsSpec;
export type Role = "listen" | "connect";
