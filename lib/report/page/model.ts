/**
 * The data behind the one report page of a run (reports/<run-id>/index.html) and the short terminal summary:
 * the run's metadata, the clause matrix, the load figures, the time series and the links to raw outputs.
 */
import type {
  CapacityResult,
  ConformanceReport,
  Histogram,
  RunRecord,
  TimeSeries,
} from "../../../contracts/index.ts";
import type { CallCenterKpis } from "../load-kpis.ts";

// The run's files have their schemas (contracts/schemas/harness/); the page holds what they hold, as they hold it.
export type {
  CapacityResult,
  ConformanceReport,
  Histogram,
  PhaseRecord,
  RunRecord,
  TimeSeries,
} from "../../../contracts/index.ts";

/** The run's outcome: pass, a contract or threshold failure, or a run that could not be done. */
export type RunVerdict = "pass" | "fail" | "error";

export interface Threshold {
  metric: string;
  expression: string;
  ok: boolean;
}

/** Headline figures of the load phase. */
export interface LoadFigures {
  durationSeconds?: number;
  calls?: number;
  callsPerSecond?: number;
  /** p95 of call setup (the metric named in setupMetric), in ms. */
  p95SetupMs?: number;
  setupMetric?: string;
  /** p95 of the callout request itself, in ms. */
  p95CalloutMs?: number;
  /** Failed callouts by retcode ("HTTP 503", "timeout" for non-vendor failures). */
  errorsByRetcode: Record<string, number>;
  thresholds: Threshold[];
  /** Call-center figures (summary.json's `kpis`), when the load engine wrote them. */
  kpis?: CallCenterKpis;
}

/** Log-spaced bucket edges from 1 ms to about 60 s: fine enough for a distribution chart, fixed so runs compare. */
export const HISTOGRAM_EDGES_MS: readonly number[] = (() => {
  const edges = [0];
  for (let e = 0; e <= 4.8; e += 0.1) edges.push(Math.round(10 ** e * 10) / 10);
  return [...new Set(edges)];
})();

export interface Link {
  label: string;
  href: string;
  kind: "junit" | "html" | "json" | "other";
}

/** Everything the page shows. */
export interface ReportModel {
  run: RunRecord;
  verdict: RunVerdict;
  /** The suite's conformance.json. */
  conformance?: ConformanceReport;
  load?: LoadFigures;
  series?: TimeSeries;
  histogram?: Histogram;
  /** The capacity search's capacity.json: its method, its answer and every trial. */
  capacity?: CapacityResult;
  links: Link[];
  /** What the reader could not find or read, shown on the page so a missing section is explained. */
  missing: string[];
}

/** The verdict a model implies: error when the run stopped early, fail on any failed clause, phase or threshold. */
export function verdictOf(model: Omit<ReportModel, "verdict">): RunVerdict {
  if (model.run.failure || model.run.phases.some((p) => p.status === "error")) return "error";
  if (model.run.phases.some((p) => p.status === "fail")) return "fail";
  if (model.conformance?.clauses.some((c) => c.verdict === "fail")) return "fail";
  if (model.load?.thresholds.some((t) => !t.ok)) return "fail";
  return "pass";
}

function ms(value: number | undefined): string {
  if (value === undefined) return "n/a";
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value < 10 ? 1 : 0)} ms`;
}

/** The short terminal summary: verdict, clauses, rate, p95 setup, errors by retcode, the page's path. */
export function formatSummary(model: ReportModel, pagePath: string): string {
  const lines = [`verdict: ${model.verdict.toUpperCase()}`];
  if (model.run.failure) lines.push(`reason:  ${model.run.failure.code}: ${model.run.failure.message}`);
  for (const note of model.run.notes ?? []) lines.push(`note:    ${note}`);
  const c = model.conformance;
  if (c) {
    const counts = { pass: 0, fail: 0, other: 0 };
    for (const row of c.clauses) {
      if (row.verdict === "pass") counts.pass += 1;
      else if (row.verdict === "fail") counts.fail += 1;
      else counts.other += 1;
    }
    lines.push(
      `clauses: ${counts.pass} passed, ${counts.fail} failed, ${counts.other} not judged (open, not tested or not testable)`,
    );
    const failed = c.clauses.filter((r) => r.verdict === "fail").map((r) => r.id);
    if (failed.length > 0)
      lines.push(`         failed: ${failed.slice(0, 6).join(", ")}${failed.length > 6 ? ", …" : ""}`);
  } else {
    lines.push("clauses: not run");
  }
  const l = model.load;
  if (l) {
    const rate = l.callsPerSecond === undefined ? "n/a" : l.callsPerSecond.toFixed(2);
    lines.push(`load:    ${l.calls ?? "n/a"} calls, ${rate} calls/s, p95 setup ${ms(l.p95SetupMs)}`);
    const k = l.kpis;
    if (k) {
      const pct = (r: number | undefined) => (r === undefined ? "n/a" : `${(r * 100).toFixed(1)}%`);
      lines.push(
        `calls:   attempts/s ${k.attemptsPerSecond.offered.toFixed(2)} offered, ${k.attemptsPerSecond.achieved.toFixed(2)} achieved; concurrent ${k.concurrentCalls.peak.toFixed(1)} peak; SER ${pct(k.sessionEstablishmentRatio)}, effective ${pct(k.effectiveRatio)}`,
      );
    }
    const errors = Object.entries(l.errorsByRetcode).sort((a, b) => b[1] - a[1]);
    lines.push(
      `errors:  ${errors.length === 0 ? "none" : errors.map(([code, n]) => `${code} ×${n}`).join(", ")}`,
    );
    const broken = l.thresholds.filter((t) => !t.ok);
    if (broken.length > 0)
      lines.push(`         breached: ${broken.map((t) => `${t.metric} ${t.expression}`).join(", ")}`);
  } else {
    lines.push("load:    not run");
  }
  lines.push(`report:  ${pagePath}`);
  return lines.join("\n");
}
