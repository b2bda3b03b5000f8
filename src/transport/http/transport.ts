/**
 * The browser client's transport, `http:port=N[,server=ADDR]` and `https:`
 * (the same with certfile/keyfile). Listening serves a site (the web page and
 * its logins, made by src/web/site.ts and given as a factory: site.ts) on
 * this runtime's server, and turns each WebSocket the site lets in into a
 * {@link Channel}: pages speak the native protocol, so the session (servePeer)
 * is the same for every client. Connecting is a native client over a
 * WebSocket, for networks that only let web ports through.
 */
import type { WSEvents } from "hono/ws";
import os from "node:os";
import type { ConnSpec, HttpSpec, HttpsSpec } from "../../connstr.ts";
import { TransportError } from "../../errors.ts";
import { CURRENT } from "../../version.ts";
import { tlsClientOptions, tlsServerOptions } from "../tls_options.ts";
import type { Channel, ConnectOptions, Listener, ListenOptions, Transport } from "../transport.ts";
import { wsConnect } from "../ws_client.ts";
import type { WebServer } from "./runtime.ts";
import type { SocketLogin, WebServing } from "./site.ts";
import { type WsChannel, wsChannel } from "./ws_channel.ts";

type WebSpec = HttpSpec | HttpsSpec;

function formatHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

export function createHttpTransport(
  options: { secure?: boolean; web?: WebServing } = {},
): Transport {
  const name = options.secure ? "https" : "http";
  const asSpec = (spec: ConnSpec): WebSpec => {
    if (spec.transport !== name) {
      throw new Error(`${name} transport given a ${spec.transport} spec`);
    }
    return spec as WebSpec;
  };

  const listen = async (
    spec: WebSpec,
    accept: (channel: Channel) => void,
    listenOptions: ListenOptions,
  ): Promise<Listener> => {
    const web = options.web;
    if (!web) {
      throw new TransportError("E_TRANSPORT", `${name} endpoints need a web runtime`, {
        hint: "this build was made without one; use the dbgremote binary",
      });
    }
    const { runtime } = web;
    const host = spec.server ?? (spec.ipversion === 6 ? "::" : "0.0.0.0");
    const loginToken = listenOptions.loginToken;
    const secure = spec.transport === "https";
    let tls: { cert: string; key: string } | undefined;
    if (spec.transport === "https") {
      const t = tlsServerOptions(spec);
      tls = { cert: String(t.cert), key: String(t.key) };
    }
    let accepting = true;
    let open = 0;
    let server: WebServer | undefined;
    let port = 0;
    // Closing the listener stops new connections; pages already in stay. A runtime whose server
    // would close them too (Deno) keeps listening, refusing everything, until the last has left.
    const maybeStop = () => {
      if (accepting) return;
      if (server && (open === 0 || !server.dropsSockets)) {
        server.close();
        server = undefined;
      }
      if (open === 0) site.close();
    };

    /** One WebSocket the site let in, as a channel into the session. */
    const socket = (peer: { address: string; port: number }, login: SocketLogin): WSEvents => {
      let channel: WsChannel | undefined;
      const via = `${name}:${formatHost(peer.address)}:${peer.port}`;
      return {
        onOpen(_event, ws) {
          open++;
          channel = wsChannel(
            {
              send: (data) => ws.send(data as string | Uint8Array<ArrayBuffer>),
              close: (code, reason) => ws.close(code, reason),
              terminate: () => runtime.terminate(ws),
              bufferedAmount: () => runtime.bufferedAmount(ws),
            },
            via,
            { preauthenticated: login.preauthenticated, authenticated: login.authenticated },
          );
          login.opened(channel);
          accept(channel);
        },
        onMessage(event) {
          channel?.received(event.data);
        },
        onClose(event) {
          open--;
          login.closed();
          channel?.closed(event.code, event.reason);
          maybeStop();
        },
        onError() {
          // the close that follows says it
        },
      };
    };

    const site = web.site({
      upgradeWebSocket: runtime.upgradeWebSocket,
      remote: runtime.remote,
      secure,
      password: spec.password !== undefined || spec.passwordEnv !== undefined ||
        loginToken !== undefined,
      loginToken,
      loginLifetimeMs: spec.expire ? spec.expire * 1000 : undefined,
      hostNames: [os.hostname(), spec.server ?? ""],
      port: () => port,
      version: listenOptions.version ?? CURRENT,
      accepting: () => accepting,
      socket,
    });

    const first = spec.port ?? 0;
    const last = spec.portEnd ?? first;
    for (let p = first; p <= last; p++) {
      try {
        server = runtime.serve(site.fetch, { hostname: host, port: p, tls });
        port = server.port;
        break;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === "EADDRINUSE" && p < last) continue;
        site.close();
        if (code === "EADDRINUSE") {
          throw new TransportError(
            "E_ADDR_IN_USE",
            first === last
              ? `${name} port ${p} on ${host} is already in use`
              : `every ${name} port from ${first} to ${last} on ${host} is in use`,
            {
              hint: first === last
                ? `pick another port (${name}:port=N), or stop the process that holds it ` +
                  `(see: ss -ltnp 'sport = :${p}')`
                : "widen the range, or pick another one",
              cause: err,
            },
          );
        }
        throw new TransportError(
          "E_TRANSPORT",
          `cannot listen on ${name} ${host}:${p}: ${(err as Error).message}`,
          {
            hint: code === "EACCES"
              ? "ports below 1024 need privileges: use a higher port"
              : undefined,
            cause: err,
          },
        );
      }
    }

    const shown = spec.server ?? (spec.ipversion === 6 ? "::1" : "127.0.0.1");
    return {
      address: `${name}:server=${shown},port=${port}`,
      // With a session token, the URL logs the page in (only the server's user sees it printed).
      url: `${name}://${formatHost(shown)}:${port}/${
        loginToken === undefined ? "" : `?token=${loginToken}`
      }`,
      close() {
        accepting = false;
        maybeStop();
        return Promise.resolve();
      },
    };
  };

  return {
    name,
    listen: (raw, accept, listenOptions) => listen(asSpec(raw), accept, listenOptions),
    connect(raw, connectOptions?: ConnectOptions) {
      const spec = asSpec(raw);
      const host = spec.server ?? "127.0.0.1";
      return wsConnect({
        host,
        port: spec.port ?? 0,
        path: "/ws",
        name,
        tls: spec.transport === "https" ? tlsClientOptions(spec, host) : undefined,
        timeoutMs: connectOptions?.timeoutMs,
      });
    },
  };
}
