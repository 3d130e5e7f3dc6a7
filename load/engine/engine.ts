/**
 * The Node load engine: splits a run into shares (agents disjoint, the open-model schedule sliced), runs each
 * share in a worker thread so every core is used, merges their metrics exactly, judges the plan's service
 * levels as k6 thresholds, and writes summary.json (k6's shape) and junit.xml (one case per threshold).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { TargetProfile } from "../../lib/target-profile.ts";
import type { LoadPlan } from "../lib/plan.ts";
import { junit, type SummaryData } from "../lib/summary.ts";
import { Metrics, type MetricsSnapshot } from "./metrics.ts";
import { judge, parseThresholds, type Threshold } from "./thresholds.ts";
import { runShare, type ShareSpec } from "./worker.ts";

/** The plan's service levels as k6 thresholds (p95 setup and callout, error, lost and violation rates). */
export function sloThresholds(plan: LoadPlan): Threshold[] {
  return parseThresholds({
    ccgw_call_setup_alerting: [`p(95)<${plan.slo.setupP95Ms}`],
    ccgw_callout_duration: [`p(95)<${plan.slo.calloutP95Ms}`],
    ccgw_call_errors: [`rate<=${plan.slo.errorRate}`],
    ccgw_call_lost: [`rate<=${plan.slo.lostRate}`],
    ccgw_contract_violations: [`rate<=${plan.slo.violationRate}`],
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
}

export interface EngineResult {
  summary: SummaryData;
  broken: Threshold[];
  metrics: Metrics;
}

/** The shares of a run: agent slices as even as they can be, the schedule cut into as many slices. */
export function shares(plan: LoadPlan, profile: TargetProfile, count: number, startAt: number): ShareSpec[] {
  const n = Math.max(1, Math.min(count, plan.agentCount));
  return Array.from({ length: n }, (_, index) => ({
    plan,
    profile,
    index,
    count: n,
    startAt,
    agents: {
      from: Math.floor((plan.agentCount * index) / n),
      to: Math.floor((plan.agentCount * (index + 1)) / n),
    },
  }));
}

/** Runs one share in a worker thread (worker-entry.mjs registers tsx's loader there). */
function inWorker(spec: ShareSpec): Promise<MetricsSnapshot> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./worker-entry.mjs", import.meta.url), { workerData: spec });
    worker.once("message", (message: { snapshot?: MetricsSnapshot; error?: string }) => {
      if (message.snapshot) resolve(message.snapshot);
      else reject(new Error(`load worker ${spec.index}: ${message.error ?? "no result"}`));
    });
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (code !== 0) reject(new Error(`load worker ${spec.index} exited with ${code}`));
    });
  });
}

/** Runs a load plan to the end; resolves with the merged summary and the thresholds that broke. */
export async function runEngine(options: EngineOptions): Promise<EngineResult> {
  const { plan, profile } = options;
  const workers = options.workers ?? Math.max(1, availableParallelism() - 1);
  const startAt = options.startAt ?? Date.now() + 200;
  const specs = shares(plan, profile, Math.max(1, workers), startAt);
  const snapshots = await Promise.all(specs.map((spec) => (workers === 0 ? runShare(spec) : inWorker(spec))));
  const metrics = Metrics.merge(snapshots);
  const summary = metrics.summary();
  const broken = judge(summary, sloThresholds(plan));
  if (options.reportDir) {
    await mkdir(options.reportDir, { recursive: true });
    await writeFile(join(options.reportDir, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
    await writeFile(join(options.reportDir, "junit.xml"), junit(summary, plan));
  }
  return { summary, broken, metrics };
}
