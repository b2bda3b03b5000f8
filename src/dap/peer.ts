/**
 * One editor's connection to the `dap:` endpoint: the Debug Adapter Protocol in, a session
 * participant out. `initialize` → `attach` (who, password, observe, path mappings) → joins the
 * session like a console → `configurationDone`. From then on its requests are session commands
 * or read-only questions (src/dap/requests.ts), and what happens in the session reaches it as
 * DAP events (src/dap/translate.ts).
 *
 * Bad input costs the sender only: a body that is not JSON, a request before `initialize`, an
 * unknown command each get an error (the connection kept); a broken header, or more bytes
 * before attach than an attach needs, close this connection. Nothing here stops the session.
 */
import { DbgRemoteError, describeError } from "../errors.ts";
import { CONTROL_CHAR, isRecord, type Role, type Who } from "../protocol/messages.ts";
import { peerAddress } from "../session/auth_limiter.ts";
import { DEFAULT_MAX_BACKLOG } from "../session/backlog.ts";
import { type EndpointAuth, PRELOGIN_MAX_BYTES } from "../session/peer.ts";
import type { Participant } from "../session/session.ts";
import type { Channel } from "../transport/transport.ts";
import { passwordMatches } from "./attach_auth.ts";
import { pathMapper, readMappings } from "./paths.ts";
import { createRequests, type Reply, type Request } from "./requests.ts";
import type { DapSession, DapSessionEvent } from "./session_port.ts";
import { createDapWireDecoder, encodeDapMessage } from "./wire.ts";

export interface DapPeerOptions {
  /** Set when the endpoint has a secret (its password, or a loopback endpoint's token). */
  auth?: EndpointAuth;
  /** A token endpoint on loopback: peers of the server's own user need no password. */
  sameUser?: (peer: string) => boolean;
  /** The endpoint says `observe`. */
  observe?: boolean;
  endpoint?: number;
  log?: (line: string) => void;
  /** Called once the peer has attached, or has closed before. */
  onSettled?: () => void;
  /** Close a peer that has not attached within this time. */
  attachTimeoutMs?: number;
  /** Largest message after attach. */
  maxMessage?: number;
  /** Drop an editor that leaves this many bytes unread. */
  maxPending?: number;
  /** The server's working directory (`sourceRoot` maps onto it). */
  serverCwd?: string;
}

/** Capabilities the endpoint answers `initialize` with. */
export const CAPABILITIES = {
  supportsConfigurationDoneRequest: true,
  supportsFunctionBreakpoints: true,
  supportsConditionalBreakpoints: true,
  supportsEvaluateForHovers: true,
  supportTerminateDebuggee: true,
  supportsTerminateRequest: true,
};

const DEFAULT_MAX_MESSAGE = 1024 * 1024;

