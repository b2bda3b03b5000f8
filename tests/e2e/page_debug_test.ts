/**
 * End-to-end on the compiled binary with a real browser (Debian's chromium, driven by
 * playwright-core): the page debugs like an editor. Its toolbar steps, a click on a line number
 * sets a breakpoint a console client then lists, a click on a frame selects it for everyone, the
 * variables tree expands a struct, a watch is evaluated at each stop; an observer page sees
 * the same with every control disabled. Screenshots go to test-output/.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { markerLine } from "../engine/contract.ts";
import { endpointAddress, withScratch } from "./harness.ts";

const CHROMIUM = "/usr/bin/chromium";
const OUT = path.resolve(import.meta.dirname!, "../../test-output");
const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(
    `page e2e: ${CHROMIUM} is missing: browser tests skipped (apt-get install chromium)`,
  );
}

/** A program with a struct to expand and a call to step into; tests find lines by marker. */
const POINT_C = `#include <stdio.h>
struct point { int x; int y; };
static int area(struct point *p, int scale) {
  int a = p->x * p->y; /* LINE:area */
  return a * scale; /* LINE:area-return */
}
int main(void) {
  struct point pt = { 3, 4 }; /* LINE:pt */
  int total = 0; /* LINE:total */
  total = area(&pt, 2); /* LINE:call */
  total = total + 1; /* LINE:after */
  printf("point: total is %d\\n", total); /* LINE:print */
  return 0;
}
`;

function buildPoint(dir: string): string {
  fs.writeFileSync(path.join(dir, "point.c"), POINT_C);
  execFileSync("cc", ["-g", "-O0", "-o", path.join(dir, "point"), path.join(dir, "point.c")]);
  return path.join(dir, "point");
}

async function launch(): Promise<Browser> {
  return await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
    timeout: 30_000,
  });
}

/** A fresh browser profile with one page, joined as `name`; page errors are collected. */
async function joinPage(
  browser: Browser,
  url: string,
  name: string,
  options: { observe?: boolean } = {},
): Promise<Page & { errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage() as Page & { errors: string[] };
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && page.errors.push(m.text()));
  page.setDefaultTimeout(15_000);
  await page.goto(url);
  await page.fill("#name", name);
  await page.fill("#password", "pw for pages");
  if (options.observe) await page.check("#observe");
  await page.click("#join");
  await page.locator("#transcript").getByText("*** connected to").waitFor();
  return page;
}

const line = (marker: string) => markerLine(POINT_C, marker);
/** The source panel's line `n`, and its number (what a click sets a breakpoint with). */
const sourceLine = (page: Page, n: number) =>
  page.locator("#source li").filter({ has: page.locator(".n", { hasText: new RegExp(`^${n}$`) }) });

