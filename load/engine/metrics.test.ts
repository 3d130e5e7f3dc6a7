/**
 * The engine's metrics: percentiles within HDR precision of the recorded values, snapshots that merge exactly
 * (counts exact, percentiles of the merged run equal to those of one run recording everything), and thresholds
 * in the k6-compatible threshold syntax judged against the summary.
 */
import { describe, expect, it } from "vitest";
import { HarnessError } from "../../lib/errors.ts";
import { Metrics } from "./metrics.ts";
import { judge, parseThresholds } from "./thresholds.ts";

/** A seeded spread of timings: most fast, a slow tail. */
function timings(n: number, seed: number): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const u = x / 2 ** 31;
    return u < 0.95 ? 5 + u * 100 : 500 + u * 2000;
  });
}

describe("metrics", () => {
  it("reports trend percentiles within 0.1% of the exact ones", () => {
    const m = new Metrics();
    const values = timings(20_000, 7);
    for (const v of values) m.time("ccgw_callout_duration", v);
    const sorted = values.map((v) => Math.round(v)).sort((a, b) => a - b);
    for (const p of [50, 95, 99]) {
      const exact = sorted[Math.ceil((p / 100) * sorted.length) - 1] as number;
      const stat = m.stat("ccgw_callout_duration", p === 50 ? "med" : `p(${p})`) as number;
      expect(Math.abs(stat - exact) / exact, `p${p}`).toBeLessThanOrEqual(0.001);
    }
  });

  it("merges snapshots of two or four parts into the same run: counts exact, percentiles within HDR precision", () => {
    const all = timings(40_000, 11);
    const single = new Metrics();
    for (const v of all) single.time("t", v);
    single.count("ccgw_callouts", "0", all.length);
    single.rate("ccgw_call_errors", true);
    for (const parts of [2, 4]) {
      const snapshots = Array.from({ length: parts }, (_, i) => {
        const m = new Metrics();
        for (const v of all.filter((_, j) => j % parts === i)) m.time("t", v);
        m.count("ccgw_callouts", "0", all.length / parts);
        m.rate("ccgw_call_errors", true);
        return JSON.parse(JSON.stringify(m.snapshot()));
      });
      const merged = Metrics.merge(snapshots);
      expect(merged.tally("ccgw_callouts")).toEqual({ "0": all.length });
      // Within HDR precision (3 significant digits): a merged maximum may read as its bucket's highest value.
      for (const stat of ["min", "med", "p(95)", "p(99)", "max"]) {
        const one = single.stat("t", stat) as number;
        const split = merged.stat("t", stat) as number;
        expect(Math.abs(split - one), `${parts} parts, ${stat}: ${split} vs ${one}`).toBeLessThanOrEqual(
          one * 0.001,
        );
      }
      expect(merged.summary().metrics.ccgw_call_errors?.values.passes).toBe(parts);
    }
  });

  it("judges thresholds and writes their verdicts into the summary", () => {
    const m = new Metrics();
    for (const v of [10, 20, 30, 40, 1000]) m.time("ccgw_callout_duration", v);
    for (let i = 0; i < 99; i++) m.rate("ccgw_call_errors", false);
    m.rate("ccgw_call_errors", true);
    m.count("ccgw_calls_lost", "", 3);
    m.durationMs = 10_000;
    const summary = m.summary();
    const broken = judge(
      summary,
      parseThresholds({
        ccgw_callout_duration: [
          "p(95)<500",
          { threshold: "avg<1000", abortOnFail: true, delayAbortEval: "10s" },
        ],
        ccgw_call_errors: ["rate<0.02"],
        ccgw_calls_lost: ["count<3"],
        ccgw_never_recorded: ["count<1"],
      }),
    );
    expect(broken.map((t) => `${t.metric} ${t.expression}`)).toEqual([
      "ccgw_callout_duration p(95)<500",
      "ccgw_calls_lost count<3",
    ]);
    expect(summary.metrics.ccgw_callout_duration?.thresholds).toEqual({
      "p(95)<500": { ok: false },
      "avg<1000": { ok: true },
    });
    expect(summary.metrics.ccgw_calls_lost?.values.rate).toBeCloseTo(0.3);
  });

  it("refuses an expression that is not a threshold, naming it", () => {
    expect(() => parseThresholds({ m: ["p95 < 1000"] })).toThrow(HarnessError);
    expect(() => parseThresholds({ m: ["p95 < 1000"] })).toThrow(/p95 < 1000/);
    expect(
      parseThresholds({ m: [{ threshold: "rate<0.01", abortOnFail: true, delayAbortEval: "500ms" }] })[0],
    ).toMatchObject({
      abortOnFail: true,
      delayAbortS: 0.5,
    });
  });
});
