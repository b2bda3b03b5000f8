/**
 * End-to-end on the compiled binary with a real browser: the page's "program input" line and
 * EOF button type to the program's own terminal (samples/echo.c), and a console client sees it.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import { chromium } from "playwright-core";
import { buildEcho, withServer } from "./harness.ts";

const CHROMIUM = "/usr/bin/chromium";

Deno.test({
  name: "e2e web: the page's program input line and EOF button type to the program",
  ignore: !fs.existsSync(CHROMIUM),
  async fn() {
    await using session = await withServer({
      endpoints: ["http:port=0,server=127.0.0.1", "npipe:pipe=web-input-%d"],
      name: "lab",
      program: buildEcho,
    });
    const url =
      (await session.server.waitFor(/listening on http:\S*: open (http:\/\/\S+) in a browser/))[1];
    const carol = await session.join("carol", { address: await session.addressOf("npipe") });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
      timeout: 30_000,
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      page.setDefaultTimeout(15_000);
      await page.goto(url);
      await page.fill("#name", "alice");
      await page.click("#join");
      const transcript = page.locator("#transcript");
      await transcript.getByText("*** connected to lab").waitFor();
      carol.send("run");
      await transcript.getByText("echo: 0 args:").waitFor();
      await page.fill("#target-input", "  from the page");
      await page.press("#target-input", "Enter");
      await carol.waitFor("alice@browser> .input   from the page\n");
      await carol.waitFor("echo: line 1: [  from the page]\n");
      await page.press("#target-input", "Enter"); // an empty line is a line too
      await carol.waitFor("echo: line 2: []\n");
      await page.click("#target-eof");
      await carol.waitFor("echo: end of input after 2 lines\n");
      await transcript.getByText("-- program exited with code 42").waitFor();
      assert.equal(await page.inputValue("#target-input"), "");
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  },
});
