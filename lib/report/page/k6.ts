/**
 * Reads k6 outputs for the report page: the end-of-test summary (handleSummary JSON or --summary-export) for the
 * headline figures and thresholds, and the points stream (--out json=..., optionally gzipped) for the series,
 * the latency distribution and the errors by retcode.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import type { Histogram, LoadFigures, Threshold, TimeSeries } from "./model.ts";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** The values of a summary metric, from either summary format. */
function valuesOf(metric: unknown): Json | undefined {
  if (!isObject(metric)) return undefined;
  return isObject(metric.values) ? metric.values : metric;
}

/** Metric names the load side may use for call setup, most specific first. */
export const SETUP_METRICS = [
  "ccgw_call_setup_alerting",
  "ccgw_call_setup_talking",
  "ccgw_call_setup",
  "ccgw_callout_setup",
];
/** Metric names for the callout request's own latency, most specific first. */
export const CALLOUT_METRICS = ["ccgw_callout_duration", "ccgw_callout_latency", "http_req_duration"];
/** Counter names for callouts sent. */
const CALL_COUNTERS = ["ccgw_callouts", "ccgw_calls", "ccgw_callout_total", "ccgw_calls_started"];
/** Counters of callout answers tagged by retcode; every retcode but "0" is a failed callout. */
const ANSWER_COUNTERS = ["ccgw_callouts"];
const ERROR_COUNTERS = ["ccgw_callout_errors", "ccgw_errors", "ccgw_callout_failed"];

function firstMetric(metrics: Json, names: readonly string[]): [string, Json] | undefined {
  for (const name of names) {
    const values = valuesOf(metrics[name]);
    if (values) return [name, values];
  }
  // Prefix match, for names the load side chose after this list was written (ccgw_call_setup_xyz).
  for (const name of names) {
    const found = Object.keys(metrics).find((k) => k.startsWith(name) && !k.includes("{"));
    if (found) {
      const values = valuesOf(metrics[found]);
      if (values) return [found, values];
    }
  }
  return undefined;
}

/** Headline figures from a k6 summary JSON (handleSummary data or --summary-export). */
export function loadFiguresFromSummary(summary: unknown): LoadFigures {
  const root = isObject(summary) ? summary : {};
  const metrics = isObject(root.metrics) ? root.metrics : {};
  const state = isObject(root.state) ? root.state : {};
  const figures: LoadFigures = { errorsByRetcode: {}, thresholds: [] };
  const durationMs = num(state.testRunDurationMs);
  if (durationMs !== undefined) figures.durationSeconds = durationMs / 1000;

  const counter = firstMetric(metrics, CALL_COUNTERS);
  const callout = firstMetric(metrics, CALLOUT_METRICS);
  if (counter) {
    figures.calls = num(counter[1].count);
    figures.callsPerSecond = num(counter[1].rate);
  } else {
    // Without a callout counter, the callout trend's sample count is the number of calls.
    const reqs = valuesOf(metrics["http_reqs{op:callout}"]) ?? valuesOf(metrics["http_reqs{name:callout}"]);
    if (reqs) {
      figures.calls = num(reqs.count);
      figures.callsPerSecond = num(reqs.rate);
    }
  }
  if (callout) figures.p95CalloutMs = num(callout[1]["p(95)"]);
  const setup = firstMetric(metrics, SETUP_METRICS);
  if (setup) {
    figures.setupMetric = setup[0];
    figures.p95SetupMs = num(setup[1]["p(95)"]);
  }
  if (figures.callsPerSecond === undefined && figures.calls !== undefined && figures.durationSeconds) {
    figures.callsPerSecond = figures.calls / figures.durationSeconds;
  }

  // Sub-metrics such as ccgw_callout_errors{retcode:100-007} give the errors by retcode when the load side
  // declared them; the points file fills this in otherwise.
  for (const [name, metric] of Object.entries(metrics)) {
    const match = /^([^{]+)\{retcode:([^}]+)\}$/.exec(name);
    const values = valuesOf(metric);
    const base = match?.[1] ?? "";
    const retcode = match?.[2];
    if (!values || !retcode) continue;
    const isError = ERROR_COUNTERS.includes(base) || (ANSWER_COUNTERS.includes(base) && retcode !== "0");
    const count = num(values.count);
    if (isError && count) figures.errorsByRetcode[retcode] = count;
  }

  for (const [name, metric] of Object.entries(metrics)) {
    if (!isObject(metric) || !isObject(metric.thresholds)) continue;
    for (const [expression, result] of Object.entries(metric.thresholds)) {
      // "count>=0" thresholds only make k6 keep a tagged sub-metric (a breakdown), they judge nothing.
      if (expression.replace(/\s/g, "") === "count>=0") continue;
      // handleSummary data says {ok: bool}; the legacy --summary-export says true when the threshold FAILED.
      const ok = isObject(result) ? result.ok === true : result === false;
      figures.thresholds.push({ metric: name, expression, ok } satisfies Threshold);
    }
  }
  return figures;
}

