/**
 * What a load run (or a merge of its segments) leaves in its report folder: result.json (the metrics as a
 * snapshot, for a later merge), summary.json (metrics by name with their threshold verdicts), junit.xml (one
 * case per threshold) and series.json (second by second, for the report page's charts).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { LoadSummary, SegmentResult } from "../../contracts/index.ts";
import { writeRunFile } from "../../lib/report/run-files.ts";
import type { LoadPlan } from "../plan.ts";
import { junit } from "../summary.ts";
import type { Metrics } from "./metrics.ts";

/** One segment of a run split over processes or machines: index i of count (`--segment i/N`). */
export type Segment = SegmentResult["segment"];

/** What a run (or a segment of one) leaves for a merge: result.json (contracts/schemas/harness/load-segment). */
export type { SegmentResult } from "../../contracts/index.ts";

/** Writes the run's files; result.json only for a run (a merge's result is its segments' files). */
export async function writeRunFiles(
  dir: string,
  metrics: Metrics,
  summary: LoadSummary,
  plan: Pick<LoadPlan, "runId" | "profile" | "slo">,
  segment?: Segment,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  if (segment) {
    const result: SegmentResult = {
      runId: plan.runId,
      profile: plan.profile,
      slo: plan.slo,
      segment,
      snapshot: metrics.snapshot(),
    };
    await writeRunFile("result.json", join(dir, "result.json"), result, { compact: true });
  }
  await writeRunFile("summary.json", join(dir, "summary.json"), summary);
  await writeFile(join(dir, "junit.xml"), junit(summary, plan));
  const series = metrics.series.file();
  if (series) await writeRunFile("series.json", join(dir, "series.json"), series, { compact: true });
}
