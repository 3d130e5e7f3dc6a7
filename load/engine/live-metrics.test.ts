/** The live metrics endpoint serves the run so far in Prometheus's exposition format, counters never going back. */
import { afterAll, expect, it } from "vitest";
import { LiveMetrics } from "./live-metrics.ts";
import { Metrics } from "./metrics.ts";

const live = new LiveMetrics({ segment: "0/2" });
afterAll(() => live.close());

it("exposes counters by retcode and the callout percentiles, on /metrics", async () => {
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
  expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
});
