import { parseConnStr } from "../../src/connstr.ts";
import { createTcpTransport } from "../../src/transport/tcp.ts";
import { transportContract } from "./contract.ts";

transportContract("tcp", {
  make: createTcpTransport,
  listenSpec: () => parseConnStr("tcp:port=0,server=127.0.0.1", "listen"),
  // Port 1 on loopback: nothing listens there.
  deadSpec: () => parseConnStr("tcp:server=127.0.0.1,port=1", "connect"),
});
