/**
 * The browser client's files, compiled into the binary as text. The page's
 * script is one bundle, /app.js: src/web/page/app.ts and the TypeScript
 * modules it imports (the protocol's messages, frames and checks, the console's
 * wording, @noble/hashes), built by bun (`deno task build:page`, which
 * `compile`, `test`, `test:unit`, `check` and `dev` run first). One file from
 * the same origin: the CSP allows nothing else, and nothing inline.
 *
 * The bundle is generated, not committed (src/web/bundle/ is gitignored): the
 * TypeScript is the one source, so a bundle can never lag behind it, and
 * branches that change the page never conflict over generated code. Run
 * `deno task build:page` once before importing this module by hand (a bare
 * `deno check main.ts` or `deno test` on a fresh clone).
 */
import appCss from "./page/app.css" with { type: "text" };
import favicon from "./page/favicon.svg" with { type: "text" };
import indexHtml from "./page/index.html" with { type: "text" };
import appJs from "./bundle/app.js" with { type: "text" };

export interface Asset {
  type: string;
  body: string;
}

/** Path → file, for GET. */
export const ASSETS: Readonly<Record<string, Asset>> = {
  "/": { type: "text/html; charset=utf-8", body: indexHtml },
  "/app.css": { type: "text/css; charset=utf-8", body: appCss },
  "/app.js": { type: "text/javascript; charset=utf-8", body: appJs },
  "/favicon.svg": { type: "image/svg+xml", body: favicon },
};
