/**
 * A debug adapter's start: its process running (or one clear error naming what to install),
 * then DAP's `initialize`, which says what this client does (paths, lines from 1, and whether
 * it answers `runInTerminal` with the server's pty).
 */
import { EngineError } from "../../errors.ts";
import { findKind } from "../kinds.ts";
import type { DapClient } from "./client.ts";
import { withTimeout } from "./stops.ts";

/** Give up waiting for the adapter's answers at start-up (initialize, launch). */
export const START_TIMEOUT_MS = 20_000;

/** Wait until the adapter runs; a missing one is named with how to install it. */
export async function adapterSpawned(client: DapClient, kind: string): Promise<void> {
  try {
    await client.spawned;
  } catch (err) {
    if (err instanceof EngineError && err.code === "E_ENGINE_MISSING") {
      const install = findKind(kind)?.install;
      throw new EngineError("E_ENGINE_MISSING", err.message, {
        hint: `install it${install ? ` (Debian/Ubuntu: ${install})` : ""} or give its path`,
        cause: err,
      });
    }
    throw err;
  }
}

/** DAP's `initialize`, bounded. `terminal`: the engine answers `runInTerminal`. */
export async function initializeAdapter(
  client: DapClient,
  kind: string,
  command: string,
  terminal: boolean,
): Promise<void> {
  const init = client.request("initialize", {
    clientID: "dbgremote",
    clientName: "dbgremote",
    adapterID: kind,
    linesStartAt1: true,
    columnsStartAt1: true,
    pathFormat: "path",
    // The program runs on the server's pty when there is one (input, isatty, its size).
    supportsRunInTerminalRequest: terminal,
    supportsStartDebuggingRequest: false,
  });
  if (!await withTimeout(init, START_TIMEOUT_MS)) {
    throw new EngineError("E_ENGINE_START", `${command} did not answer initialize`);
  }
}
