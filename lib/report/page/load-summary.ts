/**
 * What the page shows of a load run: headline figures from its summary.json (metrics by name, `values` per
 * statistic, threshold verdicts, the call-center figures) and the charts' data from its series.json. Both files
 * are checked against their schemas by the reader (lib/report/run-files.ts) before they come here.
 */
import type { LoadSummary, SeriesFile } from "../../../contracts/index.ts";
import type { Histogram, LoadFigures, TimeSeries } from "./model.ts";

/** Call setup as the load engine measures it: callout sent to the customer's phone alerting. */
const SETUP_METRIC = "ccgw_call_setup_alerting";
/** The callout request's own latency, from its actual send. */
const CALLOUT_METRIC = "ccgw_callout_duration";
/** Callout answers, tagged by retcode; every retcode but "0" is a failed callout. */
const CALLOUTS = "ccgw_callouts";

/** Headline figures from a load run's summary. */
export function loadFiguresFromSummary(summary: LoadSummary): LoadFigures {
  const { metrics, state, kpis } = summary;
  const figures: LoadFigures = { errorsByRetcode: {}, thresholds: [] };
  if (state?.testRunDurationMs !== undefined) figures.durationSeconds = state.testRunDurationMs / 1000;
  const calls = metrics[CALLOUTS]?.values;
  if (calls) {
    figures.calls = calls.count;
    figures.callsPerSecond = calls.rate;
  }
  const callout = metrics[CALLOUT_METRIC]?.values;
  if (callout) figures.p95CalloutMs = callout["p(95)"];
  const setup = metrics[SETUP_METRIC]?.values;
  if (setup) {
    figures.setupMetric = SETUP_METRIC;
    figures.p95SetupMs = setup["p(95)"];
  }
  for (const [name, metric] of Object.entries(metrics)) {
    const retcode = name.startsWith(`${CALLOUTS}{retcode:`) ? name.slice(CALLOUTS.length + 9, -1) : "";
    const count = metric.values.count;
    if (retcode && retcode !== "0" && count) figures.errorsByRetcode[retcode] = count;
    for (const [expression, result] of Object.entries(metric.thresholds ?? {})) {
      figures.thresholds.push({ metric: name, expression, ok: result.ok });
    }
  }
  if (kpis) {
    figures.kpis = kpis;
    // Calls per second over the schedule, not over the whole run (sign-in and drain left out).
    if (kpis.intervalS > 0) figures.callsPerSecond = kpis.attemptsPerSecond.achieved;
  }
  return figures;
}

/**
 * The charts' data from a series file, when its lists agree (one value per second of `t`, one bucket edge more
 * than counts): what a schema cannot say. Otherwise undefined, and why in `missing`.
 */
export function seriesOf(
  file: SeriesFile,
  name: string,
  missing: string[],
): { series: TimeSeries; histogram: Histogram } | undefined {
  const { series: s, histogram: h } = file;
  const lists = [s.callsPerSecond, s.errorsPerSecond, s.p50Ms, s.p95Ms, s.setup?.p50Ms, s.setup?.p95Ms];
  if (
    lists.every((list) => list === undefined || list.length === s.t.length) &&
    h.edgesMs.length === h.counts.length + 1
  )
    return { series: s, histogram: h };
  missing.push(
    `${name}: its lists disagree in length (one value per second of t, one bucket edge more than counts)`,
  );
  return undefined;
}
