/**
 * The Node load engine: splits a run into shares (agents disjoint, the open-model schedule sliced), runs each
 * share in a worker thread so every core is used, merges their metrics exactly, judges the plan's service
 * levels as thresholds, and writes summary.json, junit.xml (one case per threshold) and series.json.
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { LoadSummary } from "../../contracts/index.ts";
import { HarnessError } from "../../lib/errors.ts";
import { readRunFile } from "../../lib/report/run-files.ts";
import type { TargetProfile } from "../../lib/target-profile.ts";
import type { LoadPlan } from "../plan.ts";
import { Metrics, type MetricsSnapshot } from "./metrics.ts";
import { type Segment, writeRunFiles } from "./outputs.ts";
import { judge, parseThresholds, type Threshold } from "./thresholds.ts";
import { runShare, type ShareControl, type ShareSpec } from "./worker.ts";

/**
 * The plan's service levels as thresholds (p95 setup and callout, error, lost and violation rates), each
 * stopping the run when it breaks, after 10 s of the schedule (abortOnFail with delayAbortEval).
 */
export function sloThresholds(plan: LoadPlan, abortDelayS = 10): Threshold[] {
  const abort = (threshold: string) => [{ threshold, abortOnFail: true, delayAbortEval: `${abortDelayS}s` }];
  return parseThresholds({
    ccgw_call_setup_alerting: abort(`p(95)<${plan.slo.setupP95Ms}`),
    ccgw_callout_duration: abort(`p(95)<${plan.slo.calloutP95Ms}`),
    ccgw_call_errors: abort(`rate<=${plan.slo.errorRate}`),
    ccgw_call_lost: abort(`rate<=${plan.slo.lostRate}`),
    ccgw_contract_violations: abort(`rate<=${plan.slo.violationRate}`),
  });
}

export interface EngineOptions {
  plan: LoadPlan;
  profile: TargetProfile;
  /** Worker threads; 0 runs the one share in this thread (tests). @default the cores less one */
  workers?: number;
  /** Where summary.json and junit.xml go; nothing is written without it. */
  reportDir?: string;
  /** Epoch ms at which every share starts signing in. @default now plus 200 ms */
  startAt?: number;
  /** Stops the run (Ctrl-C): no more attempts, calls drain, every agent signs out. */
  signal?: AbortSignal;
  /** Every `everyMs`, the merged figures so far (for a progress line). */
  onProgress?: (figures: { calls: number; errors: number; p95Ms?: number }) => void;
  /** Every `everyMs` and at the end, the merged metrics so far (for a live metrics endpoint). */
  onMetrics?: (merged: Metrics) => void;
  /** Progress interval of the shares, ms. @default 2000 */
  everyMs?: number;
  /** Seconds of the schedule before a broken threshold stops the run (delayAbortEval). @default 10 */
  abortDelayS?: number;
  /** This process's segment of a run split over processes or machines. @default the whole run */
  segment?: Segment;
}

export type { Segment } from "./outputs.ts";

export interface EngineResult {
  summary: LoadSummary;
  broken: Threshold[];
  metrics: Metrics;
  /** Why the run stopped before its schedule ended (a threshold with abortOnFail, or the signal). */
  stopped?: string;
}

/**
 * The shares a process runs: a segment's slice of the run (agents disjoint, the schedule sliced and
 * interleaved), cut again into one share per worker. Every process of a segmented run must use the same number
 * of workers, so the run's shares (segments × workers) are the same everywhere.
 */
export function shares(
  plan: LoadPlan,
  profile: TargetProfile,
  workers: number,
  startAt: number,
  segment: Segment = { index: 0, count: 1 },
): ShareSpec[] {
  const total = segment.count * Math.max(1, workers);
  if (total > plan.agentCount) {
    throw new HarnessError(
      "CCGW_USAGE",
      `${total} shares (segments × workers) for ${plan.agentCount} agents: every share needs an agent`,
      "fewer --workers or segments, or more --agents",
    );
  }
  return Array.from({ length: Math.max(1, workers) }, (_, w) => {
    const index = segment.index * Math.max(1, workers) + w;
    return {
      plan,
      profile,
      index,
      count: total,
      startAt,
      agents: {
        from: Math.floor((plan.agentCount * index) / total),
        to: Math.floor((plan.agentCount * (index + 1)) / total),
      },
    };
  });
}

/** Runs one share in a worker thread (worker-entry.mjs registers tsx's loader there). */
function inWorker(spec: ShareSpec, control: ShareControl): Promise<MetricsSnapshot> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./worker-entry.mjs", import.meta.url), {
      workerData: { ...spec, everyMs: control.everyMs },
    });
    const stop = () => worker.postMessage({ stop: true });
    control.signal?.addEventListener("abort", stop, { once: true });
    worker.on(
      "message",
      (message: { snapshot?: MetricsSnapshot; progress?: MetricsSnapshot; error?: string }) => {
        if (message.progress) {
          control.onProgress?.(message.progress);
          return;
        }
        control.signal?.removeEventListener("abort", stop);
        if (message.snapshot) resolve(message.snapshot);
        else reject(new Error(`load worker ${spec.index}: ${message.error ?? "no result"}`));
      },
    );
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (code !== 0) reject(new Error(`load worker ${spec.index} exited with ${code}`));
    });
  });
}

