/**
 * The engine as `npm run load` drives it: the values of its own flags, one run (or one capacity step) with a
 * progress line, live metrics and a clean stop on Ctrl-C, the capacity search step by step, the sign-out sweep
 * after an aborted run, and the Kubernetes manifest of a run split into segments.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { InvalidArgumentError } from "commander";
import type { LoadSummary } from "../../contracts/index.ts";
import { HarnessError } from "../../lib/errors.ts";
import { sweepSignOut } from "../../lib/gateway/preflight.ts";
import { type ProgressFigures, startProgress } from "../../lib/progress.ts";
import type { TargetProfile } from "../../lib/target-profile.ts";
import { type CapacityResult, capacityMethod, judge, searchCapacity } from "../capacity.ts";
import { agentAt, agentPoolSize, type LoadPlan } from "../plan.ts";
import type { CapacitySearch } from "../profiles.ts";
import { runEngine, type Segment } from "./engine.ts";
import { loadJobManifest } from "./k8s-job.ts";
import { LiveMetrics } from "./live-metrics.ts";
import type { Metrics } from "./metrics.ts";

/** The flags of `load` that the Node engine reads. */
export interface EngineFlags {
  quiet?: boolean;
  workers?: number;
  segment?: Segment;
  startAt?: number;
  metricsPort?: number;
  segments: number;
  target?: string;
  image?: string;
  resultsClaim?: string;
}

/** `i/N` of --segment: this process runs segment i (0-based, as JOB_COMPLETION_INDEX) of N. */
export function segmentValue(value: string): Segment {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index >= count)
    throw new InvalidArgumentError("expected i/N with 0 <= i < N, e.g. 0/4");
  return { index, count };
}

/** --start-at: an ISO time or epoch milliseconds, so every segment starts together. */
export function startAtValue(value: string): number {
  const at = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(at))
    throw new InvalidArgumentError("expected an ISO time (2026-12-01T18:00:00Z) or epoch ms");
  return at;
}

/** What a run (or a step) ended with: every threshold held, one broke, or Ctrl-C stopped it. */
export const RUN_END = { pass: 0, broke: 99, interrupted: 130 } as const;

/**
 * A run (or a capacity step): a progress line every 5 s (calls, rate, errors, p95), Ctrl-C stops the schedule
 * and signs every agent out. Returns one of RUN_END.
 */
export async function runNodeEngine(
  plan: LoadPlan,
  target: TargetProfile,
  flags: EngineFlags,
  log: (line: string) => void,
): Promise<number> {
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let latest: ProgressFigures = {};
  const live =
    flags.metricsPort !== undefined
      ? new LiveMetrics(flags.segment ? { segment: `${flags.segment.index}/${flags.segment.count}` } : {})
      : undefined;
  if (live) log(`live metrics on :${await live.listen(flags.metricsPort ?? 0)}/metrics`);
  const ticker = flags.quiet
    ? undefined
    : startProgress("load", { everyMs: 5000, figures: async () => latest });
  try {
    const result = await runEngine({
      plan,
      profile: target,
      reportDir: plan.reportDir,
      signal: interrupt.signal,
      ...(flags.segment ? { segment: flags.segment } : {}),
      ...(flags.startAt !== undefined ? { startAt: flags.startAt } : {}),
      onProgress: (figures) => {
        latest = figures;
      },
      ...(live ? { onMetrics: (merged: Metrics) => live.update(merged) } : {}),
      ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
    });
    if (result.stopped) log(`stopped early: ${result.stopped}; every agent signed out`);
    for (const t of result.broken) log(`threshold broke: ${t.metric} ${t.expression}`);
    if (result.stopped === "interrupted") return RUN_END.interrupted;
    return result.broken.length > 0 ? RUN_END.broke : RUN_END.pass;
  } finally {
    ticker?.stop();
    await live?.close();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** --k8s-manifest: the Indexed Job of `instances` segments that start together, and its merge Job. */
export function writeEngineManifest(
  file: string,
  plan: LoadPlan,
  target: TargetProfile,
  flags: EngineFlags,
  log: (line: string) => void,
): void {
  if (!flags.target || !flags.image) {
    throw new HarnessError("CCGW_USAGE", "--k8s-manifest needs --target and --image");
  }
  const startAt = new Date(flags.startAt ?? Date.now() + 10 * 60_000).toISOString();
  const yaml = loadJobManifest(plan, target, {
    segments: flags.segments,
    image: flags.image,
    startAt,
    secret: "ccgw-agents",
    resultsClaim: flags.resultsClaim ?? "ccgw-results",
    ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
    ...(target.tls?.caFile ? { ca: readFileSync(target.tls.caFile, "utf8") } : {}),
  });
  writeFileSync(file, yaml);
  log(`wrote ${file} (Indexed Job of ${flags.segments} segments starting at ${startAt}, and its merge Job)`);
}

/** Thrown by a capacity step that Ctrl-C stopped: the search ends there. */
class Interrupted extends Error {}

/**
 * The capacity search, one engine run per step at a constant rate; every step's files go to step-<rate>/. A
 * step that broke is followed by a sign-out sweep, so the next step starts with every agent signed out.
 * @returns the result, or undefined when Ctrl-C stopped the search
 */
export async function runCapacitySearch(
  plan: LoadPlan,
  target: TargetProfile,
  search: CapacitySearch,
  flags: EngineFlags,
  log: (line: string) => void,
): Promise<CapacityResult | undefined> {
  const step = async (rate: number) => {
    const stepPlan: LoadPlan = {
      ...plan,
      startRate: rate,
      stages: [{ rate, durationS: search.stepS }],
      reportDir: join(plan.reportDir, `step-${rate}`),
    };
    const end = await runNodeEngine(stepPlan, target, flags, log);
    if (end === RUN_END.interrupted) throw new Interrupted();
    const summary = JSON.parse(
      await readFile(join(stepPlan.reportDir, "summary.json"), "utf8"),
    ) as LoadSummary;
    // A breaking step is cut short by abortOnFail: its achieved rate is over the time it actually ran.
    const ranS = (summary.state?.testRunDurationMs ?? 0) / 1000;
    const activeS = Math.max(1, Math.min(search.stepS, ranS - plan.signInS));
    const point = judge(rate, summary, plan.slo, activeS);
    log(`step ${rate} calls/s: ${point.pass ? "pass" : `FAIL (${point.broke.join("; ")})`}`);
    if (end !== RUN_END.pass) await signOutAll(stepPlan, target);
    return point;
  };
  try {
    const result = await searchCapacity(search, plan.maxCallsPerSecond, step);
    return { method: capacityMethod(search, plan.slo), ...result };
  } catch (error) {
    if (error instanceof Interrupted) return undefined;
    throw error;
  }
}

/**
 * Signs out every agent of a plan that is still signed in (after an aborted run), with lib/gateway's sweep (a
 * forced sign-in only where the profile allows it); returns how many were signed out.
 */
export async function signOutAll(plan: LoadPlan, profile: TargetProfile): Promise<number> {
  const count = Math.min(plan.agentCount, agentPoolSize(plan));
  const agents = Array.from({ length: count }, (_, i) => agentAt(plan, i));
  const { signedOut } = await sweepSignOut(profile, agents, { timeoutMs: 10_000, concurrency: 16 });
  return signedOut;
}
