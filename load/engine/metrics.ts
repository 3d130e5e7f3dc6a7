/**
 * The Node load engine's metrics: HDR histograms for the timings (3 significant digits, constant memory, exact
 * merge), exact counters by one tag, and pass/fail rates. A snapshot is plain JSON (histograms encoded as
 * compressed base64), so worker threads and segments on other machines merge exactly; percentiles of a merged
 * run come from the merged histograms, never from averaged percentiles. The summary lists metrics by name with
 * `values` per statistic (avg, med, p(95), count, rate), the shape common load tools write.
 */
import hdr from "hdr-histogram-js";
import type { LoadSummary, MetricsSnapshot, Window } from "../../contracts/index.ts";
import { callCenterKpis } from "./kpis.ts";
import { Series } from "./series.ts";

/** Timings are recorded in whole milliseconds, from 1 ms to an hour. */
const HISTOGRAM = {
  lowestDiscernibleValue: 1,
  highestTrackableValue: 3_600_000,
  numberOfSignificantValueDigits: 3,
} as const;

/** The tag each tagged counter is broken down by, named as sub-metrics (`ccgw_callouts{retcode:0}`). */
const TAG_KEYS: Record<string, string> = {
  ccgw_callouts: "retcode",
  ccgw_events: "type",
  ccgw_call_attempts_dropped: "reason",
  ccgw_call_outcomes: "outcome",
  ccgw_sign_in_failures: "retcode",
  ccgw_ineffective_attempts: "class",
};

/** The statistics of a trend in the summary. */
const TREND_STATS = ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)"] as const;

type Histogram = ReturnType<typeof hdr.build>;

// Plain JSON of a run's metrics (what a worker posts, what a segment writes to result.json) and a span of time
// on the epoch clock: their shapes are result.json's (contracts/schemas/harness/load-segment.schema.json).
export type { MetricsSnapshot, Window } from "../../contracts/index.ts";

export class Metrics {
  private readonly trends = new Map<string, Histogram>();
  private readonly counters = new Map<string, Map<string, number>>();
  private readonly rates = new Map<string, { passes: number; fails: number }>();
  /** The run second by second (callouts, errors, latency), for the report's charts. */
  readonly series = new Series();
  durationMs = 0;
  /** When the schedule ran: set by each share, merged to the earliest start and the latest end. */
  window: Window | undefined;

  private histogram(name: string): Histogram {
    let h = this.trends.get(name);
    if (!h) {
      h = hdr.build(HISTOGRAM);
      this.trends.set(name, h);
    }
    return h;
  }

  /** Records a timing, in ms (rounded, at least 1). */
  time(name: string, ms: number): void {
    this.histogram(name).recordValue(Math.min(HISTOGRAM.highestTrackableValue, Math.max(1, Math.round(ms))));
  }

  /** Adds to a counter, under a tag value ("" for none). */
  count(name: string, tag = "", n = 1): void {
    let byTag = this.counters.get(name);
    if (!byTag) {
      byTag = new Map();
      this.counters.set(name, byTag);
    }
    byTag.set(tag, (byTag.get(tag) ?? 0) + n);
  }

  /** Adds one outcome to a rate. */
  rate(name: string, pass: boolean): void {
    const r = this.rates.get(name) ?? { passes: 0, fails: 0 };
    if (pass) r.passes++;
    else r.fails++;
    this.rates.set(name, r);
  }

  /** Widens the measurement interval to hold this one. */
  measure(window: Window): void {
    this.window = this.window
      ? {
          startMs: Math.min(this.window.startMs, window.startMs),
          endMs: Math.max(this.window.endMs, window.endMs),
        }
      : { ...window };
  }

  /** The value of a counter under each tag. */
  tally(name: string): Record<string, number> {
    return Object.fromEntries(this.counters.get(name) ?? []);
  }

