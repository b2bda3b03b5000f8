/**
 * Session controls (.clients, .echo, .servers, .server, .endsrv, .remote_exit, .help) and
 * observers, on the session with the fake engine and a fake set of endpoints.
 */
import assert from "node:assert/strict";
import { maskSecrets } from "../../src/connstr.ts";
import { TransportError } from "../../src/errors.ts";
import { CONTROL_CHAR, type SessionEvent } from "../../src/protocol/messages.ts";
import type { EndpointInfo, SessionControls } from "../../src/session/controls.ts";
import { formatDuration } from "../../src/session/meta.ts";
import { type Client, doneOf, lab, whileRunning } from "./lab.ts";

/** Two endpoints (an operators' tcp one with a password, an observers' pipe); opens and closes recorded. */
function fakeControls(): SessionControls & { list: EndpointInfo[] } {
  const list: EndpointInfo[] = [
    {
      id: 0,
      spec: "tcp:port=5005,password_env=LAB_PW",
      address: "tcp:server=127.0.0.1,port=5005,password_env=LAB_PW",
      state: "accepting",
      observe: false,
    },
    {
      id: 1,
      spec: "npipe:pipe=watch,observe",
      address: "npipe:pipe=watch",
      state: "accepting",
      observe: true,
    },
  ];
  return {
    list,
    servers: () => list.map((e) => ({ ...e })),
    open(text) {
      if (/port=5005\b/.test(text)) {
        return Promise.reject(
          new TransportError("E_ADDR_IN_USE", "tcp port 5005 on 0.0.0.0 is already in use", {
            hint: "pick another port",
          }),
        );
      }
      const spec = maskSecrets(text);
      const info: EndpointInfo = {
        id: list.length,
        spec,
        address: spec.replace("port=", "server=127.0.0.1,port="),
        state: "accepting",
        observe: /\bobserve\b/.test(text),
      };
      list.push(info);
      return Promise.resolve({ ...info });
    },
    close(id, by) {
      const e = list.find((x) => x.id === id)!;
      e.state = "closed";
      e.closedBy = by;
      return Promise.resolve({ ...e });
    },
  };
}

/** Everything a client saw on its console and error streams, joined. */
function outText(c: Client): string {
  return c.events.map((e) => e.t === "out" ? e.text : "").join("");
}

function notices(c: Client): string[] {
  return c.events.flatMap((e) => e.t === "notice" ? [e.text] : []);
}

const noticeMatching = (re: RegExp) => (e: SessionEvent) => e.t === "notice" && re.test(e.text);

Deno.test("formatDuration: seconds, minutes, hours, days", () => {
  assert.equal(formatDuration(0), "0s");
  assert.equal(formatDuration(45_999), "45s");
  assert.equal(formatDuration(133_000), "2m13s");
  assert.equal(formatDuration(3_600_000 + 5 * 60_000), "1h05m");
  assert.equal(formatDuration(3 * 86_400_000 + 2 * 3_600_000), "3d02h");
});

Deno.test(".clients: id, who, role, transport, endpoint, tool, since, idle; the issuer marked", async () => {
  let now = 1_700_000_000_000;
  const l = lab({ now: () => now, controls: fakeControls() });
  const a = await l.join("alice", { endpoint: 0 });
  now += 1000;
  const b = await l.join("bob", { endpoint: 1, observeEndpoint: true });
  a.conn.command("print 1");
  await a.until(doneOf(1));
  now += 133_000; // 2m13s after alice's command
  b.conn.command(".clients");
  await b.until(doneOf(2));
  const lines = outText(b).split("\n").filter((line) => /@h/.test(line));
  assert.equal(lines.length, 2, outText(b));
  const [alice, bob] = lines;
  assert.match(
    alice,
    /^ {4}1 +alice@h +operator +mem:alice \(endpoint 0\) +test +since \d\d:\d\d:\d\d +idle 2m13s$/,
  );
  assert.match(
    bob,
    /^ {2}\* 2 +bob@h +observer +mem:bob \(endpoint 1\) +test +since \d\d:\d\d:\d\d +idle 0s$/,
    "the issuer is marked; asking is activity too",
  );
  assert.match(outText(b), /2 participants \(\* asked\):/);
  // The same list, as data, in the welcome of the next one to join.
  now += 5000;
  const c = await l.join("carol", { endpoint: 0 });
  const [wa, wb, wc] = c.conn.welcome.clients;
  assert.deepEqual(
    { role: wa.role, endpoint: wa.endpoint, since: wa.since, lastActive: wa.lastActive },
    {
      role: "operator",
      endpoint: 0,
      since: 1_700_000_000_000,
      lastActive: 1_700_000_001_000,
    },
  );
  assert.equal(wb.role, "observer");
  assert.equal(wc.lastActive, undefined, "no commands yet");
  a.conn.command(".clients");
  await c.until(doneOf(3));
  const again = outText(c);
  assert.match(again, /^ {2}\* 1 +alice@h .* idle 0s$/m);
  assert.match(again, /^ {4}2 +bob@h .* idle 5s$/m);
  assert.match(again, /^ {4}3 +carol@h +operator +mem:carol \(endpoint 0\) .* no commands yet$/m);
  await l.session.end("test over");
});

