/**
 * Joins and leaves as everyone hears of them. The participants' list itself (`.clients`, the
 * welcome) is kept by the session and is always exact; this only says who came and went.
 */
import type { ClientInfo, Notice } from "../protocol/messages.ts";
import type { Participant } from "./audience.ts";
import { whoText } from "./meta_text.ts";

/** "alice@laptop joined (tcp:10.0.0.7:40312) as an observer". */
export function joinNotice(p: Participant, client: ClientInfo): Notice {
  const as = p.role === "observer" ? " as an observer" : "";
  return { t: "notice", kind: "join", text: `${whoText(p.who)} joined (${p.via})${as}`, client };
}

/** "alice@laptop left", "bob@h was disconnected: too slow". */
export function leaveNotice(
  p: Participant,
  client: ClientInfo,
  kind: "leave" | "drop",
  text: string,
): Notice {
  return { t: "notice", kind, text: `${whoText(p.who)} ${text}`, client };
}
