/**
 * A run's figures second by second, for the report's charts: callouts answered and failed, callout latency and
 * call setup (to alerting) per second as HDR histograms, and the run's callout latency in the report's fixed
 * buckets. Keyed by epoch second, so the shares of a run (workers, segments on other machines) merge exactly;
 * snapshots are plain JSON like the rest of the metrics.
 */
import hdr from "hdr-histogram-js";
import type { Histogram, SeriesFile, SeriesSnapshot, TimeSeries } from "../../contracts/index.ts";
import { HISTOGRAM_EDGES_MS } from "../../lib/report/page/index.ts";

type Hdr = ReturnType<typeof hdr.build>;

/** Packed storage: a second holds few samples, so its histogram stays a few hundred bytes. */
const PER_SECOND = {
  bitBucketSize: "packed",
  lowestDiscernibleValue: 1,
  highestTrackableValue: 3_600_000,
  numberOfSignificantValueDigits: 3,
} as const;

interface Second {
  calls: number;
  errors: number;
  /** Milliseconds of calls in progress within the second: their mean concurrency there is callMs / 1000. */
  callMs?: number;
  callout?: Hdr;
  setup?: Hdr;
}

// Plain JSON of a series (per epoch second, counts and encoded histograms) and what series.json holds: their
// shapes are in contracts/schemas/harness/ (load-segment, load-series).
export type { SeriesFile, SeriesSnapshot } from "../../contracts/index.ts";

const clampMs = (ms: number) => Math.min(PER_SECOND.highestTrackableValue, Math.max(1, Math.round(ms)));

/** Buckets of the run's distribution: bucket i covers [edge i, edge i+1). */
const BUCKETS = HISTOGRAM_EDGES_MS.length - 1;

/** The bucket a latency falls into (the last one for anything beyond the last edge). */
function bucketOf(ms: number): number {
  const i = HISTOGRAM_EDGES_MS.findIndex((edge) => edge > ms) - 1;
  return i < 0 ? BUCKETS - 1 : i;
}

export class Series {
  private readonly seconds = new Map<number, Second>();
  private readonly buckets = new Array<number>(BUCKETS).fill(0);

  private at(epochMs: number): Second {
    const key = Math.floor(epochMs / 1000);
    let second = this.seconds.get(key);
    if (!second) {
      second = { calls: 0, errors: 0 };
      this.seconds.set(key, second);
    }
    return second;
  }

  /** A callout answered at `atMs` after `ms`; failed when its retcode was not success. */
  callout(atMs: number, ms: number, failed: boolean): void {
    const second = this.at(atMs);
    second.calls++;
    if (failed) second.errors++;
    second.callout ??= hdr.build(PER_SECOND);
    second.callout.recordValue(clampMs(ms));
    const b = bucketOf(ms);
    this.buckets[b] = (this.buckets[b] ?? 0) + 1;
  }

  /** A call's setup to alerting, seen at `atMs`. */
  setup(atMs: number, ms: number): void {
    const second = this.at(atMs);
    second.setup ??= hdr.build(PER_SECOND);
    second.setup.recordValue(clampMs(ms));
  }

  /** A call in progress from `startMs` to `endMs`: each second it overlaps gets the milliseconds it spent there. */
  inCall(startMs: number, endMs: number): void {
    for (let from = startMs; from < endMs; ) {
      const to = Math.min(endMs, (Math.floor(from / 1000) + 1) * 1000);
      const second = this.at(from);
      second.callMs = (second.callMs ?? 0) + (to - from);
      from = to;
    }
  }

  /** Concurrent calls: the highest mean of any one second, and the call-milliseconds of the whole run. */
  concurrency(): { peak: number; callMs: number } {
    let peak = 0;
    let callMs = 0;
    for (const s of this.seconds.values()) {
      peak = Math.max(peak, (s.callMs ?? 0) / 1000);
      callMs += s.callMs ?? 0;
    }
    return { peak, callMs };
  }