/** Serve one accepted channel until it closes; resolves then. */
export function serveDap(
  session: DapSession,
  channel: Channel,
  options: DapPeerOptions = {},
): Promise<void> {
  let resolveGone!: () => void;
  const gone = new Promise<void>((r) => (resolveGone = r));
  const log = options.log ?? (() => {});
  const decoder = createDapWireDecoder(PRELOGIN_MAX_BYTES);
  const maxPending = options.maxPending ?? DEFAULT_MAX_BACKLOG;
  let seq = 0;
  let phase: "new" | "initialized" | "attaching" | "attached" = "new";
  let closed = false;
  let preloginBytes = 0;
  let client: { id?: string; name?: string } = {};
  let requests: ReturnType<typeof createRequests> | undefined;
  let me: number | undefined;

  const write = (message: Record<string, unknown>) => {
    if (closed) return;
    channel.write(encodeDapMessage({ seq: ++seq, ...message }));
    if (channel.pending > maxPending) {
      if (me !== undefined) session.drop(me, "it did not read what was sent to it");
      else close();
    }
  };
  const reply: Reply = {
    ok: (req, body) =>
      write({
        type: "response",
        request_seq: req.seq,
        command: req.command,
        success: true,
        ...(body ? { body } : {}),
      }),
    fail: (req, code, text) =>
      write({
        type: "response",
        request_seq: req.seq,
        command: req.command,
        success: false,
        message: code,
        body: { error: { id: 1, format: text, showUser: true } },
      }),
    event: (event, body) => write({ type: "event", event, ...(body ? { body } : {}) }),
  };

  const close = () => {
    if (closed) return;
    closed = true;
    options.onSettled?.();
    channel.end();
  };
  const attachTimer = setTimeout(() => {
    if (phase === "attached") return;
    log(`closing ${channel.peer}: no attach within ${options.attachTimeoutMs ?? 10_000} ms`);
    close();
  }, options.attachTimeoutMs ?? 10_000);

  const participant = (who: Who, role: Role): Participant => ({
    who,
    via: channel.peer,
    role,
    endpoint: options.endpoint,
    deliver(event) {
      if (!closed) requests?.deliver(event as DapSessionEvent);
    },
    close(reason) {
      if (closed) return;
      if (reason && !session.ended) {
        reply.event("output", {
          category: "important",
          output: `*** disconnected by the server: ${reason}\n`,
        });
      }
      // What the session told it last (its end, a drop) leaves before the connection closes.
      void (requests?.flushed() ?? Promise.resolve()).then(() => {
        if (!session.ended && reason) reply.event("terminated");
        close();
      });
    },
  });

  const attach = async (req: Request, args: Record<string, unknown>) => {
    const user = typeof args.user === "string" ? args.user : client.name ?? "editor";
    const tool = client.id ?? "dap";
    const host = typeof args.host === "string" ? args.host : peerAddress(channel.peer);
    if ([user, tool, host].some((v) => v === "" || v.length > 255 || CONTROL_CHAR.test(v))) {
      return reply.fail(req, "E_ATTACH", "user, host and clientID must be printable names");
    }
    const mappings = readMappings(args, options.serverCwd ?? process.cwd());
    if (typeof mappings === "string") return reply.fail(req, "E_ATTACH", mappings);
    phase = "attaching";
    const auth = options.auth;
    if (auth && !options.sameUser?.(channel.peer)) {
      const identity = auth.identify?.(channel.peer) ?? peerAddress(channel.peer);
      const wait = auth.limiter?.blockedFor(identity) ?? 0;
      if (wait > 0) {
        reply.fail(
          req,
          "E_AUTH_LOCKED",
          `too many wrong passwords from ${identity}: try again in ${Math.ceil(wait / 1000)} s`,
        );
        return close();
      }
      if (!(await passwordMatches(auth, args.password))) {
        auth.limiter?.fail(identity);
        log(`wrong password from ${user}@${host} at ${channel.peer} (dap)`);
        await new Promise((r) => setTimeout(r, auth.failureDelayMs ?? 1000));
        reply.fail(
          req,
          "E_AUTH",
          args.password === undefined
            ? 'this endpoint needs a password: add "password" to the attach arguments'
            : "wrong password",
        );
        return close();
      }
      auth.limiter?.succeed(identity);
    }
    if (closed) return;
    if (session.ended) {
      reply.fail(req, "E_SESSION_ENDED", "the session has ended");
      return close();
    }
    const role: Role = options.observe || args.observe === true ? "observer" : "operator";
    const p = participant({ user, host, tool }, role);
    const joined = session.join(p);
    me = joined.id;
    phase = "attached";
    clearTimeout(attachTimer);
    decoder.maxMessage = options.maxMessage ?? DEFAULT_MAX_MESSAGE;
    options.onSettled?.();
    requests = createRequests({
      session,
      me,
      role,
      paths: pathMapper(mappings),
      reply,
      leave: (reason) => {
        session.leave(me!, reason);
        close();
      },
    });
    reply.ok(req);
    reply.event("initialized");
    requests.replay(joined.scrollback);
  };

  const onMessage = (m: Record<string, unknown>) => {
    if (m.type !== "request" || typeof m.command !== "string" || !Number.isSafeInteger(m.seq)) {
      // Nothing to answer it with (a response needs a request): say so beside the transcript.
      reply.event("output", {
        category: "important",
        output: "*** dbgremote: ignored a message that is not a DAP request\n",
      });
      return;
    }
    const req: Request = { seq: m.seq as number, command: m.command };
    const args = isRecord(m.arguments) ? m.arguments : {};
    if (req.command === "initialize") {
      if (phase !== "new") return reply.fail(req, "E_PROTOCOL", "initialize comes once");
      client = {
        id: typeof args.clientID === "string" ? args.clientID : undefined,
        name: typeof args.clientName === "string" ? args.clientName : undefined,
      };
      phase = "initialized";
      return reply.ok(req, CAPABILITIES);
    }
    if (phase === "new") {
      return reply.fail(req, "E_NOT_INITIALIZED", `"${req.command}" before initialize`);
    }
    if (req.command === "attach") {
      if (phase !== "initialized") return reply.fail(req, "E_PROTOCOL", "attach comes once");
      void attach(req, args).catch((err) => {
        reply.fail(req, "E_ATTACH", describeError(err));
        close();
      });
      return;
    }
    if (req.command === "launch") {
      return reply.fail(
        req,
        "E_LAUNCH",
        'the session is already running on the server: attach to it ("request": "attach")',
      );
    }
    if (requests === undefined) {
      if (req.command === "disconnect") {
        reply.ok(req);
        return close();
      }
      return reply.fail(req, "E_NOT_ATTACHED", `"${req.command}" before attach`);
    }
    requests.handle(req, args);
  };

  const fail = (err: unknown) => {
    log(`closing ${channel.peer}: ${describeError(err)}`);
    reply.event("output", { category: "important", output: `*** ${describeError(err)}\n` });
    if (me !== undefined) {
      const id = me;
      me = undefined;
      session.leave(id, `was disconnected: ${(err as Error).message}`);
    }
    close();
  };

  channel.start({
    data(chunk) {
      if (closed) return;
      if (phase !== "attached") {
        preloginBytes += chunk.length;
        if (preloginBytes > PRELOGIN_MAX_BYTES) {
          return fail(
            new DbgRemoteError(
              "E_FRAME_TOO_LARGE",
              `more than ${PRELOGIN_MAX_BYTES} bytes before attach`,
            ),
          );
        }
      }
      let items;
      try {
        items = decoder.push(chunk);
      } catch (err) {
        return fail(err);
      }
      for (const item of items) {
        if (closed) break;
        if (item.ok) onMessage(item.message);
        else {
          reply.event("output", {
            category: "important",
            output: `*** dbgremote: ${item.error}\n`,
          });
        }
      }
    },
    close(error) {
      clearTimeout(attachTimer);
      const wasClosed = closed;
      closed = true;
      options.onSettled?.();
      requests?.dispose();
      if (me !== undefined && !wasClosed) {
        session.leave(me, error ? `connection lost (${error.message})` : "disconnected");
      }
      resolveGone();
    },
  });
  return gone;
}
