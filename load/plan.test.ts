/** The plan helpers: the open-model arrival schedule. */
import { describe, expect, it } from "vitest";
import { arrivals, expectedAttempts, type LoadPlan, peakRate } from "./plan.ts";

describe("plan helpers", () => {
  it("fires as many attempts as the area under the rate curve, shared across shares", () => {
    const plan: Pick<LoadPlan, "stages" | "startRate"> = {
      startRate: 0,
      stages: [
        { rate: 10, durationS: 10 },
        { rate: 10, durationS: 5 },
      ],
    };
    expect(expectedAttempts(plan)).toBe(100);
    expect(peakRate(plan)).toBe(10);
    const whole = [...arrivals(plan, 1, 1)];
    expect(whole).toHaveLength(100);
    const total = [0.25, 0.75]
      .map((share, i) => [...arrivals(plan, share, (i + 1) / 2)].length)
      .reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(99);
    expect(total).toBeLessThanOrEqual(100);
    // Arrivals never go backwards and stay inside the schedule.
    for (let i = 1; i < whole.length; i++) expect(whole[i]).toBeGreaterThanOrEqual(whole[i - 1] ?? 0);
    expect(whole.at(-1)).toBeLessThanOrEqual(15000);
  });

  it("spaces a constant rate evenly (constant-arrival-rate)", () => {
    const times = [...arrivals({ startRate: 4, stages: [{ rate: 4, durationS: 2 }] }, 1, 1)];
    expect(times).toEqual([250, 500, 750, 1000, 1250, 1500, 1750, 2000]);
  });
});
