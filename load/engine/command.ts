/**
 * The Node engine as `npm run load -- --engine node` drives it: the values of its own flags, and one run (or
 * one capacity step) with a progress line, live metrics and a clean stop on Ctrl-C.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { InvalidArgumentError } from "commander";
import { HarnessError } from "../../lib/errors.ts";
import { type ProgressFigures, startProgress } from "../../lib/progress.ts";
import type { TargetProfile } from "../../lib/target-profile.ts";
import type { LoadPlan } from "../lib/plan.ts";
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
  instances: number;
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

/**
 * A run (or a capacity step) on the Node engine: a progress line every 5 s (calls, rate, errors, p95), Ctrl-C
 * stops the schedule and signs every agent out. Returns k6's codes, so the capacity search reads both engines
 * alike: 0 pass, 99 a threshold broke, 130 interrupted.
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
    if (result.stopped === "interrupted") return 130;
    return result.broken.length > 0 ? 99 : 0;
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
    throw new HarnessError("CCGW_USAGE", "--k8s-manifest with --engine node needs --target and --image");
  }
  const startAt = new Date(flags.startAt ?? Date.now() + 10 * 60_000).toISOString();
  const yaml = loadJobManifest(plan, target, {
    segments: flags.instances,
    image: flags.image,
    startAt,
    secret: "ccgw-agents",
    resultsClaim: flags.resultsClaim ?? "ccgw-results",
    ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
    ...(target.tls?.caFile ? { ca: readFileSync(target.tls.caFile, "utf8") } : {}),
  });
  writeFileSync(file, yaml);
  log(`wrote ${file} (Indexed Job of ${flags.instances} segments starting at ${startAt}, and its merge Job)`);
}
