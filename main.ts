/**
 * dbgremote's entry point: the only place that exits the process.
 * Works under Deno (development, tests) and in the bun-compiled binary.
 */
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { setTimeout as timer } from "node:timers";
import { runCli } from "./src/cli/main.ts";
import { createGdbEngine } from "./src/engine/gdb.ts";
import { processPlatform } from "./src/platform.ts";
import { createTransports } from "./src/transport/transports.ts";
import { createWebRuntime } from "./src/web/serve.ts";
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
    web: await createWebRuntime(),
  }),
  engines: { gdb: createGdbEngine },
  sampleDir: platform.env.DBGREMOTE_SAMPLE_DIR ??
    path.join(os.tmpdir(), `dbgremote-sample-${platform.user}`),
}, process.argv.slice(2));
// Output still queued for a pipe (a client that just printed megabytes, then the session ended) is
// written before the process goes: ending the streams waits for it (Bun counts nothing queued, so
// neither writableLength nor an empty write's callback would); bounded, for a reader that never reads.
const ended = (stream: NodeJS.WriteStream) =>
  new Promise<void>((resolve) => {
    stream.once("error", () => resolve());
    stream.end(() => resolve());
  });
await Promise.race([
  Promise.all([ended(process.stdout), ended(process.stderr)]),
  new Promise((resolve) => timer(resolve, 10_000).unref()),
]);
process.exit(code);
