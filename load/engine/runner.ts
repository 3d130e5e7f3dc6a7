/**
 * The engine run as a caller drives it: one run (or one capacity step) with a progress line and live metrics,
 * the capacity search step by step, and the sign-out sweep after an aborted run. No command line and no
 * signals here: the caller hands in an AbortSignal and gets the run's result back (scripts/load.ts turns it
 * into an exit code).
 */

import { join } from "node:path";
import { sweepSignOut } from "../../lib/gateway/index.ts";
import { type ProgressFigures, startProgress } from "../../lib/progress.ts";
import { Roster } from "../../lib/roster.ts";
import type { TargetProfile } from "../../lib/target-profile.ts";
import { type CapacityResult, capacityMethod, judge, searchCapacity } from "../capacity.ts";
import type { LoadPlan } from "../plan.ts";
import type { CapacitySearch } from "../profiles.ts";
import { type EngineResult, runEngine, type Segment } from "./engine.ts";
import { LiveMetrics } from "./live-metrics.ts";
import type { Metrics } from "./metrics.ts";

/** How a caller runs the engine. */
export interface RunOptions {
  /** Stops the run (Ctrl-C): no more attempts, calls drain, every agent signs out. */
  signal?: AbortSignal;
  /** No progress line. */
  quiet?: boolean;
  workers?: number;
  segment?: Segment;
  /** Epoch ms at which every segment starts signing in. */
  startAt?: number;
  /** Serve live metrics (Prometheus) on this port while the run lasts (0: any free port). */
  metricsPort?: number;
  log: (line: string) => void;
}

/** A run (or a capacity step) with a progress line every 5 s (calls, rate, errors, p95) and live metrics. */
export async function runWithProgress(
  plan: LoadPlan,
  target: TargetProfile,
  options: RunOptions,
): Promise<EngineResult> {
  const { log } = options;
  let latest: ProgressFigures = {};
  const live = options.metricsPort === undefined ? undefined : await serveLive(options.metricsPort, options);
  const ticker = options.quiet
    ? undefined
    : startProgress("load", { everyMs: 5000, figures: async () => latest });
  try {
    const result = await runEngine({
      plan,
      profile: target,
      reportDir: plan.reportDir,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.segment ? { segment: options.segment } : {}),
      ...(options.startAt !== undefined ? { startAt: options.startAt } : {}),
      onProgress: (figures) => {
        latest = figures;
      },
      ...(live ? { onMetrics: (merged: Metrics) => live.update(merged) } : {}),
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
    });
    if (result.stopped) log(`stopped early: ${result.stopped}; every agent signed out`);
    for (const t of result.broken) log(`threshold broke: ${t.metric} ${t.expression}`);
    return result;
  } finally {
    ticker?.stop();
    await live?.close();
  }
}

/** Live metrics on `port`; a port already taken is said, and the run goes on without them (its files are whole). */
async function serveLive(port: number, options: RunOptions): Promise<LiveMetrics | undefined> {
  const { segment } = options;
  const live = new LiveMetrics(segment ? { segment: `${segment.index}/${segment.count}` } : {});
  try {
    options.log(`live metrics on :${await live.listen(port)}/metrics`);
    return live;
  } catch (error) {
    options.log(`live metrics not served (${(error as Error).message}); the run goes on without them`);
    return undefined;
  }
}

/**
 * The capacity search, one engine run per step at a constant rate; every step's files go to step-<rate>/ and
 * its summary is judged as the run returned it. A step that broke is followed by a sign-out sweep, so the next
 * step starts with every agent signed out.
 * @returns the result, or undefined when the signal stopped the search
 */
export async function runCapacitySearch(
  plan: LoadPlan,
  target: TargetProfile,
  search: CapacitySearch,
  options: RunOptions,
): Promise<CapacityResult | undefined> {
  let interrupted = false;
  const step = async (rate: number) => {
    const stepPlan: LoadPlan = {
      ...plan,
      startRate: rate,
      stages: [{ rate, durationS: search.stepS }],
      reportDir: join(plan.reportDir, `step-${rate}`),
    };
    const { summary, broken, stopped } = await runWithProgress(stepPlan, target, options);
    if (stopped === "interrupted") {
      interrupted = true;
      throw new Error("interrupted");
    }
    // A breaking step is cut short by abortOnFail: its achieved rate is over the time it actually ran.
    const ranS = (summary.state?.testRunDurationMs ?? 0) / 1000;
    const activeS = Math.max(1, Math.min(search.stepS, ranS - plan.signInS));
    const point = judge(rate, summary, plan.slo, activeS);
    options.log(`step ${rate} calls/s: ${point.pass ? "pass" : `FAIL (${point.broke.join("; ")})`}`);
    if (stopped || broken.length > 0) await signOutAll(stepPlan, target);
    return point;
  };
  try {
    const result = await searchCapacity(search, plan.maxCallsPerSecond, step);
    return { method: capacityMethod(search, plan.slo), ...result };
  } catch (error) {
    if (interrupted) return undefined;
    throw error;
  }
}

/**
 * Signs out every agent of a plan that is still signed in (after an aborted run), with lib/gateway's sweep (a
 * forced sign-in only where the profile allows it); returns how many were signed out.
 */
export async function signOutAll(plan: LoadPlan, profile: TargetProfile): Promise<number> {
  const agents = new Roster(plan).first(plan.agentCount);
  const { signedOut } = await sweepSignOut(profile, agents, { timeoutMs: 10_000, concurrency: 16 });
  return signedOut;
}
