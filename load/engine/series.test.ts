/**
 * The per-second series behind the report's charts: shares merge exactly second by second, percentiles per
 * second come from that second's histogram, the run's distribution counts every callout once, and a run with
 * no callout has no chart.
 */
import { describe, expect, it } from "vitest";
import { HISTOGRAM_EDGES_MS } from "../../lib/report/page/index.ts";
import { Metrics } from "./metrics.ts";
import { Series } from "./series.ts";

const T0 = Date.parse("2026-12-01T12:00:00.000Z");

describe("Series", () => {
  it("merges shares second by second: counts summed, percentiles from the merged histogram", () => {
    const a = new Series();
    const b = new Series();
    for (let i = 0; i < 90; i++) a.callout(T0 + 100, 10, false);
    for (let i = 0; i < 10; i++) b.callout(T0 + 900, 1000, i < 4);
    b.callout(T0 + 2500, 20, false);
    const merged = new Series();
    merged.add(a.snapshot());
    merged.add(b.snapshot());
    const file = merged.file();
    expect(file?.series.t).toEqual([0, 1, 2]);
    expect(file?.series.callsPerSecond).toEqual([100, 0, 1]);
    expect(file?.series.errorsPerSecond).toEqual([4, 0, 0]);
    // 90 of 100 at 10 ms, 10 at 1 s: the median is 10 ms and p95 is 1 s, as in one run with all 100.
    expect(file?.series.p50Ms[0]).toBe(10);
    expect(file?.series.p95Ms[0]).toBeGreaterThanOrEqual(999);
    expect(file?.series.p50Ms[1]).toBeNull();
  });

  it("counts every callout once in the run's distribution, in the bucket of its latency", () => {
    const s = new Series();
    for (const ms of [1, 5, 5, 50, 500, 70_000]) s.callout(T0, ms, false);
    const file = s.file();
    const total = file?.histogram.counts.reduce((x, y) => x + y, 0);
    expect(total).toBe(6);
    expect(file?.histogram.edgesMs.length).toBe((file?.histogram.counts.length ?? 0) + 1);
    // Beyond the last edge goes into the last bucket, which is kept.
    expect(file?.histogram.edgesMs.at(-1)).toBe(HISTOGRAM_EDGES_MS.at(-1));
  });

  it("keeps setup and lost calls in their second, and draws nothing without a callout", () => {
    const s = new Series();
    expect(s.file()).toBeUndefined();
    s.setup(T0 + 1200, 300);
    s.error(T0 + 1300);
    expect(s.file()).toBeUndefined();
    s.callout(T0, 5, false);
    const file = s.file();
    expect(file?.series.errorsPerSecond).toEqual([0, 1]);
    expect(file?.series.setup?.p50Ms).toEqual([null, 300]);
  });

  it("travels inside a metrics snapshot, and progress snapshots leave it out", () => {
    const m = new Metrics();
    m.series.callout(T0, 7, true);
    expect(m.snapshot(false).series).toBeUndefined();
    const merged = Metrics.merge([m.snapshot(), m.snapshot()]);
    expect(merged.series.file()?.series.callsPerSecond).toEqual([2]);
    expect(merged.series.file()?.series.errorsPerSecond).toEqual([2]);
  });

  it("spreads a call's time in progress over the seconds it spans, merged across shares, and charts none of it", () => {
    const a = new Series();
    const b = new Series();
    a.callout(T0 + 100, 5, false);
    a.inCall(T0 + 100, T0 + 2600);
    b.inCall(T0 + 900, T0 + 1400);
    const merged = new Series();
    merged.add(a.snapshot());
    merged.add(b.snapshot());
    // Second 0: 0.9 + 0.1 call-seconds; second 1: 1 + 0.4; second 2: 0.6.
    expect(merged.concurrency()).toEqual({ peak: 1.4, callMs: 3000 });
    // Seconds that hold only call time (a drain) do not extend the charts.
    expect(merged.file()?.series.t).toEqual([0]);
  });
});
