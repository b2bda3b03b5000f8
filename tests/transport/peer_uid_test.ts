import assert from "node:assert/strict";
import net from "node:net";
import {
  createUidLookup,
  loopbackPeerUid,
  peerEndpoint,
  uidInTable,
} from "../../src/transport/peer_uid.ts";

// /proc/net/tcp as Linux writes it: a server on 127.0.0.1:5005 (uid 0) and a client's end
// 127.0.0.1:40312 (uid 65534); a socket of uid 1000 on 10.0.0.5 with the same port number.
const TABLE =
  `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:138D 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0
   1: 0500000A:9D78 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 2 1 0
   2: 0100007F:9D78 0100007F:138D 01 00000000:00000000 00:00000000 00000000 65534        0 3 1 0
`;

Deno.test("peer uid: the owner of the peer's own loopback end, from the kernel's table", () => {
  assert.equal(uidInTable(TABLE, 40312), 65534);
  assert.equal(uidInTable(TABLE, 5005), 0);
  assert.equal(uidInTable(TABLE, 1), undefined);
  const v6 =
    `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid
   0: 00000000000000000000000001000000:9D78 00000000000000000000000001000000:138D 01 00000000:00000000 00:00000000 00000000  1001 0 1
`;
  assert.equal(uidInTable(v6, 40312), 1001);
  assert.deepEqual(peerEndpoint("tcp:127.0.0.1:40312"), { address: "127.0.0.1", port: 40312 });
  assert.deepEqual(peerEndpoint("http:[::1]:40312"), { address: "::1", port: 40312 });
  // Only loopback peers are looked up: a remote address is one machine, its own identity.
  assert.equal(loopbackPeerUid("tcp:10.0.0.5:40312", undefined, () => TABLE), undefined);
  assert.equal(loopbackPeerUid("tcp:127.0.0.1:40312", undefined, () => TABLE), 65534);
});

Deno.test("peer uid: a real loopback connection of this process is found as ours", async () => {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const client = net.connect((server.address() as net.AddressInfo).port, "127.0.0.1");
  await new Promise((r) => client.once("connect", r));
  try {
    const port = (server.address() as net.AddressInfo).port;
    assert.equal(loopbackPeerUid(`tcp:127.0.0.1:${client.localPort}`, port), process.getuid!());
  } finally {
    client.destroy();
    await new Promise((r) => server.close(r));
  }
});

Deno.test("peer uid: connections accepted together share one read of the tables", () => {
  const reads: string[] = [];
  let turn: (() => void) | undefined;
  const lookup = createUidLookup((file) => {
    reads.push(file);
    return file.endsWith("tcp") ? TABLE : "header\n";
  }, (f) => (turn = f));
  assert.equal(lookup("tcp:127.0.0.1:40312"), 65534);
  assert.equal(lookup("tcp:127.0.0.1:5005"), 0);
  assert.equal(reads.length, 2, "one read of tcp and tcp6 for both");
  assert.equal(lookup("tcp:127.0.0.1:1"), undefined, "a port not in the last read...");
  assert.equal(reads.length, 4, "...is read afresh");
  turn!();
  assert.equal(lookup("tcp:127.0.0.1:40312"), 65534);
  assert.equal(reads.length, 6, "the next turn reads again");
  assert.equal(lookup("tcp:10.0.0.5:40312"), undefined);
  assert.equal(reads.length, 6, "a remote peer costs no read");
});

Deno.test("peer uid: one ephemeral port shared by two connections is told apart by the server's port", () => {
  // Linux may reuse 40312 for connections to different destinations: root's to 6000 is listed
  // first, nobody's to our 5005 second.
  const shared = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid
   0: 0100007F:9D78 0100007F:1770 01 00000000:00000000 00:00000000 00000000     0 0 1
   1: 0100007F:9D78 0100007F:138D 01 00000000:00000000 00:00000000 00000000 65534 0 2
`;
  assert.equal(uidInTable(shared, 40312, 5005), 65534);
  assert.equal(uidInTable(shared, 40312, 6000), 0);
  assert.equal(
    uidInTable(shared, 40312, 7000),
    undefined,
    "never a guess when the server's port is known",
  );
  assert.equal(loopbackPeerUid("tcp:127.0.0.1:40312", 5005, () => shared), 65534);
});
