/** The live metrics endpoint serves the run so far in Prometheus's exposition format, counters never going back. */
import { afterAll, expect, it } from "vitest";
import { LiveMetrics } from "./live-metrics.ts";
import { Metrics } from "./metrics.ts";

const live = new LiveMetrics({ segment: "0/2" });
afterAll(() => live.close());

it("exposes counters by retcode, the callout percentiles and the call-center figures, on /metrics", async () => {
  const port = await live.listen(0, "127.0.0.1");
  const metrics = new Metrics();
  metrics.count("ccgw_callouts", "0", 5);
  metrics.count("ccgw_callouts", "100-007", 2);
  for (const ms of [10, 20, 30, 40, 500]) metrics.time("ccgw_callout_duration", ms);
  live.update(metrics);
  metrics.count("ccgw_callouts", "0", 3);
  live.update(metrics);
  live.update(metrics);
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(response.status).toBe(200);
  const text = await response.text();
  expect(text).toContain('ccgw_callouts_total{retcode="0",segment="0/2"} 8');
  expect(text).toContain('ccgw_callouts_total{retcode="100-007",segment="0/2"} 2');
  expect(text).toMatch(
    /ccgw_timing_ms\{metric="ccgw_callout_duration",quantile="0.95",segment="0\/2"\} 50\d/,
  );
  // Ratios as the run goes; rates and concurrency once the schedule has an interval.
  expect(text).not.toContain('kpi="session_establishment_ratio"');
  expect(text).not.toContain('kpi="attempts_per_second_offered"');
  metrics.count("ccgw_call_attempts", "", 10);
  metrics.count("ccgw_call_outcomes", "answered", 6);
  metrics.count("ccgw_call_outcomes", "not-answered", 4);
  metrics.count("ccgw_ineffective_attempts", "overload", 2);
  live.update(metrics);
  const during = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  expect(during).toContain('ccgw_kpi{kpi="session_establishment_ratio",segment="0/2"} 0.6');
  expect(during).toContain('ccgw_ineffective_attempts_total{class="overload",segment="0/2"} 2');
  expect(during).not.toContain('kpi="attempts_per_second_offered"');
  metrics.measure({ startMs: 0, endMs: 5000 });
  live.update(metrics);
  const after = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  expect(after).toContain('ccgw_kpi{kpi="attempts_per_second_offered",segment="0/2"} 2');
  expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
});

it("refuses a port that is taken, rather than crash or wait", async () => {
  const first = new LiveMetrics();
  const port = await first.listen(0, "127.0.0.1");
  const second = new LiveMetrics();
  await expect(second.listen(port, "127.0.0.1")).rejects.toThrow(/EADDRINUSE/);
  await second.close();
  await first.close();
});
