/**
 * What a session meta-command (meta.ts's registry) may do to the session: say a line of its
 * output to everyone, tell its issuer alone of a mistake, announce, record, end the session, leave.
 *
 * Separate from session.ts so the reach of a meta-command is in one place: meta.ts says what each
 * command does through a {@link MetaContext}, this says what those words do to this session.
 */
import { describeError } from "../errors.ts";
import type { ClientInfo, EndCause } from "../protocol/messages.ts";
import type { SessionRecord } from "../record/session_record.ts";
import type { Audience } from "./audience.ts";
import type { SessionControls } from "./controls.ts";
import { findMeta, type MetaContext } from "./meta.ts";

/** What of the session its meta-commands reach. */
export interface MetaSession {
  audience: Audience;
  controls?: SessionControls;
  now: () => number;
  record: SessionRecord;
  clients: () => ClientInfo[];
  end: (reason: string, cause: EndCause) => Promise<void>;
  leave: (client: number, reason: string) => void;
}

/**
 * Run `text` if it is a session meta-command, as `client`'s (named `from`) command `seq`.
 * Returns ok, or undefined if the text is the engine's.
 */
export async function runMeta(
  session: MetaSession,
  text: string,
  client: number,
  from: string,
  seq: number,
): Promise<boolean | undefined> {
  const found = findMeta(text);
  return found && await found.run(metaContext(session, client, from, seq, found.arg));
}

function metaContext(
  session: MetaSession,
  client: number,
  from: string,
  seq: number,
  arg: string,
): MetaContext {
  const { audience } = session;
  return {
    client,
    from,
    arg,
    controls: session.controls,
    say: (line, stream = "console") =>
      audience.broadcast({ t: "out", seq, stream, text: `${line}\n` }),
    // Mistakes in session controls go to the one who made them; the others see only the command.
    fail: (err) => {
      audience.deliverTo(client, {
        t: "out",
        seq,
        stream: "error",
        text: describeError(err) + "\n",
      });
      return false;
    },
    announce: (text) => audience.broadcast({ t: "notice", kind: "info", text }),
    clients: () => session.clients(),
    now: session.now,
    record: (word, arg) => session.record.command(word, arg, from),
    end: (reason, cause) => session.end(reason, cause),
    leave: (reason) => {
      const m = audience.get(client);
      session.leave(client, reason);
      m?.p.close(""); // leaving is no drop: no "disconnected by the server" notice
    },
  };
}