interface Point {
  metric: string;
  time: number;
  value: number;
  tags: Record<string, string>;
}

function parsePoint(line: string): Point | undefined {
  if (!line.startsWith('{"')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObject(parsed) || parsed.type !== "Point" || typeof parsed.metric !== "string") return undefined;
  const data = isObject(parsed.data) ? parsed.data : {};
  const value = num(data.value);
  const time = typeof data.time === "string" ? Date.parse(data.time) : Number.NaN;
  if (value === undefined || Number.isNaN(time)) return undefined;
  const tags: Record<string, string> = {};
  if (isObject(data.tags)) for (const [k, v] of Object.entries(data.tags)) tags[k] = String(v);
  return { metric: parsed.metric, time, value, tags };
}

function isCallout(point: Point): boolean {
  if (point.metric !== "http_req_duration") return true;
  const tag = point.tags.op ?? point.tags.operation ?? point.tags.name ?? point.tags.url ?? "";
  return tag === "callout" || tag.includes("/callout");
}

function retcodeOf(point: Point): string | undefined {
  const retcode = point.tags.retcode;
  if (retcode !== undefined && retcode !== "" && retcode !== "0") return retcode;
  const status = point.tags.status;
  if (status !== undefined && status !== "" && !status.startsWith("2"))
    return status === "0" ? "network" : `HTTP ${status}`;
  return undefined;
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? null;
}

/** Log-spaced bucket edges from 1 ms to 60 s: fine enough for a distribution chart, fixed so runs compare. */
export const HISTOGRAM_EDGES_MS: readonly number[] = (() => {
  const edges = [0];
  for (let e = 0; e <= 4.8; e += 0.1) edges.push(Math.round(10 ** e * 10) / 10);
  return [...new Set(edges)];
})();

/** Series, histogram and errors by retcode from a k6 points file. */
export interface PointsDigest {
  series: TimeSeries;
  histogram: Histogram;
  errorsByRetcode: Record<string, number>;
  calls: number;
}

/**
 * Streams a k6 JSON points file (NDJSON, gzipped when the name ends in .gz) into per-interval figures. The
 * callout metric is chosen by CALLOUT_METRICS order among the metrics the file holds.
 */
