/** `dbgremote help`, `dbgremote help SUBCOMMAND` and `dbgremote SUBCOMMAND --help`. */

/** `dbgremote help`: every subcommand once, connection strings, and the session's commands. */
export const USAGE = `dbgremote: remote debugging the WinDbg way: one server, many clients.

usage (dbgremote help SUBCOMMAND, or dbgremote SUBCOMMAND --help, for one in full):
  dbgremote run [LAB.toml] [--node NAME]   start this host's nodes of a lab
                                           (no file: the built-in local demo lab)
  dbgremote check LAB.toml                  validate a lab; list every problem
  dbgremote plan [LAB.toml]                 show which roles start on which host
  dbgremote server [--name N] [--noio] [--nodiscover] [--log FILE] CONNSTR... -- gdb [--args] PROGRAM [ARGS...]
                                           debug PROGRAM and serve it on each CONNSTR
  dbgremote client [--user U] [--observe] [--wait | --wait-max S] [--reconnect] CONNSTR
                                           join a server's session (--observe: watch only;
                                           --wait: until it is up; --reconnect: rejoin when
                                           it comes back)
  dbgremote ship LAB.toml [--node NAME]... [--ssh-option OPT]... [--dir DIR] [--dry-run]
                                           copy this binary and the lab to its hosts over ssh;
                                           start the servers there, print the clients' commands
  dbgremote search [HOST] [--timeout S] [--json]
                                           list the servers answering now, on the network
                                           or on HOST (WinDbg's -QR \\\\HOST)
  dbgremote cert [--name N] [--host H]... [--out DIR] [--days D] [--force]
                                           a self-signed certificate + key for ssl:/spipe:
  dbgremote log show [--times | --asciicast] FILE
                                           print a session record (.logopen, server --log)
  dbgremote version [--json]                release and protocol of this build

connection strings (WinDbg syntax):
  tcp:port=5005,server=127.0.0.1  listen on loopback only
  tcp:port=5005,password_env=VAR  listen on every interface; the password is in $VAR
  tcp:server=HOST,port=5005     connect to HOST:5005
  npipe:pipe=NAME               a local pipe (Unix-domain socket, mode 0600); %d = server pid
  ssl:port=5006,certfile=F,keyfile=K   TLS 1.3 over tcp (client: ssl:server=HOST,port=5006,cafile=F)
  spipe:pipe=NAME,certfile=F,keyfile=K TLS 1.3 over a local pipe
  http:port=8081,server=127.0.0.1  the browser client: open http://127.0.0.1:8081/
  https:port=8443,certfile=F,keyfile=K the browser client over TLS 1.3; expire=12h: login lifetime
  ...,password_env=VAR          the session password, from $VAR (never sent: challenge-response)
  ...,insecure / ...,hidden     allow tcp beyond loopback without a password / stay out of searches
  ...,observe                   (server) everyone who joins here is an observer

in a session:
  any debugger command          runs on the server; everyone sees it and its output
  Ctrl+C                        interrupt the running target
  Ctrl+B or .remote_exit        leave; the session goes on for the others
  q                             end the session for everyone
  .clients  .echo TEXT          who is here / say TEXT to everyone
  .servers                      this server's endpoints, with ids
  .server CONNSTR  .endsrv ID   open one more endpoint / stop accepting on one
  .logopen [/t] FILE  .logclose record the session to FILE on the server / stop (.logappend, .logfile)
  .help                         all of these; observers may only read, .echo and leave
`;

/** One subcommand's own help: what `dbgremote SUBCOMMAND --help` prints. */
export const COMMAND_HELP: Record<string, string> = {
  run: `usage: dbgremote run [LAB.toml] [--node NAME]

Start this host's nodes of a lab: those whose host is this machine's name (or the one --node
names). Without a file: the built-in demo lab (a gdb server on a sample program, and a console
client in this terminal).

  --node NAME   start only node NAME, whatever its host
`,
  check: `usage: dbgremote check LAB.toml

Validate a lab and print every problem as FILE:LINE:COL: message, each with a hint.
Exit code 0: the lab is fine; 2: it has problems.
`,
  plan: `usage: dbgremote plan [LAB.toml]

Print which roles start on which host, and how each client connects.
Without a file: the built-in demo lab.
`,
  server: `usage: dbgremote server [OPTIONS] CONNSTR... -- gdb [--args] PROGRAM [ARGS...]

Debug PROGRAM with gdb and serve the session on every CONNSTR at once (WinDbg's -server).
This terminal takes part in the session unless --noio.

  --name N       the server's name, shown to clients (default: the host name)
  --noio         this terminal does not take part (Ctrl+C or SIGTERM stops the server)
  --nodiscover   do not answer dbgremote search
  --log FILE     record the session to FILE (dbgremote log show FILE reads it)

for example:
  dbgremote server tcp:port=5005,password_env=LAB_PW npipe:pipe=demo-%d -- gdb --args ./app 8080
`,
  client: `usage: dbgremote client [OPTIONS] CONNSTR

Join a server's session (WinDbg's -remote).

  --user U       the name the others see (default: your login)
  --observe      join as an observer: see everything, run nothing
  --wait         if the server is not up yet, wait for it (until Ctrl+C)
  --wait-max S   the same, for at most S seconds
  --reconnect    when the server goes away (not after q), wait for it and rejoin

for example:
  dbgremote client tcp:server=lab1,port=5005,password_env=LAB_PW
  dbgremote client npipe:pipe=demo-12345
`,
  ship: `usage: dbgremote ship LAB.toml [OPTIONS]

Copy this binary, the lab and its certificates to the lab's hosts over ssh, start the servers
there, and print the command each client's person types.

  --node NAME        only this node (repeat for more)
  --ssh-option OPT   pass -o OPT to ssh and scp (repeat for more), e.g. Port=2222
  --dir DIR          where on the hosts (default: .dbgremote, under the login's home)
  --dry-run          print every step; contact nobody
`,
  search: `usage: dbgremote search [HOST] [OPTIONS]

List the servers answering now: on this network segment, or on HOST (WinDbg's -QR \\\\HOST;
a name, \\\\NAME, an address, or localhost).

  --timeout S   how long to listen for answers (default 1.5 s)
  --json        one JSON object per server, for programs
`,
  cert: `usage: dbgremote cert [OPTIONS]

Make a self-signed certificate and key (ECDSA P-256) for a lab's ssl:, spipe: and https:
endpoints; the same certificate is the clients' cafile.

  --name N    file names N.crt and N.key (default: dbgremote-lab)
  --host H    one more name or address the certificate is for (repeat for more)
  --out DIR   where to write them (default: .)
  --days D    how long it is valid (default: 365)
  --force     replace existing files
`,
  log: `usage: dbgremote log show [--times | --asciicast] FILE

Print a session record (written by .logopen FILE or dbgremote server --log FILE) as the
console showed the session.

  --times       start every line with its time (ISO 8601, UTC)
  --asciicast   write asciicast v2 instead, for asciinema players:
                dbgremote log show --asciicast FILE > session.cast
`,
  version: `usage: dbgremote version [--json]

Print this build's release, protocol, runtime and platform.

  --json   one line of JSON, for programs
`,
  help: `usage: dbgremote help [SUBCOMMAND]

Print the usage of every subcommand, or of one in full (as dbgremote SUBCOMMAND --help).
`,
};

/** Subcommands with help, as `dbgremote help` names them. */
export function helpTopics(): string[] {
  return Object.keys(COMMAND_HELP);
}
