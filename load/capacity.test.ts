/** The capacity search against a synthetic gateway whose error rate jumps past a known knee. */
import { describe, expect, it } from "vitest";
import type { LoadSummary } from "../contracts/index.ts";
import { type CapacityPoint, capacityMethod, formatCurve, judge, searchCapacity } from "./capacity.ts";
import type { Slo } from "./plan.ts";

const slo: Slo = { setupP95Ms: 3000, calloutP95Ms: 1000, errorRate: 0.02, lostRate: 0.001, violationRate: 0 };

/** A gateway that refuses the share of attempts above `knee` (what the mock's token bucket does). */
function summaryAt(rate: number, knee: number): LoadSummary {
  const errorRate = rate <= knee ? 0 : (rate - knee) / rate;
  return {
    metrics: {
      ccgw_call_attempts: { type: "counter", values: { count: rate * 10, rate } },
      ccgw_call_errors: { type: "rate", values: { rate: errorRate } },
      ccgw_call_lost: { type: "rate", values: { rate: 0 } },
      ccgw_call_setup_alerting: { type: "trend", values: { "p(95)": 200 } },
      ccgw_callout_duration: { type: "trend", values: { "p(95)": 5 } },
    },
  };
}

describe("capacity search", () => {
  it.each([7, 20, 33, 150])("finds a knee of %d calls/s within 10%%", async (knee) => {
    const tried: number[] = [];
    const result = await searchCapacity(
      { startRate: 5, factor: 1.5, maxRate: 400, stepS: 1, resolution: 0.05 },
      undefined,
      async (rate): Promise<CapacityPoint> => {
        tried.push(rate);
        return judge(rate, summaryAt(rate, knee), slo);
      },
    );
    expect(Math.abs(result.sustainable - knee) / knee).toBeLessThanOrEqual(0.1);
    expect(result.firstFailing).toBeGreaterThan(result.sustainable);
    expect(result.curve).toHaveLength(tried.length);
  });

  it("never tries a rate above the target's maxCallsPerSecond", async () => {
    const tried: number[] = [];
    const result = await searchCapacity(
      { startRate: 5, factor: 2, maxRate: 400, stepS: 1, resolution: 0.05 },
      12,
      async (rate) => {
        tried.push(rate);
        return judge(rate, summaryAt(rate, 1000), slo);
      },
    );
    expect(Math.max(...tried)).toBe(12);
    expect(result.sustainable).toBe(12);
    expect(result.firstFailing).toBeUndefined();
  });

  it("names the service level a step broke", () => {
    const point = judge(30, summaryAt(30, 20), slo);
    expect(point.pass).toBe(false);
    expect(point.broke.join()).toMatch(/error rate/);
  });

  it("takes a trial's achieved rate from its KPIs, over the interval the trial ran", () => {
    const summary = summaryAt(10, 20);
    const kpis = {
      intervalS: 8,
      attemptsPerSecond: { offered: 10, achieved: 9.5 },
      concurrentCalls: { peak: 3, mean: 2 },
      attempts: 76,
      ineffective: {},
      delays: {},
      releasesWithoutReady: 0,
    };
    expect(judge(10, { ...summary, kpis }, slo, 20).achieved).toBe(9.5);
    expect(judge(10, summary, slo, 20).achieved).toBe(5);
  });

  it("states the method of RFC 7502: the trials' duration and the loss criterion", async () => {
    const search = { startRate: 5, factor: 2, maxRate: 10, stepS: 20, resolution: 0.05 };
    const result = await searchCapacity(search, undefined, async (rate) =>
      judge(rate, summaryAt(rate, 100), slo),
    );
    const text = formatCurve({ method: capacityMethod(search, slo), ...result });
    expect(text).toMatch(
      /^method: RFC 7502 .*, 20 s each; loss criterion: at most 2% of call attempts refused or lost, at most 0.1% of placed calls lost/,
    );
    expect(text).toContain("maximum sustainable attempt rate: 10 calls/s");
  });
});
