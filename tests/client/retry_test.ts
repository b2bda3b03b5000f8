import assert from "node:assert/strict";
import { createBackoff, formatDelay, retryUntil, transientReason } from "../../src/client/retry.ts";
import { DbgRemoteError, ProtocolError, TransportError } from "../../src/errors.ts";
import { within } from "../support/within.ts";

function refused(): TransportError {
  const cause = Object.assign(new Error("connect ECONNREFUSED 198.18.0.1:5005"), {
    code: "ECONNREFUSED",
  });
  return new TransportError("E_CONNECT", "cannot connect to tcp lab1:5005: refused", { cause });
}

Deno.test("backoff: 0.25 s doubling to 5 s, never above, jitter only shortens", () => {
  const top = createBackoff({ random: () => 0 });
  const seq = Array.from({ length: 8 }, () => top.next());
  assert.deepEqual(seq, [250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
  assert.equal(top.capped, true);
  const low = createBackoff({ random: () => 0.999 });
  const jittered = Array.from({ length: 8 }, () => low.next());
  jittered.forEach((d, i) => assert.ok(d >= seq[i] * 0.8 && d <= seq[i], `${d} vs ${seq[i]}`));
  top.reset();
  assert.equal(top.next(), 250);
  assert.equal(top.capped, false);
});

Deno.test("transientReason: what waiting can fix, and what it cannot", () => {
  assert.equal(transientReason(refused()), "connection refused");
  const pipe = new TransportError("E_CONNECT", "cannot connect to pipe", {
    cause: Object.assign(new Error("x"), { code: "ENOENT" }),
  });
  assert.equal(transientReason(pipe), "no such pipe yet");
  assert.equal(
    transientReason(
      new TransportError("E_CONNECT", "no answer from lab1:5005 within 10000 ms", {
        failure: "no-answer",
      }),
    ),
    "no answer",
  );
  // The code decides, never the text: the same words without it are not waited out.
  assert.equal(
    transientReason(new TransportError("E_CONNECT", "no answer from lab1:5005 within 10000 ms")),
    undefined,
  );
  // Will not change by waiting: exit at once.
  assert.equal(transientReason(new ProtocolError("E_AUTH", "wrong password")), undefined);
  assert.equal(transientReason(new ProtocolError("E_PROTOCOL_MISMATCH", "2.0 vs 1.0")), undefined);
  const tls = new TransportError("E_CONNECT", "TLS handshake with lab2:5006 failed: self-signed", {
    cause: Object.assign(new Error("x"), { code: "ECONNRESET" }),
    failure: "tls",
  });
  assert.equal(transientReason(tls), undefined);
  const typo = new TransportError("E_CONNECT", "cannot connect", {
    cause: Object.assign(new Error("x"), { code: "ENOTFOUND" }),
  });
  assert.equal(transientReason(typo), undefined);
  assert.equal(transientReason(new DbgRemoteError("E_SECRET_MISSING", "LAB_PW unset")), undefined);
  // A server still ending its session turns newcomers away; the restarted one will not.
  assert.equal(
    transientReason(new ProtocolError("E_SESSION_ENDED", "server refused: the session has ended")),
    "the server is shutting down",
  );
  assert.equal(
    transientReason(new ProtocolError("E_HANDSHAKE", "server refused: the session has ended")),
    undefined,
    "a message's text decides nothing",
  );
});

/** A fake clock: sleeping advances it. */
function clock() {
  let t = 0;
  return {
    now: () => t,
    sleep: (ms: number) => {
      t += ms;
      return Promise.resolve();
    },
  };
}

Deno.test("retryUntil: says what it waits for, why, and when it retries; then connects", async () => {
  const c = clock();
  const said: string[] = [];
  let tries = 0;
  const result = await retryUntil({
    attempt: () => (++tries < 4 ? Promise.reject(refused()) : Promise.resolve("welcome")),
    what: "server `target` at tcp:server=lab1,port=5005",
    say: (l) => said.push(l),
    backoff: createBackoff({ random: () => 0 }),
    ...c,
  });
  assert.equal(result, "welcome");
  assert.equal(tries, 4);
  assert.deepEqual(said, [
    "waiting for server `target` at tcp:server=lab1,port=5005: connection refused; retrying in 0.3 s (Ctrl+C to give up)",
    "waiting for server `target` at tcp:server=lab1,port=5005: connection refused; retrying in 0.5 s (Ctrl+C to give up)",
    "waiting for server `target` at tcp:server=lab1,port=5005: connection refused; retrying in 1 s (Ctrl+C to give up)",
  ]);
});

Deno.test("retryUntil: a refusal that will not change is thrown at once", async () => {
  let tries = 0;
  await assert.rejects(
    retryUntil({
      attempt: () => {
        tries++;
        return Promise.reject(new ProtocolError("E_AUTH", "server refused: wrong password"));
      },
      what: "the server",
      say: () => assert.fail("nothing to wait for"),
      ...clock(),
    }),
    /wrong password/,
  );
  assert.equal(tries, 1);
});

Deno.test("retryUntil: a long wait stays quiet; a limit gives up with the last reason", async () => {
  const c = clock();
  const said: string[] = [];
  await assert.rejects(
    retryUntil({
      attempt: () => Promise.reject(refused()),
      what: "the server at tcp:server=lab1,port=5005",
      say: (l) => said.push(l),
      backoff: createBackoff({ random: () => 0 }),
      limitMs: 120_000,
      ...c,
    }),
    (err: DbgRemoteError) => {
      assert.equal(err.code, "E_GAVE_UP");
      assert.match(err.message, /after 120 s: connection refused/);
      return true;
    },
  );
  assert.equal(c.now(), 120_000);
  // 6 lines while the waits grow to 5 s, then one every 30 s: not one per attempt (about 27).
  assert.ok(said.length >= 8 && said.length <= 12, `${said.length} lines:\n${said.join("\n")}`);
});

Deno.test("retryUntil: giving up (Ctrl+C) stops the wait", async () => {
  const giveUp = new AbortController();
  let tries = 0;
  await assert.rejects(
    retryUntil({
      attempt: () => {
        if (++tries === 3) giveUp.abort();
        return Promise.reject(refused());
      },
      what: "the server",
      say: () => {},
      signal: giveUp.signal,
      ...clock(),
    }),
    /gave up waiting for the server: connection refused/,
  );
  assert.equal(tries, 3);
});

Deno.test("retryUntil: Ctrl+C during a try gives up at once; what the try yields later is discarded", async () => {
  const giveUp = new AbortController();
  let finishTry!: (conn: string) => void;
  const discarded: string[] = [];
  let discardedOne = () => {};
  const discarding = new Promise<void>((r) => (discardedOne = r));
  const waiting = retryUntil({
    attempt: () => new Promise<string>((resolve) => (finishTry = resolve)), // a slow handshake
    what: "the server",
    say: () => {},
    signal: giveUp.signal,
    discard: (late) => {
      discarded.push(late);
      discardedOne();
    },
    ...clock(),
  });
  await Promise.resolve();
  giveUp.abort();
  await assert.rejects(waiting, (err: unknown) => {
    assert.ok(err instanceof DbgRemoteError);
    assert.equal(err.code, "E_GAVE_UP");
    return true;
  });
  assert.deepEqual(discarded, []);
  finishTry("connection 1");
  await within(discarding, 1000, () => "the late connection was never discarded");
  assert.deepEqual(discarded, ["connection 1"]);
});

Deno.test("formatDelay", () => {
  assert.equal(formatDelay(250), "0.3 s");
  assert.equal(formatDelay(2000), "2 s");
  assert.equal(formatDelay(4600), "5 s");
});

Deno.test("retryUntil: delayFirst waits one step before the first try (a server that just left)", async () => {
  const c = clock();
  let firstAt = -1;
  await retryUntil({
    attempt: () => {
      firstAt = c.now();
      return Promise.resolve("ok");
    },
    what: "the server",
    say: () => assert.fail("no waiting line when the first try works"),
    backoff: createBackoff({ random: () => 0 }),
    delayFirst: true,
    ...c,
  });
  assert.equal(firstAt, 250);
});
