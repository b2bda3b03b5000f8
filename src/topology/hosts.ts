/** Host names as a lab compares them. Pure. */
import { isLoopback } from "../connstr.ts";

/**
 * A host as compared: case-insensitive; no host, "localhost" and a loopback
 * address are all the same: "this machine, whichever it is" (the empty string).
 */
export function hostKey(host: string | undefined): string {
  return host === undefined || host === "" || isLoopback(host) ? "" : host.toLowerCase();
}

/** Do two nodes run on the same machine? */
export function sameHost(a: string | undefined, b: string | undefined): boolean {
  return hostKey(a) === hostKey(b);
}
