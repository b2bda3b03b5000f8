/**
 * A network peer's `inspect` (protocol 1.4): asked of the session, answered by `inspected` to
 * that peer alone, never broadcast. Refusals carry the error's stable code.
 */
import { encodeFrame } from "../protocol/frame.ts";
import type { Inspect, Inspected } from "../protocol/messages.ts";
import type { Session } from "./session.ts";

/** Ask, then hand `reply` the answer (or the refusal); `reply` drops it if the peer has gone. */
export function answerInspect(
  session: Session,
  client: number,
  m: Inspect,
  reply: (answer: Inspected) => void,
): void {
  session.inspect(client, m.query).then(
    (answer) => {
      const ok: Inspected = { t: "inspected", id: m.id, ok: true, answer };
      try {
        encodeFrame(ok);
      } catch {
        // An answer over the frame limit (a huge value): said, rather than never answered.
        reply({
          t: "inspected",
          id: m.id,
          ok: false,
          code: "E_INSPECT",
          error: "the answer is too large to send: ask for less (fewer levels, a smaller value)",
        });
        return;
      }
      reply(ok);
    },
    (err) => {
      const code = typeof err?.code === "string" ? err.code : "E_INSPECT";
      reply({
        t: "inspected",
        id: m.id,
        ok: false,
        code,
        error: err instanceof Error ? err.message : String(err),
      });
    },
  );
}