/** The figures of a progress line from merged metrics: callouts, failed attempts, callout p95. */
function figuresOf(metrics: Metrics): { calls: number; errors: number; p95Ms?: number } {
  const callouts = metrics.tally("ccgw_callouts");
  const calls = Object.values(callouts).reduce((a, b) => a + b, 0);
  const errors = calls - (callouts["0"] ?? 0) + (metrics.tally("ccgw_call_outcomes").lost ?? 0);
  const p95Ms = metrics.stat("ccgw_callout_duration", "p(95)");
  return { calls, errors, ...(p95Ms !== undefined ? { p95Ms } : {}) };
}

/**
 * Runs a load plan to the end (or until a threshold with abortOnFail breaks, or the signal stops it); resolves
 * with the merged summary and the thresholds that broke.
 */
export async function runEngine(options: EngineOptions): Promise<EngineResult> {
  const { plan, profile } = options;
  const workers = options.workers ?? Math.max(1, availableParallelism() - 1);
  const startAt = options.startAt ?? Date.now() + 200;
  const specs = shares(plan, profile, Math.max(1, workers), startAt, options.segment);
  const thresholds = sloThresholds(plan, options.abortDelayS);
  const stopper = new AbortController();
  let stopped: string | undefined;
  const stop = (why: string) => {
    stopped ??= why;
    stopper.abort();
  };
  options.signal?.addEventListener("abort", () => stop("interrupted"), { once: true });
  // The latest snapshot of each share, merged for progress and for the thresholds that stop the run.
  const latest = new Map<number, MetricsSnapshot>();
  const scheduleStart = startAt + plan.signInS * 1000;
  const onShareProgress = (index: number) => (snapshot: MetricsSnapshot) => {
    latest.set(index, snapshot);
    const merged = Metrics.merge([...latest.values()]);
    options.onProgress?.(figuresOf(merged));
    options.onMetrics?.(merged);
    const sinceStart = (Date.now() - scheduleStart) / 1000;
    const due = thresholds.filter((t) => t.abortOnFail && sinceStart >= t.delayAbortS);
    const broke = judge(merged.summary(), due);
    if (broke.length > 0) stop(`threshold ${broke[0]?.metric} ${broke[0]?.expression} broke`);
  };
  const control = (index: number): ShareControl => ({
    signal: stopper.signal,
    onProgress: onShareProgress(index),
    everyMs: options.everyMs ?? 2000,
  });
  const snapshots = await Promise.all(
    specs.map((spec) =>
      workers === 0 ? runShare(spec, control(spec.index)) : inWorker(spec, control(spec.index)),
    ),
  );
  const metrics = Metrics.merge(snapshots);
  options.onMetrics?.(metrics);
  const summary = metrics.summary();
  const broken = judge(summary, thresholds);
  if (options.reportDir) {
    await writeRunFiles(options.reportDir, metrics, summary, plan, options.segment ?? { index: 0, count: 1 });
  }
  return { summary, broken, metrics, ...(stopped ? { stopped } : {}) };
}

/**
 * Merges the result.json of every segment of a run into one summary, one set of threshold verdicts and one
 * junit.xml: percentiles from the merged histograms, never averaged. Refuses segments of other runs or a
 * segment missing.
 */
export async function mergeResults(dirs: readonly string[], reportDir: string): Promise<EngineResult> {
  const results = await Promise.all(
    dirs.map(async (dir) => {
      try {
        return await readRunFile("result.json", join(dir, "result.json"));
      } catch (error) {
        throw new HarnessError(
          "CCGW_USAGE",
          `--merge ${dir}: no result.json of a segment (${(error as Error).message})`,
        );
      }
    }),
  );
  const first = results[0];
  if (!first) throw new HarnessError("CCGW_USAGE", "--merge needs the report folders of the segments");
  const count = first.segment.count;
  const seen = new Set(results.map((r) => r.segment.index));
  if (
    results.some((r) => r.runId !== first.runId || r.segment.count !== count) ||
    seen.size !== count ||
    results.length !== count
  ) {
    throw new HarnessError(
      "CCGW_USAGE",
      `--merge: ${results.length} result(s) of segments ${[...seen].join(", ")} of ${count}, run ids ${[...new Set(results.map((r) => r.runId))].join(", ")}`,
      "give the report folder of every segment of one run, once each",
    );
  }
  const metrics = Metrics.merge(results.map((r) => r.snapshot));
  const summary = metrics.summary();
  const plan = { runId: first.runId, profile: first.profile, slo: first.slo } as LoadPlan;
  const broken = judge(summary, sloThresholds(plan));
  await writeRunFiles(reportDir, metrics, summary, plan);
  return { summary, broken, metrics };
}
