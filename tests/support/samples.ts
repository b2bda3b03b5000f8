/**
 * The sample messages unit tests share, so that a field added to one (a new required part of a
 * welcome, of an advert) is added once. Each takes overrides for what a test is about.
 */
import type { Advert } from "../../src/discovery/advert.ts";
import type { Breakpoint } from "../../src/engine/inspect.ts";

/** The server the discovery tests find: gdb on lab1 debugging /srv/app as pid 42. */
export function crashAdvert(over: Partial<Advert> = {}): Advert {
  return {
    name: "crash",
    host: "lab1",
    pid: 42,
    engine: "gdb",
    program: "/srv/app",
    release: "0.1.0",
    protocol: "1.0",
    clients: 0,
    endpoints: ["tcp:server=lab1,port=5005,password_env=LAB_PW"],
    ...over,
  };
}

/** A server's welcome to a client that joined an idle session with nobody else in it. */
export function welcomeMessage(over: Record<string, unknown> = {}) {
  return {
    t: "welcome",
    protocol: "1.2",
    release: "0.1.0",
    server: { name: "lab", engine: "gdb", host: "h" },
    session: "s",
    you: 1,
    clients: [] as unknown[],
    scrollback: [] as unknown[],
    state: "idle",
    ...over,
  };
}

/** An enabled, placed breakpoint `id` at `file:line`, as an engine tells it. */
export function breakpointAt(
  id: number,
  file: string,
  line: number,
  over: Partial<Breakpoint> = {},
): Breakpoint {
  return { id, file, line, enabled: true, verified: true, ...over };
}
