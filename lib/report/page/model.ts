/**
 * The data behind the one report page of a run (reports/<run-id>/index.html) and the short terminal summary:
 * the run's metadata, the clause matrix, the load figures, the time series and the links to raw outputs.
 */
import type { TodoRow } from "../conformance.ts";
import type { CallCenterKpis } from "../load-kpis.ts";

/** Overall outcome: pass, a contract or threshold failure, or a run that could not be done. */
export type Verdict = "pass" | "fail" | "error";

/** Status of one phase of the run (preflight, contract suite, load smoke, ...). */
export interface PhaseRecord {
  name: string;
  status: "pass" | "fail" | "error" | "skipped";
  exitCode?: number;
  durationMs?: number;
  note?: string;
}

/** What scripts/run.ts writes to <run-dir>/run.json; the page reads it back. Never holds a secret. */
export interface RunRecord {
  runId: string;
  startedAt: string;
  finishedAt?: string;
  target: {
    name?: string;
    baseUrl: string;
    edition?: string;
    authMode?: string;
    embeddedMock: boolean;
    insecure?: boolean;
  };
  seed?: number;
  loadProfile?: string;
  phases: PhaseRecord[];
  /** Why the run stopped early (preflight failure, refused plan, interruption), as a catalog code and one line. */
  failure?: { code: string; message: string };
  /** Lines worth showing near the verdict (warnings such as insecure TLS). */
  notes?: string[];
}

/** One row of the conformance matrix. */
export interface ClauseRow {
  id: string;
  title: string;
  kind?: string;
  /**
   * open: the vendor leaves it open, recorded not failed; untested: no case observed it; not-testable: no
   * request can observe it (a platform setting); skip: its cases were skipped.
   */
  verdict: "pass" | "fail" | "skip" | "open" | "untested" | "not-testable";
  passed: number;
  failed: number;
  skipped: number;
  /** Short failure messages (already redacted by whoever wrote them; redacted again on read). */
  failures: string[];
  /** Failures the run's baseline accepts (they do not fail the clause), each with its reason and last day. */
  known: string[];
  /** Open choices the gateway took under this clause, and other reactions the page leaves open. */
  open: string[];
  /** Why cases of this clause were not tested. */
  notTested: string[];
}

export interface Conformance {
  edition?: string;
  clauses: ClauseRow[];
  tests: { passed: number; failed: number; skipped: number };
  /** The suite's own case counts (conformance.json's `cases`), when the file has them. */
  cases?: { total: number; pass: number; fail: number; open: number; notTested: number; known?: number };
  /** What the profile lacked to test more (conformance.json's `todo`). */
  todo?: TodoRow[];
}

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

/** Per-interval series of a load run. Times are seconds since its first callout. */
export interface TimeSeries {
  intervalSeconds: number;
  t: number[];
  callsPerSecond: number[];
  errorsPerSecond: number[];
  p50Ms: (number | null)[];
  p95Ms: (number | null)[];
  metric: string;
  /** Call setup per interval (p50/p95), when the points hold a setup metric. */
  setup?: { metric: string; p50Ms: (number | null)[]; p95Ms: (number | null)[] };
}

/** Log-spaced bucket edges from 1 ms to about 60 s: fine enough for a distribution chart, fixed so runs compare. */
export const HISTOGRAM_EDGES_MS: readonly number[] = (() => {
  const edges = [0];
  for (let e = 0; e <= 4.8; e += 0.1) edges.push(Math.round(10 ** e * 10) / 10);
  return [...new Set(edges)];
})();

/** Latency distribution: counts per bucket; bucket i covers [edgesMs[i], edgesMs[i+1]). */
export interface Histogram {
  metric: string;
  edgesMs: number[];
  counts: number[];
}

/** One step of a rate search: offered rate against what the gateway did. */
export interface CapacityPoint {
  rate: number;
  achievedRate?: number;
  p95Ms?: number;
  errorRate?: number;
}

export interface Link {
  label: string;
  href: string;
  kind: "junit" | "html" | "json" | "other";
}

/** Everything the page shows. */
export interface ReportModel {
  run: RunRecord;
  verdict: Verdict;
  conformance?: Conformance;
  load?: LoadFigures;
  series?: TimeSeries;
  histogram?: Histogram;
  capacity?: CapacityPoint[];
  /** The capacity search's result: highest rate that held every service level, lowest that broke one. */
  capacityResult?: {
    sustainable?: number;
    firstFailing?: number;
    /** How the rate was found (RFC 7502): the standard, each trial's duration, the loss criterion. */
    method?: { standard: string; trialS: number; criterion: string };
  };
  links: Link[];
  /** What the reader could not find or read, shown on the page so a missing section is explained. */
  missing: string[];
}

/** The verdict a model implies: error when the run stopped early, fail on any failed clause, phase or threshold. */
export function verdictOf(model: Omit<ReportModel, "verdict">): Verdict {
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
      `clauses: ${counts.pass} passed, ${counts.fail} failed, ${counts.other} not judged (open, skipped or untested)`,
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
