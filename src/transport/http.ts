/**
 * The browser client's transport, `http:port=N[,server=ADDR]` and `https:`
 * (the same with certfile/keyfile). Listening serves the web page (src/web/)
 * and turns each same-origin WebSocket into a {@link Channel}: pages speak the
 * native protocol, so the session (servePeer) is the same for every client.
 * Connecting is a native client over a WebSocket, for networks that only let
 * web ports through.
 */
import os from "node:os";
import type { ConnSpec, HttpSpec, HttpsSpec } from "../connstr.ts";
import { TransportError } from "../errors.ts";
import { CURRENT } from "../version.ts";
import { createWebApp } from "../web/app.ts";
import { Logins } from "../web/logins.ts";
import type { WebRuntime, WebServer } from "../web/serve.ts";
import { type WsChannel, wsChannel } from "../web/ws_channel.ts";
import { tlsClientOptions, tlsServerOptions } from "./tls_options.ts";
import type { Channel, ConnectOptions, Listener, ListenOptions, Transport } from "./transport.ts";
import { wsConnect } from "./ws_client.ts";

type WebSpec = HttpSpec | HttpsSpec;

function formatHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * Without a password, a page must be opened by an address, `localhost`, or this
 * machine's name exactly as it knows it: a web site that points a name of its
 * own at this machine (DNS rebinding) is refused before it reaches the session.
 */
export function hostChecker(names: string[]): (host: string) => boolean {
  const known = new Set(names.filter(Boolean).map((n) => n.toLowerCase()));
  return (header) => {
    const host = header.toLowerCase().replace(/:\d+$/, "");
    if (!host) return false;
    if (host.startsWith("[") && host.endsWith("]")) return true; // an IPv6 literal
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return true;
    if (host === "localhost" || host.endsWith(".localhost")) return true;
    return known.has(host);
  };
}

export function createHttpTransport(
  options: { secure?: boolean; runtime?: WebRuntime } = {},
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
    const runtime = options.runtime;
    if (!runtime) {
      throw new TransportError("E_TRANSPORT", `${name} endpoints need a web runtime`, {
        hint: "this build was made without one; use the dbgremote binary",
      });
    }
    const host = spec.server ?? (spec.ipversion === 6 ? "::" : "0.0.0.0");
    const loginToken = listenOptions.loginToken;
    const password = spec.password !== undefined || spec.passwordEnv !== undefined ||
      loginToken !== undefined;
    const secure = spec.transport === "https";
    let tls: { cert: string; key: string } | undefined;
    if (spec.transport === "https") {
      const t = tlsServerOptions(spec);
      tls = { cert: String(t.cert), key: String(t.key) };
    }
    const logins = new Logins({ lifetimeMs: spec.expire ? spec.expire * 1000 : undefined });
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
      if (open === 0) logins.close();
    };
    const hostAllowed = password ? () => true : hostChecker([os.hostname(), spec.server ?? ""]);

    const app = createWebApp({
      upgradeWebSocket: runtime.upgradeWebSocket,
      remote: runtime.remote,
      secure,
      password,
      loginToken,
      logins,
      // The cookie names the port: browsers send cookies to every port of a host.
      cookie: () => `${secure ? "__Host-" : ""}dbgremote-${port}`,
      hostAllowed,
      version: listenOptions.version ?? CURRENT,
      accepting: () => accepting,
      socket(peer, login) {
        let channel: WsChannel | undefined;
        let detach = () => {};
        const via = `${name}:${formatHost(peer.address)}:${peer.port}`;
        return {
          onOpen(_event, ws) {
            open++;
            const kick = (reason: string) => channel?.kick(reason);
            channel = wsChannel(
              {
                send: (data) => ws.send(data as string | Uint8Array<ArrayBuffer>),
                close: (code, reason) => ws.close(code, reason),
                terminate: () => runtime.terminate(ws),
                bufferedAmount: () => runtime.bufferedAmount(ws),
              },
              via,
              {
                preauthenticated: login !== undefined,
                authenticated: password
                  ? () => {
                    // The password was proven on this socket: a login for the page to keep.
                    const { token, ticket } = logins.begin();
                    detach = logins.attach(token, kick);
                    channel?.control({ t: "login", ticket });
                  }
                  : undefined,
              },
            );
            if (login !== undefined) detach = logins.attach(login, kick);
            accept(channel);
          },
          onMessage(event) {
            channel?.received(event.data);
          },
          onClose(event) {
            open--;
            detach();
            channel?.closed(event.code, event.reason);
            maybeStop();
          },
          onError() {
            // the close that follows says it
          },
        };
      },
    });

    const first = spec.port ?? 0;
    const last = spec.portEnd ?? first;
    for (let p = first; p <= last; p++) {
      try {
        server = runtime.serve(app, { hostname: host, port: p, tls });
        port = server.port;
        break;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === "EADDRINUSE" && p < last) continue;
        logins.close();
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
