/**
 * dbgremote's entry point: the only place that exits the process.
 * Works under Deno (development, tests) and in the bun-compiled binary.
 *
 * Starting must be quick (`dbgremote version` in about the time of a hello-world): this module
 * and src/cli/main.ts import only what every command needs. Transports, engines and each
 * subcommand load with import() when first used; tests/startup_test.ts keeps it that way.
 */
import os from "node:os";
import process from "node:process";
import { runCli } from "./src/cli/main.ts";
import { lazyEngineFactory } from "./src/engine/lazy.ts";
import { createWebRuntime, processPlatform } from "./src/platform.ts";
import { createTransports } from "./src/transport/transports.ts";
import { CURRENT, type VersionInfo } from "./src/version.ts";

const platform = processPlatform();
// Test-only: claim another protocol or release, to exercise the handshake's refusals and warnings.
const version: VersionInfo = {
  protocol: platform.env.DBGREMOTE_CLAIM_PROTOCOL ?? CURRENT.protocol,
  release: platform.env.DBGREMOTE_CLAIM_RELEASE ?? CURRENT.release,
};
const code = await runCli({
  platform,
  version,
  transports: createTransports({
    pipeDir: platform.env.DBGREMOTE_PIPE_DIR,
    // The http transport serves the web page: this runtime's server, the page's site from web/.
    web: async () => ({
      runtime: await createWebRuntime(),
      site: (await import("./src/web/site.ts")).createSite,
    }),
  }),
  engines: {
    gdb: lazyEngineFactory(
      "gdb",
      async () => (await import("./src/engine/gdb.ts")).createGdbEngine,
    ),
    lldb: lazyEngineFactory(
      "lldb",
      async () => (await import("./src/engine/lldb.ts")).createLldbEngine,
    ),
    python: lazyEngineFactory(
      "python",
      async () => (await import("./src/engine/python.ts")).createPythonEngine,
    ),
  },
  // Not path.join: node:path would be one more module to load before every command.
  sampleDir: platform.env.DBGREMOTE_SAMPLE_DIR ??
    `${os.tmpdir()}/dbgremote-sample-${platform.user}`,
}, process.argv.slice(2));
// Output still queued for a pipe is written before the process goes (bounded: a reader may never read).
await platform.flushOutput(10_000);
process.exit(code);
