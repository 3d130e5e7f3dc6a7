/** --k8s-manifest of npm run load: the Indexed Job of a run split into segments that start together, and its merge Job. */
import { readFileSync, writeFileSync } from "node:fs";
import { HarnessError } from "../../lib/errors.ts";
import type { TargetProfile } from "../../lib/target-profile.ts";
import { loadJobManifest } from "../../load/engine/k8s-job.ts";
import type { LoadPlan } from "../../load/plan.ts";

/** The flags the manifest reads: where and how the pods run, and the flags that shaped the plan. */
export interface ManifestFlags {
  target?: string;
  image?: string;
  segments: number;
  startAt?: number;
  workers?: number;
  resultsClaim?: string;
  duration?: number;
  rate?: number;
  agents?: number;
  contractSample?: number;
  seed?: number;
  slo?: Record<string, number>;
}

/** The flags that shaped the plan, as the pods must be given them to make the same plan. */
export function planArgs(flags: ManifestFlags): string[] {
  const pairs: [string, number | undefined][] = [
    ["--duration", flags.duration],
    ["--rate", flags.rate],
    ["--agents", flags.agents],
    ["--contract-sample", flags.contractSample],
    ["--seed", flags.seed],
  ];
  return [
    ...pairs.flatMap(([flag, value]) => (value === undefined ? [] : [flag, String(value)])),
    ...Object.entries(flags.slo ?? {}).flatMap(([name, value]) => ["--slo", `${name}=${value}`]),
  ];
}

/** Writes the manifest to `file`; the segments start 10 minutes from now unless --start-at says when. */
export function writeEngineManifest(
  file: string,
  plan: LoadPlan,
  target: TargetProfile,
  flags: ManifestFlags,
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
    planArgs: planArgs(flags),
    ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
    ...(target.tls?.caFile ? { ca: readFileSync(target.tls.caFile, "utf8") } : {}),
  });
  writeFileSync(file, yaml);
  log(`wrote ${file} (Indexed Job of ${flags.segments} segments starting at ${startAt}, and its merge Job)`);
}
