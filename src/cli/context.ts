/** What every subcommand gets: the platform, this build's version, transports and engines. */
import type { EngineFactory } from "../engine/engine.ts";
import type { Platform } from "../platform.ts";
import type { Transports } from "../transport/transports.ts";
import type { VersionInfo } from "../version.ts";

export interface CliContext {
  platform: Platform;
  version: VersionInfo;
  transports: Transports;
  engines: Record<string, EngineFactory>;
  /** Where the sample program is built (the embedded default topology debugs it). */
  sampleDir: string;
}

/** Exit codes: 0 ok, 1 runtime failure, 2 bad usage or input, 3 refused by the peer. */
export const EXIT = { ok: 0, failure: 1, usage: 2, refused: 3 } as const;
