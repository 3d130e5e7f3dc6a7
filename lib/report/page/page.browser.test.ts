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

it("renders the verdict, the clause table and every chart, with no console error", {
  timeout: 60_000,
}, async ({ skip }) => {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI)
      throw new Error(`no Chromium at ${CHROMIUM}: .ci/run installs Debian's chromium package`);
    skip(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CCGW_CHROMIUM)`);
  }
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