export async function digestPoints(path: string, intervalSeconds = 1): Promise<PointsDigest | undefined> {
  const byMetric = new Map<string, Point[]>();
  const setupPoints = new Map<string, Point[]>();
  const errorCounters: Point[] = [];
  const source = createReadStream(path);
  const input = path.endsWith(".gz") ? source.pipe(createGunzip()) : source;
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    const point = parsePoint(line);
    if (!point) continue;
    if (ERROR_COUNTERS.includes(point.metric)) errorCounters.push(point);
    if (ANSWER_COUNTERS.includes(point.metric) && (point.tags.retcode ?? "0") !== "0")
      errorCounters.push(point);
    if (SETUP_METRICS.includes(point.metric)) {
      const list = setupPoints.get(point.metric) ?? [];
      list.push(point);
      setupPoints.set(point.metric, list);
      continue;
    }
    if (!CALLOUT_METRICS.includes(point.metric)) continue;
    if (!isCallout(point)) continue;
    let list = byMetric.get(point.metric);
    if (!list) {
      list = [];
      byMetric.set(point.metric, list);
    }
    list.push(point);
  }
  const metric = CALLOUT_METRICS.find((m) => (byMetric.get(m)?.length ?? 0) > 0);
  if (!metric) return undefined;
  const points = byMetric.get(metric) ?? [];
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    start = Math.min(start, p.time);
    end = Math.max(end, p.time);
  }
  const slots = Math.floor((end - start) / 1000 / intervalSeconds) + 1;
  const values: number[][] = Array.from({ length: slots }, () => []);
  const errors = new Array<number>(slots).fill(0);
  const errorsByRetcode: Record<string, number> = {};
  const counts = new Array<number>(HISTOGRAM_EDGES_MS.length).fill(0);
  const countErrorsFromTags = errorCounters.length === 0;
  for (const point of points) {
    const slot = Math.floor((point.time - start) / 1000 / intervalSeconds);
    values[slot]?.push(point.value);
    let bucket = HISTOGRAM_EDGES_MS.findIndex((edge) => edge > point.value) - 1;
    if (bucket < 0) bucket = HISTOGRAM_EDGES_MS.length - 1;
    counts[bucket] = (counts[bucket] ?? 0) + 1;
    const retcode = countErrorsFromTags ? retcodeOf(point) : undefined;
    if (retcode) {
      errors[slot] = (errors[slot] ?? 0) + 1;
      errorsByRetcode[retcode] = (errorsByRetcode[retcode] ?? 0) + 1;
    }
  }
  for (const point of errorCounters) {
    if (point.value <= 0) continue;
    const slot = Math.max(0, Math.min(slots - 1, Math.floor((point.time - start) / 1000 / intervalSeconds)));
    const retcode = point.tags.retcode ?? "unknown";
    errors[slot] = (errors[slot] ?? 0) + point.value;
    errorsByRetcode[retcode] = (errorsByRetcode[retcode] ?? 0) + point.value;
  }
  const series: TimeSeries = {
    metric,
    intervalSeconds,
    t: values.map((_, i) => i * intervalSeconds),
    callsPerSecond: values.map((v) => v.length / intervalSeconds),
    errorsPerSecond: errors.map((e) => e / intervalSeconds),
    p50Ms: [],
    p95Ms: [],
  };
  for (const slot of values) {
    const sorted = [...slot].sort((a, b) => a - b);
    series.p50Ms.push(percentile(sorted, 50));
    series.p95Ms.push(percentile(sorted, 95));
  }
  const setupMetric = SETUP_METRICS.find((m) => (setupPoints.get(m)?.length ?? 0) > 0);
  if (setupMetric) {
    const slotsOfSetup: number[][] = Array.from({ length: slots }, () => []);
    for (const point of setupPoints.get(setupMetric) ?? []) {
      const slot = Math.max(
        0,
        Math.min(slots - 1, Math.floor((point.time - start) / 1000 / intervalSeconds)),
      );
      slotsOfSetup[slot]?.push(point.value);
    }
    const sorted = slotsOfSetup.map((slot) => [...slot].sort((a, b) => a - b));
    series.setup = {
      metric: setupMetric,
      p50Ms: sorted.map((slot) => percentile(slot, 50)),
      p95Ms: sorted.map((slot) => percentile(slot, 95)),
    };
  }
  // Trim empty buckets at the high end so the chart's x axis fits the data.
  let last = counts.length - 1;
  while (last > 0 && counts[last] === 0) last -= 1;
  let first = 0;
  while (first < last && counts[first] === 0) first += 1;
  const histogram: Histogram = {
    metric,
    edgesMs: HISTOGRAM_EDGES_MS.slice(first, last + 2),
    counts: counts.slice(first, last + 1),
  };
  return { series, histogram, errorsByRetcode, calls: points.length };
}
