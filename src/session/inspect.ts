/**
 * The session's structured side (engine/inspect.ts), for every kind of participant: the page
 * over the wire (protocol 1.4) and editors through the `dap:` endpoint, in-process.
 *
 * An action becomes the engine kind's own words, then runs as that participant's command like
 * any typed one (echo with its issuer, queue order, observers refused). A question goes
 * straight to the engine's inspector, outside the queue and the transcript: nobody else sees
 * a hover. The breakpoint set is kept as the engine last told it, with who changed it.
 */
import { findKind } from "../engine/kinds.ts";
import {
  type Action,
  type Breakpoint,
  type InspectAnswer,
  InspectError,
  type Inspector,
  type InspectQuery,
} from "../engine/inspect.ts";
import { DbgRemoteError } from "../errors.ts";

/** Questions one participant may have under way at once (each is a round trip to the debugger). */
export const MAX_QUESTIONS_IN_FLIGHT = 32;

/** The engine kind's words for `action`, or why there are none (E_BAD_ACTION). */
export function actionText(
  kind: string,
  action: Action,
): { text: string } | { error: DbgRemoteError } {
  const words = findKind(kind)?.words;
  if (!words) {
    return {
      error: new InspectError("E_NO_INSPECTOR", `the ${kind} engine has no words for actions`),
    };
  }
  try {
    return { text: words(action) };
  } catch (err) {
    if (err instanceof DbgRemoteError) return { error: err };
    throw err;
  }
}

/** Ask `inspector` one question; the answer is tagged with the question's `what`. */
export async function answerQuery(
  inspector: Inspector | undefined,
  query: InspectQuery,
): Promise<InspectAnswer> {
  if (!inspector) {
    throw new InspectError(
      "E_NO_INSPECTOR",
      "this engine answers no structured questions",
      "type the debugger's own commands instead",
    );
  }
  switch (query.what) {
    case "breakpoints":
      return { what: "breakpoints", breakpoints: await inspector.breakpoints() };
    case "threads":
      return { what: "threads", threads: await inspector.threads() };
    case "stack":
      return {
        what: "stack",
        frames: await inspector.stack(query.thread, query.start, query.levels),
      };
    case "scopes":
      return { what: "scopes", scopes: await inspector.scopes(query.frame, query.thread) };
    case "variables":
      return { what: "variables", variables: await inspector.variables(query.ref) };
    case "evaluate":
      return {
        what: "evaluate",
        result: await inspector.evaluate(query.expression, query.frame, query.thread),
      };
  }
}

/** The session's latest breakpoints, and how many questions each participant has under way. */
export class SessionInspect {
  #breakpoints: Breakpoint[] = [];
  /** The participant whose command changed them last; undefined: none (the engine itself). */
  #by: number | undefined;
  readonly #asking = new Map<number, number>();

  get breakpoints(): Breakpoint[] {
    return this.#breakpoints;
  }

  /** Who changed them last (the issuer of the command under way then). */
  get changedBy(): number | undefined {
    return this.#by;
  }

  /** The engine told a new set while `by`'s command ran. */
  changed(breakpoints: Breakpoint[], by: number | undefined): void {
    this.#breakpoints = breakpoints;
    this.#by = by;
  }

  /** Ask on behalf of `client`, at most {@link MAX_QUESTIONS_IN_FLIGHT} at once. */
  async ask(
    client: number,
    inspector: Inspector | undefined,
    query: InspectQuery,
  ): Promise<InspectAnswer> {
    const now = this.#asking.get(client) ?? 0;
    if (now >= MAX_QUESTIONS_IN_FLIGHT) {
      throw new InspectError(
        "E_INSPECT",
        `${now} questions are under way already`,
        "wait for their answers",
      );
    }
    this.#asking.set(client, now + 1);
    try {
      return await answerQuery(inspector, query);
    } finally {
      const left = (this.#asking.get(client) ?? 1) - 1;
      if (left > 0) this.#asking.set(client, left);
      else this.#asking.delete(client);
    }
  }
}
