/** `dbgremote version [--json]`: release, protocol and runtime. */
import type { CliContext } from "./context.ts";
import { EXIT } from "./context.ts";
import { parseOptionsOnly } from "./args.ts";

/**
 * What `version --json` prints, one line: `ship` reads it from a copy on another
 * machine to decide whether that copy may be replaced. Keep the field names.
 */
export interface VersionReport {
  name: "dbgremote";
  release: string;
  protocol: string;
  runtime: string;
  /** `process.platform-process.arch` of this build, e.g. "linux-x64". */
  platform: string;
}

export function versionCommand(ctx: CliContext, argv: string[] = []): number {
  const { values } = parseOptionsOnly("version", argv, {
    json: { type: "boolean", default: false },
  });
  if (values.json) {
    const report: VersionReport = {
      name: "dbgremote",
      release: ctx.version.release,
      protocol: ctx.version.protocol,
      runtime: ctx.platform.runtime,
      platform: ctx.platform.os,
    };
    ctx.platform.stdout(JSON.stringify(report) + "\n");
    return EXIT.ok;
  }
  ctx.platform.stdout(
    `dbgremote ${ctx.version.release}\nprotocol ${ctx.version.protocol}\nruntime ${ctx.platform.runtime}\n`,
  );
  return EXIT.ok;
}
