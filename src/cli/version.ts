/** `dbgremote version`: release, protocol and runtime. */
import type { CliContext } from "./context.ts";
import { EXIT } from "./context.ts";

export function versionCommand(ctx: CliContext): number {
  ctx.platform.stdout(
    `dbgremote ${ctx.version.release}\nprotocol ${ctx.version.protocol}\nruntime ${ctx.platform.runtime}\n`,
  );
  return EXIT.ok;
}