  /** A call that failed after its callout was accepted (lost), at `atMs`. */
  error(atMs: number): void {
    this.at(atMs).errors++;
  }

  snapshot(): SeriesSnapshot {
    const seconds: SeriesSnapshot["seconds"] = {};
    for (const [key, s] of this.seconds) {
      seconds[key] = {
        calls: s.calls,
        errors: s.errors,
        ...(s.callMs ? { callMs: s.callMs } : {}),
        ...(s.callout ? { callout: hdr.encodeIntoCompressedBase64(s.callout) } : {}),
        ...(s.setup ? { setup: hdr.encodeIntoCompressedBase64(s.setup) } : {}),
      };
    }
    return { seconds, buckets: [...this.buckets] };
  }

  /** Adds another share's series: counts summed, histograms added second by second. */
  add(snapshot: SeriesSnapshot): void {
    for (const [key, s] of Object.entries(snapshot.seconds)) {
      const mine = this.at(Number(key) * 1000);
      mine.calls += s.calls;
      mine.errors += s.errors;
      if (s.callMs) mine.callMs = (mine.callMs ?? 0) + s.callMs;
      if (s.callout) {
        mine.callout ??= hdr.build(PER_SECOND);
        mine.callout.add(hdr.decodeFromCompressedBase64(s.callout));
      }
      if (s.setup) {
        mine.setup ??= hdr.build(PER_SECOND);
        mine.setup.add(hdr.decodeFromCompressedBase64(s.setup));
      }
    }
    snapshot.buckets.forEach((n, i) => {
      this.buckets[i] = (this.buckets[i] ?? 0) + n;
    });
  }

  /**
   * The charts' data, from the first second with a callout to the last second with anything (a call lost after
   * the last callout still shows); undefined when no callout was made.
   */
  file(): SeriesFile | undefined {
    const called = [...this.seconds.keys()].filter((k) => (this.seconds.get(k)?.calls ?? 0) > 0);
    if (called.length === 0) return undefined;
    const first = Math.min(...called);
    // The last second with a callout, an error or a setup: seconds holding only call time (the drain) are left out.
    const charted = [...this.seconds].filter(([, s]) => s.calls > 0 || s.errors > 0 || s.setup !== undefined);
    const last = Math.max(...charted.map(([k]) => k));
    const series: TimeSeries = {
      metric: "ccgw_callout_duration",
      intervalSeconds: 1,
      t: [],
      callsPerSecond: [],
      errorsPerSecond: [],
      p50Ms: [],
      p95Ms: [],
      setup: { metric: "ccgw_call_setup_alerting", p50Ms: [], p95Ms: [] },
    };
    const pct = (h: Hdr | undefined, p: number) => (h && h.totalCount > 0 ? h.getValueAtPercentile(p) : null);
    for (let key = first; key <= last; key++) {
      const s = this.seconds.get(key);
      series.t.push(key - first);
      series.callsPerSecond.push(s?.calls ?? 0);
      series.errorsPerSecond.push(s?.errors ?? 0);
      series.p50Ms.push(pct(s?.callout, 50));
      series.p95Ms.push(pct(s?.callout, 95));
      series.setup?.p50Ms.push(pct(s?.setup, 50));
      series.setup?.p95Ms.push(pct(s?.setup, 95));
    }
    if (series.setup?.p50Ms.every((v) => v === null)) delete series.setup;
    // The distribution's x axis fits the data: empty buckets at both ends are trimmed.
    let hi = this.buckets.length - 1;
    while (hi > 0 && this.buckets[hi] === 0) hi--;
    let lo = 0;
    while (lo < hi && this.buckets[lo] === 0) lo++;
    const histogram: Histogram = {
      metric: "ccgw_callout_duration",
      edgesMs: HISTOGRAM_EDGES_MS.slice(lo, hi + 2),
      counts: this.buckets.slice(lo, hi + 1),
    };
    return { series, histogram };
  }
}
