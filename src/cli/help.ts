/** `dbgremote help`. */
export const USAGE = `dbgremote: remote debugging the WinDbg way: one server, many clients.

usage:
  dbgremote run [LAB.toml] [--node NAME]   start this host's nodes of a lab
                                           (no file: the built-in local demo lab)
  dbgremote check LAB.toml                  validate a lab; list every problem
  dbgremote plan LAB.toml                   show which roles start on which host
  dbgremote server [--name N] [--noio] [--nodiscover] CONNSTR... -- gdb [--args] PROGRAM [ARGS...]
                                           debug PROGRAM and serve it on each CONNSTR
  dbgremote client [--user U] [--wait | --wait-max S] [--reconnect] CONNSTR
                                           join a server's session (--wait: until it is up;
                                           --reconnect: rejoin when it comes back)
  dbgremote ship LAB.toml [--node NAME]... [--ssh-option OPT]... [--dir DIR] [--dry-run]
                                           copy this binary and the lab to its hosts over ssh;
                                           start the servers there, print the clients' commands
  dbgremote client [--user U] [--observe] CONNSTR
                                           join a server's session (--observe: watch only)
  dbgremote search [HOST] [--timeout S] [--json]
                                           list the servers answering now, on the network
                                           or on HOST (WinDbg's -QR \\\\HOST)
  dbgremote cert [--name N] [--host H]... [--out DIR] [--days D]
                                           a self-signed certificate + key for ssl:/spipe:
  dbgremote version [--json]                release and protocol of this build

connection strings (WinDbg syntax):
  tcp:port=5005                 listen on port 5005 (all interfaces)
  tcp:port=5005,server=127.0.0.1  listen on one address only
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
  .help                         all of these; observers may only read, .echo and leave
`;
