/**
 * The server's hook for `dap:`/`daps:` endpoints: an accepted connection is an editor (DAP),
 * served by src/dap/peer.ts with the endpoint's rule for getting in (src/endpoint_policy.ts).
 */
import type { ConnSpec } from "../connstr.ts";
import type { Access } from "../endpoint_policy.ts";
import type { EndpointAuth } from "../session/peer.ts";
import type { Session } from "../session/session.ts";
import type { Channel } from "../transport/transport.ts";
import { sameUser } from "./attach_auth.ts";
import { serveDap } from "./peer.ts";
import { sessionPort } from "./session_port.ts";

export { isDap } from "./names.ts";

export interface DapEndpointOptions {
  spec: ConnSpec;
  access: Access;
  auth?: EndpointAuth;
  endpoint: number;
  onSettled: () => void;
  log: (line: string) => void;
  attachTimeoutMs?: number;
  /** The local user behind a loopback peer (with the endpoint's port: exact). */
  uidOf: (peer: string) => number | undefined;
}

export function serveDapEndpoint(
  session: Session,
  channel: Channel,
  o: DapEndpointOptions,
): Promise<void> {
  return serveDap(sessionPort(session), channel, {
    auth: o.auth,
    // The token is no editor's to read: on loopback the server's own user needs none.
    sameUser: o.access === "token" ? sameUser(o.uidOf) : undefined,
    observe: o.spec.observe === true,
    endpoint: o.endpoint,
    log: o.log,
    onSettled: o.onSettled,
    attachTimeoutMs: o.attachTimeoutMs,
  });
}
