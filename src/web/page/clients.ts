/** The side panel's list of participants: who, how they came in, and which one is this page. */
import type { ClientInfo } from "../../protocol/messages.ts";
import { $, el } from "./dom.ts";
import { whoText } from "./format.ts";

export function showClients(clients: ClientInfo[], you: number | undefined): void {
  $("clients").replaceChildren(
    ...clients.map((c) => {
      const li = el("li", "", whoText(c.who));
      if (c.id === you) li.append(el("span", "you", "(you)"));
      li.append(el("span", "via", c.via));
      if (c.role === "observer") li.append(el("span", "via", "observer"));
      return li;
    }),
  );
}