Deno.test(".echo says the text to everyone, with who said it", async () => {
  const l = lab();
  const a = await l.join("alice");
  const b = await l.join("bob");
  a.conn.command(".echo lunch in 5");
  await b.until(doneOf(1));
  assert.match(outText(b), /^alice@h: lunch in 5\n$/m);
  assert.match(outText(a), /^alice@h: lunch in 5\n$/m);
  assert.deepEqual(l.engine.executed, []);
  await l.session.end("test over");
});

Deno.test(".echo and the echo of a command carry no terminal controls: an observer cannot drive others' terminals", async () => {
  const l = lab();
  const a = await l.join("alice");
  const w = await l.join("walt", { observe: true });
  // An OSC 52 (write the clipboard), a bell, a screen clear, and a forged line of the session's own.
  w.conn.command(
    ".echo hi\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\n*** alice@h interrupted the target\r\x9b31m",
  );
  await a.until(doneOf(1));
  const texts = a.events.flatMap((e) => e.t === "echo" || e.t === "out" ? [e.text] : []);
  assert.equal(texts.length, 2, "the echo and the line .echo says");
  for (const text of texts) {
    // Each event is one line: nothing but its own final newline is a control character.
    assert.doesNotMatch(text.replace(/\n$/, ""), CONTROL_CHAR, JSON.stringify(text));
  }
  assert.match(
    outText(a),
    /^walt@h: hi\^\[\]52;c;cm0gLXJmIH4=\^G\^\[\[2J\^J\*\*\* alice@h interrupted the target\^M<U\+009B>31m\n$/m,
    "shown, visibly, on one line",
  );
  await l.session.end("test over");
});

Deno.test(".echo shows bidirectional overrides visibly: a line cannot read as something else", async () => {
  const l = lab();
  const a = await l.join("alice");
  const w = await l.join("walt", { observe: true });
  w.conn.command(".echo run \u202etxt.exe\u2066");
  await a.until(doneOf(1));
  assert.match(outText(a), /^walt@h: run <U\+202E>txt\.exe<U\+2066>\n$/m);
  await l.session.end("test over");
});

Deno.test(".servers lists the endpoints: id, masked string, state, clients, address", async () => {
  const controls = fakeControls();
  controls.list[0].spec = "tcp:port=5005,password=*";
  controls.list[0].address = "tcp:server=127.0.0.1,port=5005,password=*";
  const l = lab({ controls });
  const a = await l.join("alice", { endpoint: 0 });
  await l.join("bob", { endpoint: 1, observeEndpoint: true });
  a.conn.command(".servers");
  await a.until(doneOf(1));
  const lines = outText(a).trimEnd().split("\n");
  assert.equal(lines.length, 2, outText(a));
  assert.match(
    lines[0],
    /^ {2}0 - tcp:port=5005,password=\* +accepting +1 client +join: dbgremote client tcp:server=127\.0\.0\.1,port=5005,password=\*$/,
  );
  assert.match(
    lines[1],
    /^ {2}1 - npipe:pipe=watch,observe +accepting +1 client \(observers\) +join: dbgremote client npipe:pipe=watch$/,
  );
  await l.session.end("test over");
});

Deno.test(".server opens an endpoint and tells everyone; the password never shows", async () => {
  const controls = fakeControls();
  const l = lab({ controls });
  const a = await l.join("alice");
  const b = await l.join("bob");
  a.conn.command(".server tcp:port=5007,password=hunter2,observe");
  const opened = await b.until(noticeMatching(/opened endpoint/));
  assert.equal(
    opened.t === "notice" && opened.text,
    "alice@h opened endpoint 2: tcp:port=5007,password=*,observe (everyone who joins there is an observer); " +
      "join with: dbgremote client tcp:server=127.0.0.1,port=5007,password=*,observe",
  );
  await b.until(doneOf(1));
  const everything = JSON.stringify([...a.events, ...b.events, ...l.session.clients()]);
  assert.doesNotMatch(everything, /hunter2/, "the echo and scrollback mask the password");
  assert.ok(
    b.events.some((e) => e.t === "echo" && e.text === ".server tcp:port=5007,password=*,observe"),
  );
  assert.equal(controls.list.length, 3);
  await l.session.end("test over");
});

Deno.test(".server mistakes go to the issuer only; the session is unaffected", async () => {
  const controls = fakeControls();
  const l = lab({ controls });
  const a = await l.join("alice");
  const b = await l.join("bob");
  a.conn.command(".server tcp:port=5005");
  a.conn.command(".server");
  a.conn.command("print 7");
  await b.until(doneOf(3));
  await a.until(doneOf(3));
  const mine = outText(a);
  assert.match(
    mine,
    /error\[E_ADDR_IN_USE\]: tcp port 5005 on 0\.0\.0\.0 is already in use\n {2}hint: pick another port/,
  );
  assert.match(
    mine,
    /error\[E_USAGE\]: \.server needs a connection string\n {2}hint: for example: \.server tcp:port=5007/,
  );
  const theirs = outText(b);
  assert.doesNotMatch(theirs, /E_ADDR_IN_USE|E_USAGE/);
  assert.match(theirs, /\$1 = 7/, "the session goes on");
  const failed = b.events.find(doneOf(1));
  assert.ok(failed?.t === "done" && !failed.ok && failed.error === undefined);
  assert.equal(controls.list.length, 2, "nothing opened");
  assert.ok(!notices(b).some((n) => /opened endpoint/.test(n)));
  await l.session.end("test over");
});

Deno.test(".endsrv stops accepting on an endpoint; its clients stay; bad ids list the valid ones", async () => {
  const controls = fakeControls();
  const l = lab({ controls });
  const a = await l.join("alice", { endpoint: 0 });
  const b = await l.join("bob", { endpoint: 0 });
  a.conn.command(".endsrv 0");
  const closed = await b.until(noticeMatching(/closed endpoint/));
  assert.equal(
    closed.t === "notice" && closed.text,
    "alice@h closed endpoint 0 (tcp:port=5005,password_env=LAB_PW): nobody new can join there; " +
      "2 clients who came in through it stay",
  );
  assert.deepEqual(controls.list[0].closedBy, "alice@h");
  a.conn.command(".endsrv 7");
  a.conn.command(".endsrv 0");
  a.conn.command(".endsrv");
  a.conn.command(".servers");
  await a.until(doneOf(5));
  await b.until(doneOf(5));
  const mine = outText(a);
  assert.match(
    mine,
    /error\[E_USAGE\]: \.endsrv 7: there is no endpoint 7\n {2}hint: endpoints accepting now: 1 \(npipe:pipe=watch,observe\) \(\.servers lists them all\)/,
  );
  assert.match(mine, /endpoint 0 \(tcp:port=5005,password_env=LAB_PW\) is already closed/);
  assert.match(mine, /\.endsrv needs the id of an endpoint/);
  assert.match(mine, /0 - tcp:port=5005,password_env=LAB_PW +closed by alice@h +2 clients\n/);
  assert.doesNotMatch(outText(b), /E_USAGE/, "mistakes reach the issuer only");
  // Closing the last one says nobody can join any more, and how to open one.
  b.conn.command(".endsrv 1");
  const last = await a.until(noticeMatching(/closed endpoint 1/));
  assert.match(
    last.t === "notice" ? last.text : "",
    /0 clients who came in through it stay; no endpoint accepts new clients now \(\.server CONNSTR opens one\)$/,
  );
  assert.deepEqual(l.session.clients().map((c) => c.who.user), ["alice", "bob"]);
  await l.session.end("test over");
});

Deno.test("without a server behind it, .servers says so instead of failing silently", async () => {
  const l = lab();
  const a = await l.join("alice");
  a.conn.command(".servers");
  await a.until(doneOf(1));
  assert.match(outText(a), /\.servers is not available: this session has no endpoints/);
  await l.session.end("test over");
});

Deno.test(".remote_exit: the one who leaves goes quietly, the others are told, observers too", async () => {
  const l = lab();
  const a = await l.join("alice");
  const b = await l.join("bob", { observe: true });
  b.conn.command(".remote_exit");
  await b.conn.closed;
  await a.until(noticeMatching(/^bob@h left \(\.remote_exit\)$/));
  const c = await l.join("carol");
  c.conn.leave(); // what Ctrl+B sends
  await a.until(noticeMatching(/^carol@h left$/));
  assert.deepEqual(l.session.clients().map((x) => x.who.user), ["alice"]);
  await l.session.end("test over");
});

Deno.test(".help lists every session command and the observer rule", async () => {
  const l = lab();
  const a = await l.join("alice");
  a.conn.command(".help");
  await a.until(doneOf(1));
  const help = outText(a);
  for (
    const cmd of [
      ".clients",
      ".echo TEXT",
      ".servers",
      ".server CONNSTR",
      ".endsrv ID",
      ".remote_exit",
      ".logopen [/t] FILE",
      ".logappend FILE",
      ".logclose",
      ".logfile",
      ".help",
      ".input [TEXT]",
      ".eof",
      ".ttysize COLSxROWS",
      "q ",
      "Ctrl+C",
    ]
  ) {
    assert.ok(help.includes(`\n  ${cmd}`), `${cmd} missing from:\n${help}`);
  }
  assert.match(
    help,
    /observers may use \.clients, \.echo, \.servers, \.remote_exit and \.help; debugger commands, q, \.server, \.endsrv, \.logopen, \.logappend, \.logclose, \.logfile, \.input, \.eof, \.ttysize and Ctrl\+C are refused/,
  );
  a.conn.command(".bogus");
  await a.until(doneOf(2));
  assert.match(
    outText(a),
    /unknown meta-command \.bogus: dbgremote knows \.clients, \.echo, \.endsrv, \.eof, \.help, \.input, \.logappend, \.logclose, \.logfile, \.logopen, \.remote_exit, \.server, \.servers and \.ttysize\n/,
  );
  await l.session.end("test over");
});

Deno.test("observers: the welcome says the role; an observe endpoint decides, whatever the client asks", async () => {
  const l = lab();
  const op = await l.join("alice");
  const asked = await l.join("bob", { observe: true });
  const forced = await l.join("carol", { observeEndpoint: true, observe: false });
  assert.equal(op.conn.welcome.role, "operator");
  assert.equal(asked.conn.welcome.role, "observer");
  assert.equal(forced.conn.welcome.role, "observer");
  assert.deepEqual(
    l.session.clients().map((c) => c.role),
    ["operator", "observer", "observer"],
  );
  assert.ok(notices(op).some((n) => /^bob@h joined \(mem:bob\) as an observer$/.test(n)));
  // A second observer within a second of the first is told at the end of that second.
  await op.until((e) => e.t === "notice" && e.text === "carol@h joined (mem:carol) as an observer");
  await l.session.end("test over");
});

Deno.test("observers: commands are refused to them alone, not echoed, not queued", async () => {
  const controls = fakeControls();
  const l = lab({ controls });
  const a = await l.join("alice");
  const w = await l.join("walt", { observeEndpoint: true });
  for (const cmd of ["print 1", "q", ".server tcp:port=5009", ".endsrv 0", ".bogus"]) {
    w.conn.command(cmd);
  }
  await w.conn.idle(); // every refused command is done for its issuer
  const refused = w.events.filter((e) => e.t === "done");
  assert.equal(refused.length, 5);
  for (const d of refused) {
    assert.ok(d.t === "done" && d.refused === true && d.ok === false && d.seq === 0);
    assert.match(
      d.t === "done" ? d.error ?? "" : "",
      /^refused: you are an observer: you see everything, but ".*" did not run/,
    );
  }
  // Allowed: reading and speaking. They run in order like everyone's, and everyone sees them.
  w.conn.command(".echo hi from the back row");
  w.conn.command(".clients");
  w.conn.command(".servers");
  w.conn.command(".help");
  await a.until(doneOf(4));
  assert.deepEqual(
    a.events.flatMap((e) => e.t === "echo" ? [e.text] : []),
    [".echo hi from the back row", ".clients", ".servers", ".help"],
    "refused commands were never echoed",
  );
  assert.match(outText(a), /walt@h: hi from the back row/);
  assert.deepEqual(l.engine.executed, [], "nothing reached the debugger");
  assert.equal(controls.list.length, 2, ".server from an observer opened nothing");
  assert.equal(controls.list[0].state, "accepting", ".endsrv from an observer closed nothing");
  assert.equal(l.session.ended, false, "q from an observer ended nothing");
  assert.ok(!a.events.some((e) => e.t === "done" && e.refused), "the others saw no refusal");
  // The operator goes on as before.
  a.conn.command("print 2");
  await a.until(doneOf(5));
  assert.deepEqual(l.engine.executed, ["print 2"]);
  await l.session.end("test over");
});

Deno.test("observers: Ctrl+C is refused to them alone; the target runs on", async () => {
  const l = lab();
  const a = await l.join("alice");
  const w = await l.join("walt", { observe: true });
  await whileRunning(l, a, w);
  w.conn.interrupt();
  const refusal = await w.until(noticeMatching(/refused/));
  assert.equal(refusal.t === "notice" && refusal.kind, "warning");
  assert.match(
    refusal.t === "notice" ? refusal.text : "",
    /observer: Ctrl\+C \(interrupt\) is for operators/,
  );
  assert.equal(l.engine.state, "running");
  assert.ok(!notices(a).some((n) => /interrupt|refused/.test(n)), "the others were not told");
  a.conn.interrupt();
  await a.until(doneOf(1));
  assert.ok(notices(a).includes("alice@h interrupted the target"));
  await l.session.end("test over");
});
