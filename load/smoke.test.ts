/**
 * A real, short k6 run of the smoke profile against the embedded mock (through scripts/load.ts), and the same
 * run split over two k6 instances with execution segments, whose merged counters must equal the single run's.
 * Skipped only when no k6 binary exists and CI is not set; in CI it always runs (.ci/run builds k6 first).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runScript } from "../lib/script-process.ts";
import { findK6 } from "../scripts/k6-build.ts";
import { METRIC_NAMES } from "./lib/metrics-names.ts";
import { type K6Summary, mergedCounts } from "./node/run.ts";

const k6 = findK6();
const skip = !k6 && !process.env.CI;
const reason = skip ? " (SKIPPED: no k6 binary; run `npm run k6:build` or set K6_BIN)" : "";
const work = mkdtempSync(join(tmpdir(), "ccgw-load-test-"));

const load = (args: string[]) => runScript("scripts/load.ts", args);

const summaryOf = (dir: string) => JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as K6Summary;
const COMPARED = [
  "ccgw_call_attempts",
  "ccgw_callouts",
  "ccgw_calls_answered",
  "ccgw_calls_not_answered",
  "ccgw_calls_failed",
  "ccgw_events",
];

describe.skipIf(skip)(`k6 smoke against the embedded mock${reason}`, () => {
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  let single: K6Summary | undefined;

  it("passes its thresholds and reports every ccgw_ metric", { timeout: 60_000 }, async () => {
    const dir = join(work, "single");
    const run = await load(["--profile", "smoke", "--duration", "5", "--report-dir", dir, "--quiet"]);
    expect(run.code, run.output).toBe(0);
    single = summaryOf(dir);
    for (const name of METRIC_NAMES)
      expect(single.metrics, `summary.json lacks ${name}`).toHaveProperty(name);
    expect(single.metrics.ccgw_call_attempts?.values.count).toBeGreaterThan(0);
    expect(readFileSync(join(dir, "junit.xml"), "utf8")).toContain("<testsuite");
    expect(readFileSync(join(dir, "report.html"), "utf8").length).toBeGreaterThan(1000);
  });

  it("split over two instances adds up to the single run", { timeout: 60_000 }, async () => {
    expect(single, "the single run must have passed first").toBeDefined();
    const dir = join(work, "split");
    const run = await load([
      "--profile",
      "smoke",
      "--duration",
      "5",
      "--report-dir",
      dir,
      "--instances",
      "2",
      "--quiet",
    ]);
    expect(run.code, run.output).toBe(0);
    const parts = [summaryOf(join(dir, "instance-1")), summaryOf(join(dir, "instance-2"))];
    // Each instance did part of the work, not one instance all of it.
    for (const part of parts) expect(part.metrics.ccgw_call_attempts?.values.count).toBeGreaterThan(0);
    const merged = mergedCounts(parts);
    const one = mergedCounts(single ? [single] : []);
    for (const name of COMPARED) expect(merged[name], name).toBe(one[name]);
  });
});