  /** Plain JSON of the metrics; `withSeries: false` leaves the per-second series out (progress). */
  snapshot(withSeries = true): MetricsSnapshot {
    const trends: Record<string, string> = {};
    for (const [name, h] of this.trends) trends[name] = hdr.encodeIntoCompressedBase64(h);
    const counters: Record<string, Record<string, number>> = {};
    for (const [name, byTag] of this.counters) counters[name] = Object.fromEntries(byTag);
    const rates: Record<string, { passes: number; fails: number }> = {};
    for (const [name, r] of this.rates) rates[name] = { ...r };
    const series = withSeries ? { series: this.series.snapshot() } : {};
    const window = this.window ? { window: { ...this.window } } : {};
    return { trends, counters, rates, durationMs: this.durationMs, ...window, ...series };
  }

  /** Adds another run's snapshot (a worker's, a segment's): histograms added, counters and rates summed. */
  add(snapshot: MetricsSnapshot): void {
    for (const [name, encoded] of Object.entries(snapshot.trends)) {
      this.histogram(name).add(hdr.decodeFromCompressedBase64(encoded));
    }
    for (const [name, byTag] of Object.entries(snapshot.counters)) {
      for (const [tag, n] of Object.entries(byTag)) this.count(name, tag, n);
    }
    for (const [name, r] of Object.entries(snapshot.rates)) {
      const mine = this.rates.get(name) ?? { passes: 0, fails: 0 };
      this.rates.set(name, { passes: mine.passes + r.passes, fails: mine.fails + r.fails });
    }
    if (snapshot.series) this.series.add(snapshot.series);
    if (snapshot.window) this.measure(snapshot.window);
    this.durationMs = Math.max(this.durationMs, snapshot.durationMs);
  }

  /** The metrics of several snapshots merged exactly. */
  static merge(snapshots: readonly MetricsSnapshot[]): Metrics {
    const merged = new Metrics();
    for (const s of snapshots) merged.add(s);
    return merged;
  }

  /** A statistic of a trend (avg, min, med, max, p(95), ...), undefined when nothing was recorded. */
  stat(name: string, stat: string): number | undefined {
    const h = this.trends.get(name);
    if (!h || h.totalCount === 0) return undefined;
    return trendValue(h, stat);
  }

  /** The summary: trends in ms, counters with count and rate per second, rates with their share. */
  summary(): LoadSummary {
    const seconds = Math.max(this.durationMs, 1) / 1000;
    const metrics: LoadSummary["metrics"] = {};
    for (const [name, h] of this.trends) {
      if (h.totalCount === 0) continue;
      const values: Record<string, number> = {};
      for (const stat of TREND_STATS) values[stat] = trendValue(h, stat) ?? 0;
      metrics[name] = { type: "trend", contains: "time", values };
    }
    for (const [name, byTag] of this.counters) {
      const count = [...byTag.values()].reduce((a, b) => a + b, 0);
      metrics[name] = { type: "counter", values: { count, rate: count / seconds } };
      for (const [tag, n] of byTag) {
        if (tag !== "")
          metrics[`${name}{${TAG_KEYS[name] ?? "tag"}:${tag}}`] = {
            type: "counter",
            values: { count: n, rate: n / seconds },
          };
      }
    }
    for (const [name, r] of this.rates) {
      const total = r.passes + r.fails;
      metrics[name] = {
        type: "rate",
        values: { rate: total === 0 ? 0 : r.passes / total, passes: r.passes, fails: r.fails },
      };
    }
    return { metrics, state: { testRunDurationMs: this.durationMs }, kpis: callCenterKpis(this) };
  }
}

function trendValue(h: Histogram, stat: string): number | undefined {
  if (stat === "avg") return h.mean;
  if (stat === "count") return h.totalCount;
  if (stat === "min") return h.minNonZeroValue;
  if (stat === "max") return h.maxValue;
  if (stat === "med") return h.getValueAtPercentile(50);
  const p = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
  return p ? h.getValueAtPercentile(Number(p[1])) : undefined;
}
