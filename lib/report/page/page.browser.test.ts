/**
 * The run's report page in a real browser (Debian's Chromium, driven by playwright-core): the verdict, the
 * clause table and every chart render, with no console error and no request leaving the page. Without
 * Chromium the test is skipped, saying so; under CI (.ci/run installs it) a missing Chromium is a failure.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { PLANTED_PASSWORD, writeFixtureRun } from "./fixtures.ts";
import { readRunDir, writeReport } from "./index.ts";

const CHROMIUM = process.env.CCGW_CHROMIUM ?? "/usr/bin/chromium";
// The flags this machine's closed network needs (no background connections, no GPU, no sandbox as root).
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ccgw-page-browser-"));
  await writeFixtureRun(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Skips (saying why) without Chromium; under CI a missing Chromium fails. */
function needChromium(skip: (note: string) => void): void {
  if (existsSync(CHROMIUM)) return;
  if (process.env.CI)
    throw new Error(`no Chromium at ${CHROMIUM}: .ci/run installs Debian's chromium package`);
  skip(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CCGW_CHROMIUM)`);
}

it("renders the verdict, the clause table and every chart, with no console error", {
  timeout: 60_000,
}, async ({ skip }) => {
  needChromium(skip);
  const { page: file } = await writeReport(dir, { secrets: [PLANTED_PASSWORD] });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("request", (request) => {
      if (!request.url().startsWith("file:") && !request.url().startsWith("data:")) {
        problems.push(`request: ${request.url()}`);
      }
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    await expect.poll(() => page.locator("#verdict h1").textContent()).toMatch(/fail/i);
    const rows = await page.locator("#conformance table tbody tr").count();
    const model = await readRunDir(dir, { secrets: [PLANTED_PASSWORD] });
    expect(rows).toBe(model.conformance?.clauses.length);
    expect(rows).toBeGreaterThan(0);
    const charts = await page.locator("div[id^='chart-']").evaluateAll((nodes) =>
      nodes.map((node) => {
        const canvas = node.querySelector("canvas");
        return { id: node.id, width: canvas?.width ?? 0, height: canvas?.height ?? 0 };
      }),
    );
    // The charts the run's data calls for (this fixture has no per-call setup times, so no setup chart).
    const expected = [
      ...(model.series ? ["chart-latency", "chart-throughput"] : []),
      ...(model.series?.setup ? ["chart-setup"] : []),
      ...(model.histogram ? ["chart-histogram"] : []),
      ...(model.capacity ? ["chart-capacity"] : []),
    ];
    expect(expected.length).toBeGreaterThanOrEqual(4);
    expect(charts.map((c) => c.id).sort()).toEqual(expected.sort());
    for (const chart of charts) {
      expect(chart.width, chart.id).toBeGreaterThan(0);
      expect(chart.height, chart.id).toBeGreaterThan(0);
    }
    expect(await page.content()).not.toContain(PLANTED_PASSWORD);
    expect(problems).toEqual([]);
  } finally {
    await browser.close();
  }
});

it("prints as a document: no navigation, every note open, charts as wide as the page, rows kept whole", {
  timeout: 60_000,
}, async ({ skip }) => {
  needChromium(skip);
  const { page: file } = await writeReport(dir, { secrets: [PLANTED_PASSWORD] });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    const chartWidths = () =>
      page
        .locator("div[id^='chart-'] canvas")
        .evaluateAll((nodes) => nodes.map((n) => (n as unknown as { width: number }).width));
    const screenWidths = await chartWidths();
    expect(Math.min(...screenWidths)).toBeGreaterThan(680);
    expect(await page.locator("details[open]").count()).toBe(0);
    const folded = await page.locator("details").count();
    expect(folded).toBeGreaterThan(0);

    await page.emulateMedia({ media: "print" });
    await page.evaluate('window.dispatchEvent(new Event("beforeprint"))');
    // The test's TypeScript has no DOM types: the browser side is a string.
    const printed = await page.evaluate(`(() => {
      const style = (selector) => getComputedStyle(document.querySelector(selector));
      return {
        nav: style("nav").display,
        thead: style("#conformance thead").display,
        row: style("#conformance tbody tr").breakInside,
      };
    })()`);
    expect(printed).toEqual({ nav: "none", thead: "table-header-group", row: "avoid" });
    expect(await page.locator("details[open]").count()).toBe(folded);
    for (const width of await chartWidths()) expect(width).toBeLessThanOrEqual(680);
    // On A4 less the default margins (718 CSS px) nothing sticks out of the page.
    await page.setViewportSize({ width: 718, height: 1000 });
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(718);
    await page.setViewportSize({ width: 1280, height: 900 });
    const pdf = await page.pdf({ format: "A4" });
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");

    await page.evaluate('window.dispatchEvent(new Event("afterprint"))');
    await page.emulateMedia({ media: "screen" });
    expect(await page.locator("details[open]").count()).toBe(0);
    expect(await chartWidths()).toEqual(screenWidths);
  } finally {
    await browser.close();
  }
});
