/**
 * A running server's advert: what `dbgremote search` shows about it, read
 * afresh from the server's live state on every announcement and answer.
 */
import type { ConnSpec } from "../connstr.ts";
import { type Advert, advertisedEndpoint, isLocalOnly } from "../discovery/advert.ts";
import { type Announcer, startAnnouncer } from "../discovery/announcer.ts";
import type { EngineSpec } from "../engine/engine.ts";
import type { Session } from "../session/session.ts";
import type { VersionInfo } from "../version.ts";

export interface AdvertSource {
  name: string;
  host: string;
  pid: number;
  engine: EngineSpec;
  version: VersionInfo;
  session: Session;
  /** The server's endpoints now (the list may change while it runs). */
  endpoints: () => { spec: ConnSpec; address: string }[];
}

/** The participant `via` of the server's own terminal: it is the server, not a client. */
const SERVER_CONSOLE = "server console";

/** The advert now, or undefined when no endpoint is to be advertised (all hidden). */
export function currentAdvert(src: AdvertSource): Advert | undefined {
  const endpoints = src.endpoints().flatMap((e) =>
    advertisedEndpoint(e.spec, e.address, src.host) ?? []
  );
  if (endpoints.length === 0) return undefined;
  return {
    name: src.name,
    host: src.host,
    pid: src.pid,
    engine: src.engine.kind,
    program: src.engine.program ?? "",
    release: src.version.release,
    protocol: src.version.protocol,
    clients: src.session.clients().filter((c) => c.via !== SERVER_CONSOLE).length,
    endpoints,
  };
}

/** Who finds these endpoints with `dbgremote search`: the network, this machine only, or nobody. */
export function discoveryScope(
  endpoints: { spec: ConnSpec; address: string }[],
  host: string,
): "network" | "this machine" | undefined {
  const shown = endpoints.flatMap((e) => advertisedEndpoint(e.spec, e.address, host) ?? []);
  if (shown.length === 0) return undefined;
  return shown.some((e) => !isLocalOnly(e)) ? "network" : "this machine";
}

/** Announce the server, and again whenever its clients change. */
export async function announceServer(
  src: AdvertSource,
  log: (line: string) => void,
): Promise<Announcer> {
  const announcer = await startAnnouncer({ describe: () => currentAdvert(src), log });
  const stop = src.session.onClientsChange(() => announcer.update());
  return {
    update: () => announcer.update(),
    async close() {
      stop();
      await announcer.close();
    },
  };
}
