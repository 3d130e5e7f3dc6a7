/**
 * Capacity search, by the method of RFC 7502 (SIP benchmarking: the session establishment rate): trials of a
 * fixed duration at one constant offered attempt rate each, judged by a stated loss criterion (the service
 * levels below); the rate rises by a factor until a trial fails, then bisects between the last passing and the
 * first failing rate. The answer is the highest rate whose trial passed, with the curve of every trial. A trial
 * that breaks the criterion may be cut short (abortOnFail): it has failed whatever the rest would show.
 */

import type { CapacityMethod, CapacityPoint, CapacityResult, LoadSummary } from "../contracts/index.ts";
import type { Slo } from "./plan.ts";
import type { CapacitySearch } from "./profiles.ts";

// A step of the curve, the search's method and its result: capacity.json's shapes
// (contracts/schemas/harness/capacity.schema.json).
export type { CapacityMethod, CapacityPoint, CapacityResult } from "../contracts/index.ts";

/** Judges one step's summary against the service levels. */
export function judge(rate: number, summary: LoadSummary, slo: Slo, stepS?: number): CapacityPoint {
  const v = (name: string, stat: string): number | undefined => summary.metrics[name]?.values[stat];
  const point: CapacityPoint = {
    rate,
    // Attempts over the step's schedule (the summary's rate divides by the whole run, sign-in and drain included).
    achieved:
      summary.kpis && summary.kpis.intervalS > 0
        ? summary.kpis.attemptsPerSecond.achieved
        : stepS !== undefined
          ? (v("ccgw_call_attempts", "count") ?? 0) / stepS
          : (v("ccgw_call_attempts", "rate") ?? 0),
    setupP95Ms: v("ccgw_call_setup_alerting", "p(95)"),
    calloutP95Ms: v("ccgw_callout_duration", "p(95)"),
    errorRate: v("ccgw_call_errors", "rate") ?? 0,
    lostRate: v("ccgw_call_lost", "rate") ?? 0,
    pass: true,
    broke: [],
  };
  if (point.errorRate > slo.errorRate)
    point.broke.push(`error rate ${point.errorRate.toFixed(4)} > ${slo.errorRate}`);
  if (point.lostRate > slo.lostRate)
    point.broke.push(`lost rate ${point.lostRate.toFixed(4)} > ${slo.lostRate}`);
  if (point.setupP95Ms !== undefined && point.setupP95Ms > slo.setupP95Ms) {
    point.broke.push(`setup p95 ${Math.round(point.setupP95Ms)} ms > ${slo.setupP95Ms} ms`);
  }
  if (point.calloutP95Ms !== undefined && point.calloutP95Ms > slo.calloutP95Ms) {
    point.broke.push(`callout p95 ${Math.round(point.calloutP95Ms)} ms > ${slo.calloutP95Ms} ms`);
  }
  point.pass = point.broke.length === 0;
  return point;
}

/** The stated loss criterion of a trial: the service levels it must hold. */
export function lossCriterion(slo: Slo): string {
  const pct = (share: number) => Number((share * 100).toPrecision(6));
  return `at most ${pct(slo.errorRate)}% of call attempts refused or lost, at most ${pct(slo.lostRate)}% of placed calls lost, p95 post-dial delay under ${slo.setupP95Ms} ms, p95 callout answer under ${slo.calloutP95Ms} ms`;
}

export function capacityMethod(search: CapacitySearch, slo: Slo): CapacityMethod {
  return {
    standard:
      "RFC 7502 (maximum session establishment rate): fixed-duration trials at a constant offered rate",
    trialS: search.stepS,
    criterion: lossCriterion(slo),
  };
}

/** Runs the search; `step(rate)` runs one constant-rate step and returns its point. */
export async function searchCapacity(
  search: CapacitySearch,
  cap: number | undefined,
  step: (rate: number) => Promise<CapacityPoint>,
): Promise<CapacityResult> {
  const maxRate = Math.min(search.maxRate, cap ?? Number.POSITIVE_INFINITY);
  const curve: CapacityPoint[] = [];
  const round = (r: number) => Math.round(r * 100) / 100;
  let pass = 0;
  let fail: number | undefined;
  for (
    let rate = Math.min(search.startRate, maxRate);
    ;
    rate = round(Math.min(rate * search.factor, maxRate))
  ) {
    const point = await step(rate);
    curve.push(point);
    if (!point.pass) {
      fail = rate;
      break;
    }
    pass = rate;
    if (rate >= maxRate) break;
  }
  while (fail !== undefined && pass > 0 && (fail - pass) / pass > search.resolution) {
    const mid = round((pass + fail) / 2);
    const point = await step(mid);
    curve.push(point);
    if (point.pass) pass = mid;
    else fail = mid;
  }
  curve.sort((a, b) => a.rate - b.rate);
  return { sustainable: pass, firstFailing: fail, curve };
}

/** The curve as a text table. */
export function formatCurve(result: CapacityResult): string {
  const rows = result.curve.map(
    (p) =>
      `${p.rate.toFixed(2).padStart(8)} ${p.achieved.toFixed(2).padStart(8)} ${(p.setupP95Ms ?? Number.NaN).toFixed(0).padStart(8)} ${(p.errorRate * 100).toFixed(2).padStart(7)}% ${(p.lostRate * 100).toFixed(2).padStart(7)}%  ${p.pass ? "pass" : `FAIL (${p.broke.join("; ")})`}`,
  );
  const method = result.method
    ? [
        `method: ${result.method.standard}, ${result.method.trialS} s each; loss criterion: ${result.method.criterion}`,
      ]
    : [];
  return [
    ...method,
    " offered achieved setupP95   errors     lost  verdict",
    ...rows,
    `maximum sustainable attempt rate: ${result.sustainable} calls/s${result.firstFailing !== undefined ? ` (first failing: ${result.firstFailing})` : ""}`,
  ].join("\n");
}
