/**
 * Resuming and interrupting a DAP engine's target: the requests that may resume it (and the
 * wait for the stop or exit that follows), and the user's Ctrl+C, which may come while such
 * a request is still unanswered. Separate from engine_core.ts because the two share state of
 * their own (a resume under way, an interrupt waiting for it) that nothing else reads.
 */
import type { DebugProtocol } from "@vscode/debugprotocol";
import type { DapContext } from "./profile.ts";
import { withTimeout } from "./stops.ts";
import type { TargetModel } from "./target_model.ts";

export interface ResumeControlDeps {
  target: TargetModel;
  request: DapContext["request"];
  /** The adapter is running. */
  alive(): boolean;
  /** Wait until every event received so far has been handled. */
  settled(): Promise<void>;
}

export interface ResumeControl {
  /** DapContext.resuming: send a request that may resume the target, wait for what follows. */
  resuming: DapContext["resuming"];
  /** The user's Ctrl+C: true when the target is (or will be) paused. */
  interrupt(): Promise<boolean>;
}

export function createResumeControl(deps: ResumeControlDeps): ResumeControl {
  const { target, request, alive, settled } = deps;
  /** A request that may resume the target was sent and not answered yet. */
  let resumeSent = false;
  /** Ctrl+C came meanwhile: the target is paused once the answer says it runs. */
  let interruptWanted = false;
  /** The user's Ctrl+C: pause the target (bounded; the stop reports it). */
  const pause = async () => {
    const ask = async () => {
      if (target.threadId === undefined) {
        const t = await request<DebugProtocol.ThreadsResponse>("threads");
        target.threadId = t.body.threads[0]?.id;
      }
      target.pausing = true;
      await request("pause", { threadId: target.threadId ?? 0 });
    };
    await withTimeout(ask().catch(() => {}), 2000);
  };

  return {
    async resuming(send, resumes) {
      const beforeStops = target.stops;
      const beforeResumes = target.resumesSeen;
      let sure: boolean;
      resumeSent = true;
      try {
        sure = (await send()) === true || resumes;
      } finally {
        resumeSent = false;
      }
      if (sure && target.stops === beforeStops) {
        // Some adapters send no `continued`: running it is, unless the stop came already.
        target.setRunning();
      }
      if (interruptWanted) {
        interruptWanted = false;
        if (target.state === "running") await pause();
      }
      if (sure) {
        await target.waitForStop(beforeStops, alive);
        await settled();
        return;
      }
      // A REPL command's `continued` may come just after its answer: one more round trip
      // lets the adapter's event thread catch up before deciding whether the target runs.
      await request("threads").catch(() => {});
      await settled();
      if (target.resumesSeen > beforeResumes || target.state === "running") {
        await target.waitForStop(beforeStops, alive);
        await settled();
      }
    },

    async interrupt() {
      if (!alive()) return false;
      if (target.state === "running") {
        await pause();
        return true;
      }
      // A resume request is under way (the program may already write to its terminal): the
      // interrupt takes effect as soon as the adapter has answered it, as gdb's does.
      if (resumeSent) {
        interruptWanted = true;
        return true;
      }
      return false;
    },
  };
}