Deno.test({
  name: "e2e page: toolbar, breakpoints by line number, frames, variables and watches",
  ignore: !haveChromium,
  async fn() {
    fs.mkdirSync(OUT, { recursive: true });
    await using tmp = withScratch({ PAGE_PW: "pw for pages" });
    const program = buildPoint(tmp.dir);
    const server = tmp.startServer(program, {
      endpoints: [
        "http:port=0,server=127.0.0.1,password_env=PAGE_PW",
        "tcp:port=0,server=127.0.0.1",
      ],
      name: "lab",
    });
    const url =
      (await server.waitFor(/listening on http:\S*: open (http:\/\/\S+) in a browser/))[1];
    const tcp = await endpointAddress(server, "tcp");
    const browser = await launch();
    try {
      const carol = tmp.spawn("carol", ["client", "--user", "carol", tcp]);
      await carol.waitFor("*** connected to lab");
      const alice = await joinPage(browser, url, "alice");
      const bob = await joinPage(browser, url, "bob", { observe: true });

      // Before a stop nothing steps; the tooltip says why.
      assert.equal(await alice.locator("#tool-next").isDisabled(), true);
      assert.match((await alice.getAttribute("#tool-next", "title"))!, /not stopped/);

      carol.send("break main");
      await alice.locator("#breakpoints").getByText("point.c:").waitFor();
      carol.send("run");
      await alice.locator("#state").getByText(`stopped at point.c:${line("pt")}`).waitFor();

      // The observer sees every control disabled, with the reason.
      for (const id of ["#tool-continue", "#tool-next", "#tool-stepIn", "#tool-stepOut"]) {
        assert.equal(await bob.locator(id).isDisabled(), true, id);
        assert.match((await bob.getAttribute(id, "title"))!, /observing/);
      }
      assert.equal(await bob.locator("#source .n.toggle").count(), 0);

      // Step over from the toolbar: a session command in gdb's words, with the page's name.
      await alice.locator("#tool-next").click();
      await carol.waitFor(/alice@browser> next\n/);
      for (const p of [alice, bob]) {
        await p.locator("#source li.here").getByText("LINE:total").waitFor();
      }
      // A source line wider than the panel wraps inside it: nothing is cut off at its edge.
      const print = sourceLine(alice, line("print"));
      await print.getByText("LINE:print").waitFor();
      assert.ok(await alice.locator("#source").evaluate((e) => e.scrollWidth <= e.clientWidth));
      const [one, height] = await Promise.all([
        sourceLine(alice, line("total")).evaluate((e) => e.getBoundingClientRect().height),
        print.evaluate((e) => e.getBoundingClientRect().height),
      ]);
      assert.ok(height > one, "the long line takes more than one row");

      // The variables tree: main's locals, the struct expanded on a click (read only then).
      const pt = alice.locator('#variables li.var[data-name="pt"]');
      await alice.locator('#variables li.var[data-name="pt"] > .row').waitFor();
      assert.equal(await pt.locator(".children").count(), 0, "children are read on a click");
      await alice.locator('#variables li.var[data-name="pt"] > .row').click();
      await pt.locator(".children .row").filter({ hasText: /^\s*x = 3$/ }).waitFor();
      await pt.locator(".children .row").filter({ hasText: /^\s*y = 4$/ }).waitFor();

      // A watch: evaluated now, and again at the next stop.
      await alice.fill("#watch-input", "pt.x * 10 + total");
      await alice.press("#watch-input", "Enter");
      await alice.locator("#watches li").getByText("= 30").waitFor();
      await alice.screenshot({ path: path.join(OUT, "page-debug-variables.png") });
      await alice.locator("#tool-next").click();
      await alice.locator("#source li.here").getByText("LINE:call").waitFor();
      await alice.locator("#watches li").getByText("= 30").waitFor();

      // A click on a line number sets a breakpoint there, for the session: the console lists it
      // and saw who set it; every page marks the line and lists it.
      await sourceLine(alice, line("area")).locator(".n").click();
      await carol.waitFor(new RegExp(`alice@browser> break \\S*point\\.c:${line("area")}\\n`));
      const listed = carol.stdout.length;
      carol.send("info breakpoints");
      await carol.waitFor(
        new RegExp(`breakpoint\\s+keep y\\s+\\S+\\s+in area at \\S*point\\.c:${line("area")}`),
        {
          from: listed,
        },
      );
      for (const p of [alice, bob]) {
        await p.locator("#breakpoints li").getByText(`point.c:${line("area")}`).waitFor();
        await sourceLine(p, line("area")).and(p.locator("li.bp")).waitFor();
      }

      // Step into the call: two frames; a click on main's selects it for everyone (frame 1).
      await alice.locator("#tool-stepIn").click();
      await carol.waitFor(/alice@browser> step\n/);
      await alice.locator("#source li.here").getByText("LINE:area").waitFor();
      await alice.locator("#stack li").nth(1).getByText(/#1 {2}main/).waitFor();
      await alice.locator('#variables li.var[data-name="p"]').waitFor();
      await alice.locator("#stack li").nth(1).click();
      await carol.waitFor(/alice@browser> frame 1\n/);
      for (const p of [alice, bob]) {
        await p.locator("#stack li.selected").getByText(/^#1 {2}main/).waitFor();
        await p.locator("#source li.here").getByText("LINE:call").waitFor();
      }
      // An observer reads the panes too (reading changes nothing).
      await bob.locator('#variables li.var[data-name="pt"]').waitFor();
      // The panes follow the selected frame: main's locals again, pt still open as it was left.
      await pt.locator(".children .row").filter({ hasText: /^\s*y = 4$/ }).waitFor();
      await alice.screenshot({ path: path.join(OUT, "page-debug-frame.png") });

      // Back to area's frame from the keyboard (Enter on the focused frame), then step out.
      await alice.locator("#stack li").first().press("Enter");
      await carol.waitFor(/alice@browser> frame 0\n/);
      await alice.locator("#stack li.selected").getByText(/^#0 {2}area/).waitFor();
      await alice.locator("#tool-stepOut").click();
      await carol.waitFor(/alice@browser> finish\n/);
      await alice.locator("#source li.here").getByText("LINE:call").waitFor();
      assert.equal(await alice.locator("#stack li").count(), 1);

      // The same click clears it again (for everyone).
      await sourceLine(alice, line("area")).locator(".n").click();
      await carol.waitFor(/alice@browser> delete 2\n/);
      await bob.locator("#breakpoints li").getByText(`point.c:${line("area")}`).waitFor({
        state: "detached",
      });

      // Continue to the end: the program's output; nothing steps any more.
      await alice.locator("#tool-continue").click();
      await carol.waitFor(/alice@browser> continue\n/);
      await carol.waitFor("point: total is 25");
      await alice.locator("#state").getByText("exited (0)").waitFor();
      assert.equal(await alice.locator("#tool-next").isDisabled(), true);
      await alice.screenshot({ path: path.join(OUT, "page-debug-exited.png") });
      assert.deepEqual([...alice.errors, ...bob.errors], []);
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  name: "e2e page: a Python session's panes (nested objects, a watch) and the Interrupt button",
  ignore: !haveChromium,
  async fn() {
    fs.mkdirSync(OUT, { recursive: true });
    await using tmp = withScratch({ PAGE_PW: "pw for pages" });
    const sample = path.resolve(import.meta.dirname!, "../../samples/shapes.py");
    const script = path.join(tmp.dir, "shapes.py");
    fs.copyFileSync(sample, script);
    const source = fs.readFileSync(sample, "utf8");
    const server = tmp.startServer(script, {
      endpoint: "http:port=0,server=127.0.0.1,password_env=PAGE_PW",
      debug: ["/usr/bin/python3", "-m", "pdb", script, "loop"],
    });
    const url =
      (await server.waitFor(/listening on http:\S*: open (http:\/\/\S+) in a browser/))[1];
    const browser = await launch();
    try {
      const alice = await joinPage(browser, url, "alice");
      await alice.locator("#state").getByText(/stopped at shapes\.py:\d+/).waitFor();
      // Named for its host (no --name): the header says the name once, not "vm on vm".
      const header = await alice.locator("#server").innerText();
      assert.match(header, /^[\w.-]+: Python /);
      assert.match(
        await alice.locator("#transcript").innerText(),
        /^\*\*\* connected to [\w.-]+: Python /,
      );
      await alice.fill("#cmd", "b area");
      await alice.press("#cmd", "Enter");
      await alice.locator("#breakpoints li").getByText(/shapes\.py:\d+|area/).waitFor();

      // F5 is Continue, as in editors: to the breakpoint in area.
      await alice.locator("#transcript").click();
      await alice.keyboard.press("F5");
      await alice.locator("#transcript").getByText("alice@browser> c").waitFor();
      await alice.locator("#source li.here").getByText("LINE:in-area").waitFor();
      assert.equal(
        await alice.locator("#state").innerText(),
        `stopped at shapes.py:${markerLine(source, "in-area")}`,
      );

      // Objects inside objects, each read when opened.
      await alice.locator('#variables li.var[data-name="s"] > .row').click();
      await alice.locator('#variables li.var[data-name="at"] > .row').click();
      await alice.locator('#variables li.var[data-name="at"] li.var[data-name="x"]')
        .getByText(/x = 3/).waitFor();
      await alice.fill("#watch-input", "s.sides * k");
      await alice.press("#watch-input", "Enter");
      await alice.locator("#watches li").getByText("= 8").waitFor();
      await alice.screenshot({ path: path.join(OUT, "page-debug-python.png") });
      // The watch list is the tab's: a reload keeps it (and joins again: the login is kept).
      await alice.reload();
      await alice.locator("#transcript").getByText("*** connected to").waitFor();
      await alice.locator("#watches li").getByText("= 8").waitFor();

      // Running: only Interrupt may be pressed; it stops the loop for everyone.
      await alice.fill("#cmd", "cl");
      await alice.press("#cmd", "Enter");
      await alice.locator("#breakpoints li").getByText("none").waitFor();
      await alice.locator("#tool-continue").click();
      await alice.locator("#state").getByText("running").waitFor();
      assert.equal(await alice.locator("#tool-next").isDisabled(), true);
      await alice.locator("#variables").getByText("running…").waitFor();
      await alice.locator("#interrupt").click();
      await alice.locator("#transcript").getByText(/alice@browser interrupted the target/)
        .waitFor();
      await alice.locator("#state").getByText(/stopped at shapes\.py:\d+/).waitFor();
      assert.deepEqual(alice.errors, []);
    } finally {
      await browser.close();
    }
  },
});
