/**
 * Reads what a load run leaves for the report page: summary.json (metrics by name, `values` per statistic,
 * threshold verdicts) for the headline figures, and series.json (the run second by second, written by the load
 * engine) for the charts over time and the latency distribution.
 */
import type { CallCenterKpis } from "../load-kpis.ts";
import type { Histogram, LoadFigures, Threshold, TimeSeries } from "./model.ts";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function valuesOf(metric: unknown): Json | undefined {
  return isObject(metric) && isObject(metric.values) ? metric.values : undefined;
}

/** Call setup as the load engine measures it: callout sent to the customer's phone alerting. */
const SETUP_METRIC = "ccgw_call_setup_alerting";
/** The callout request's own latency, from its actual send. */
const CALLOUT_METRIC = "ccgw_callout_duration";
/** Callout answers, tagged by retcode; every retcode but "0" is a failed callout. */
const CALLOUTS = "ccgw_callouts";

/** Headline figures from a load run's summary.json. */
export function loadFiguresFromSummary(summary: unknown): LoadFigures {
  const root = isObject(summary) ? summary : {};
  const metrics = isObject(root.metrics) ? root.metrics : {};
  const state = isObject(root.state) ? root.state : {};
  const figures: LoadFigures = { errorsByRetcode: {}, thresholds: [] };
  const durationMs = num(state.testRunDurationMs);
  if (durationMs !== undefined) figures.durationSeconds = durationMs / 1000;
  const calls = valuesOf(metrics[CALLOUTS]);
  if (calls) {
    figures.calls = num(calls.count);
    figures.callsPerSecond = num(calls.rate);
  }
  const callout = valuesOf(metrics[CALLOUT_METRIC]);
  if (callout) figures.p95CalloutMs = num(callout["p(95)"]);
  const setup = valuesOf(metrics[SETUP_METRIC]);
  if (setup) {
    figures.setupMetric = SETUP_METRIC;
    figures.p95SetupMs = num(setup["p(95)"]);
  }
  for (const [name, metric] of Object.entries(metrics)) {
    const retcode = name.startsWith(`${CALLOUTS}{retcode:`) ? name.slice(CALLOUTS.length + 9, -1) : "";
    const count = num(valuesOf(metric)?.count);
    if (retcode && retcode !== "0" && count) figures.errorsByRetcode[retcode] = count;
    if (!isObject(metric) || !isObject(metric.thresholds)) continue;
    for (const [expression, result] of Object.entries(metric.thresholds)) {
      figures.thresholds.push({
        metric: name,
        expression,
        ok: isObject(result) && result.ok === true,
      } satisfies Threshold);
    }
  }
  if (isKpis(root.kpis)) {
    figures.kpis = root.kpis;
    // Calls per second over the schedule, not over the whole run (sign-in and drain left out).
    if (root.kpis.intervalS > 0) figures.callsPerSecond = root.kpis.attemptsPerSecond.achieved;
  }
  return figures;
}

/** summary.json's call-center figures, when they have the shape the load engine writes. */
function isKpis(value: unknown): value is CallCenterKpis {
  return (
    isObject(value) &&
    num(value.intervalS) !== undefined &&
    num(value.attempts) !== undefined &&
    isObject(value.attemptsPerSecond) &&
    isObject(value.concurrentCalls) &&
    isObject(value.ineffective) &&
    isObject(value.delays) &&
    num(value.releasesWithoutReady) !== undefined
  );
}

function numbers(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => typeof v === "number");
}

function numbersOrNull(value: unknown): value is (number | null)[] {
  return Array.isArray(value) && value.every((v) => v === null || typeof v === "number");
}

/** The charts' data from a series.json; throws, saying what is wrong, on any other shape. */
export function seriesFromFile(raw: unknown): { series: TimeSeries; histogram: Histogram } {
  const s = isObject(raw) && isObject(raw.series) ? raw.series : undefined;
  const h = isObject(raw) && isObject(raw.histogram) ? raw.histogram : undefined;
  const length = s && numbers(s.t) ? s.t.length : -1;
  const ok =
    s &&
    h &&
    typeof s.metric === "string" &&
    numbers(s.t) &&
    numbers(s.callsPerSecond) &&
    numbers(s.errorsPerSecond) &&
    numbersOrNull(s.p50Ms) &&
    numbersOrNull(s.p95Ms) &&
    [s.callsPerSecond, s.errorsPerSecond, s.p50Ms, s.p95Ms].every((a) => a.length === length) &&
    typeof h.metric === "string" &&
    numbers(h.edgesMs) &&
    numbers(h.counts) &&
    h.edgesMs.length === h.counts.length + 1;
  if (!ok) throw new Error("not a series file of the load engine (series and histogram)");
  return { series: s as unknown as TimeSeries, histogram: h as unknown as Histogram };
}
