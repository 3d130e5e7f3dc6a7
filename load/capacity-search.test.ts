/**
 * The capacity profile, end to end and for real: scripts/load.ts runs k6 step by step against the embedded mock
 * whose capacity model refuses callouts beyond 20 per second, and must report a highest sustainable rate within
 * ±10% of that knee. Short steps (5 s) need a small burst in the mock (0.1 s), or the bucket would let a step
 * through at up to (1 + 1/5) times the knee. Skipped only when no k6 binary exists and CI is not set.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runScript } from "../lib/script-process.ts";
import { findK6 } from "../scripts/k6-build.ts";
import type { CapacityResult } from "./node/capacity.ts";

const k6 = findK6();
const skip = !k6 && !process.env.CI;
const reason = skip ? " (SKIPPED: no k6 binary; run `npm run k6:build` or set K6_BIN)" : "";
const work = mkdtempSync(join(tmpdir(), "ccgw-capacity-test-"));
const KNEE = 20;

describe.skipIf(skip)(`capacity search against the mock's knee${reason}`, () => {
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it(`finds the configured knee of ${KNEE} calls/s within ±10%`, { timeout: 240_000 }, async () => {
    const { code, output } = await runScript("scripts/load.ts", [
      "--profile",
      "capacity",
      "--mock-capacity",
      String(KNEE),
      "--mock-burst",
      "0.1",
      "--step-duration",
      "5",
      "--start-rate",
      "10",
      "--agents",
      "150",
      "--report-dir",
      work,
      "--quiet",
    ]);
    expect(code, output).toBe(0);
    const result = JSON.parse(readFileSync(join(work, "capacity.json"), "utf8")) as CapacityResult;
    expect(result.sustainable, output).toBeGreaterThanOrEqual(KNEE * 0.9);
    expect(result.sustainable, output).toBeLessThanOrEqual(KNEE * 1.1);
    // The search went past the knee (a failing step exists) and the curve holds every step it ran.
    expect(result.firstFailing, output).toBeGreaterThan(result.sustainable);
    expect(result.curve.some((p) => !p.pass)).toBe(true);
    expect(result.curve.length).toBeGreaterThanOrEqual(3);
  });
});
