/**
 * The web transport's own word to a page, outside the session's byte stream:
 * JSON in WebSocket text messages (the session's frames travel in binary
 * ones). One definition for the server (site.ts writes them) and the page's
 * bundle (page/app.js reads them). Pure.
 */
import { isRecord } from "../protocol/messages.ts";

export type PageControl =
  /** The password was right: trade this one-time ticket for the login cookie (POST /api/login). */
  | { t: "login"; ticket: string }
  /** The server is about to close this page's socket (its login ended), and why. */
  | { t: "closing"; reason: string };

/** A message as the server sends it: the text parsePageControl reads back. */
export function pageControlText(message: PageControl): string {
  return JSON.stringify(message);
}

/** A text message from the server, checked; undefined for anything else (ignored). */
export function parsePageControl(text: string): PageControl | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  if (value.t === "login" && typeof value.ticket === "string") {
    return { t: "login", ticket: value.ticket };
  }
  if (value.t === "closing" && typeof value.reason === "string") {
    return { t: "closing", reason: value.reason };
  }
  return undefined;
}
