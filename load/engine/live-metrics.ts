/**
 * A live metrics endpoint of a load run (Prometheus exposition, prom-client), so a cluster's Prometheus and
 * Grafana watch every pod of a segmented run at once. Counters of the run so far, and the callout and setup
 * percentiles from the merged HDR histograms as gauges. Labels stay few (retcode, event type, outcome, reason):
 * never an agent or a call id.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Gauge, Registry } from "prom-client";
import { callCenterKpis } from "./kpis.ts";
import type { Metrics } from "./metrics.ts";

/** Counters of the engine exposed, with the label their tag becomes. */
const COUNTERS: Record<string, string | undefined> = {
  ccgw_call_attempts: undefined,
  ccgw_call_attempts_dropped: "reason",
  ccgw_callouts: "retcode",
  ccgw_call_outcomes: "outcome",
  ccgw_events: "type",
  ccgw_sign_in_failures: "retcode",
  ccgw_ineffective_attempts: "class",
};
const TIMINGS = [
  "ccgw_callout_duration",
  "ccgw_callout_duration_intended",
  "ccgw_call_setup_alerting",
  "ccgw_call_setup_talking",
  "ccgw_release_ready",
];
const QUANTILES: [string, string][] = [
  ["0.5", "med"],
  ["0.95", "p(95)"],
  ["0.99", "p(99)"],
];

export class LiveMetrics {
  readonly registry = new Registry();
  private readonly counters = new Map<string, Counter<string>>();
  private readonly seen = new Map<string, number>();
  private readonly timings: Gauge<string>;
  private readonly kpis: Gauge<string>;
  private server: Server | undefined;

  constructor(labels: Record<string, string> = {}) {
    this.registry.setDefaultLabels(labels);
    for (const [name, label] of Object.entries(COUNTERS)) {
      this.counters.set(
        name,
        new Counter({
          name: `${name}_total`,
          help: `${name} of the run so far`,
          labelNames: label ? [label] : [],
          registers: [this.registry],
        }),
      );
    }
    this.timings = new Gauge({
      name: "ccgw_timing_ms",
      help: "Percentiles of the run's timings so far (HDR histograms), ms",
      labelNames: ["metric", "quantile"],
      registers: [this.registry],
    });
    this.kpis = new Gauge({
      name: "ccgw_kpi",
      help: "Call-center figures of the run (load/README.md): ratios as the run goes, rates and concurrency once the schedule has ended",
      labelNames: ["kpi"],
      registers: [this.registry],
    });
  }

  /** Takes the run's merged metrics so far: counters advance by what is new, percentiles are set. */
  update(metrics: Metrics): void {
    for (const [name, label] of Object.entries(COUNTERS)) {
      const counter = this.counters.get(name);
      if (!counter) continue;
      for (const [tag, total] of Object.entries(metrics.tally(name))) {
        const key = `${name}|${tag}`;
        const added = total - (this.seen.get(key) ?? 0);
        if (added <= 0) continue;
        this.seen.set(key, total);
        if (label) counter.inc({ [label]: tag }, added);
        else counter.inc(added);
      }
    }
    const kpis = callCenterKpis(metrics);
    const ratios: Record<string, number | undefined> = {
      session_establishment_ratio: kpis.sessionEstablishmentRatio,
      effective_ratio: kpis.effectiveRatio,
    };
    if (kpis.intervalS > 0)
      Object.assign(ratios, {
        attempts_per_second_offered: kpis.attemptsPerSecond.offered,
        attempts_per_second_achieved: kpis.attemptsPerSecond.achieved,
      });
    // Progress snapshots carry no per-second call time: concurrency only from the final metrics.
    if (metrics.series.concurrency().callMs > 0)
      Object.assign(ratios, {
        concurrent_calls_peak: kpis.concurrentCalls.peak,
        concurrent_calls_mean: kpis.concurrentCalls.mean,
      });
    for (const [kpi, value] of Object.entries(ratios)) if (value !== undefined) this.kpis.set({ kpi }, value);
    for (const metric of TIMINGS) {
      for (const [quantile, stat] of QUANTILES) {
        const value = metrics.stat(metric, stat);
        if (value !== undefined) this.timings.set({ metric, quantile }, value);
      }
    }
  }

  /** Serves /metrics on a port of this machine (0: any free one); resolves with the port, rejects when taken. */
  async listen(port: number, host = "0.0.0.0"): Promise<number> {
    this.server = createServer((request, response) => {
      if (request.url !== "/metrics") {
        response.writeHead(404).end();
        return;
      }
      void this.registry.metrics().then((text) => {
        response.writeHead(200, { "content-type": this.registry.contentType }).end(text);
      });
    });
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server?.listening) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
