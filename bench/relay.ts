/**
 * The floor of any remote debugger built as a server process between its clients and gdb, as
 * dbgremote is: a bun process that passes newline-ended MI commands from one tcp client to gdb
 * and gdb's answer (the result record) back, and nothing else: no session, no framing, no echo.
 * The bench measures it beside gdb/MI direct and dbgremote, so the table says how much of a
 * ratio is the machine's (processes waking each other) and how much is dbgremote's.
 *
 *   bun bench/relay.ts PROGRAM     (prints the port it listens on, 127.0.0.1)
 */
import { spawn } from "node:child_process";
import net from "node:net";
import process from "node:process";

const gdb = spawn("gdb", ["--interpreter=mi3", "--nx", "--quiet", process.argv[2]], {
  stdio: ["pipe", "pipe", "ignore"],
});
let client: net.Socket | undefined;
let fromGdb = "";
gdb.stdout!.setEncoding("utf8").on("data", (text: string) => {
  fromGdb += text;
  for (let nl; (nl = fromGdb.indexOf("\n")) >= 0;) {
    const line = fromGdb.slice(0, nl + 1);
    fromGdb = fromGdb.slice(nl + 1);
    // Result records and stops answer the client; the rest (console text, prompts) it ignores.
    if (/^\d*\^/.test(line) || line.startsWith("*stopped")) client?.write(line);
  }
});
const server = net.createServer({ noDelay: true }, (socket) => {
  client = socket;
  socket.on("data", (chunk) => gdb.stdin!.write(chunk));
  socket.on("close", () => {
    gdb.kill("SIGKILL");
    server.close();
  });
});
server.listen(0, "127.0.0.1", () => console.log((server.address() as net.AddressInfo).port));
