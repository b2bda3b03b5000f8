/**
 * The browser client's files, compiled into the binary as text: no bundler,
 * no build step. The page's scripts are plain ES modules the browser loads
 * from the same origin (the CSP allows nothing else).
 */
import appCss from "./page/app.css" with { type: "text" };
import appJs from "./page/app.js" with { type: "text" };
import cryptoJs from "./page/crypto.js" with { type: "text" };
import favicon from "./page/favicon.svg" with { type: "text" };
import formatJs from "./page/format.js" with { type: "text" };
import indexHtml from "./page/index.html" with { type: "text" };
import protocolJs from "./page/protocol.js" with { type: "text" };

export interface Asset {
  type: string;
  body: string;
}

const js = "text/javascript; charset=utf-8";

/** Path → file, for GET. */
export const ASSETS: Readonly<Record<string, Asset>> = {
  "/": { type: "text/html; charset=utf-8", body: indexHtml },
  "/app.css": { type: "text/css; charset=utf-8", body: appCss },
  "/app.js": { type: js, body: appJs },
  "/crypto.js": { type: js, body: cryptoJs },
  "/format.js": { type: js, body: formatJs },
  "/protocol.js": { type: js, body: protocolJs },
  "/favicon.svg": { type: "image/svg+xml", body: favicon },
};
