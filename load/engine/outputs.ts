/**
 * What a load run (or a merge of its segments) leaves in its report folder: result.json (the metrics as a
 * snapshot, for a later merge), summary.json (metrics by name with their threshold verdicts), junit.xml (one
 * case per threshold) and series.json (second by second, for the report page's charts).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { LoadPlan } from "../plan.ts";
import { junit, type SummaryData } from "../summary.ts";
import type { Metrics, MetricsSnapshot } from "./metrics.ts";

/** One segment of a run split over processes or machines: index i of count (`--segment i/N`). */
export interface Segment {
  index: number;
  count: number;
}

/** What a run (or a segment of one) leaves for a merge: its metrics as a snapshot, with what judging needs. */
export interface SegmentResult {
  runId: string;
  profile: string;
  slo: LoadPlan["slo"];
  segment: Segment;
  snapshot: MetricsSnapshot;
}

/** Writes the run's files; result.json only for a run (a merge's result is its segments' files). */
export async function writeRunFiles(
  dir: string,
  metrics: Metrics,
  summary: SummaryData,
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
    await writeFile(join(dir, "result.json"), `${JSON.stringify(result)}\n`);
  }
  await writeFile(join(dir, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  await writeFile(join(dir, "junit.xml"), junit(summary, plan));
  const series = metrics.series.file();
  if (series) await writeFile(join(dir, "series.json"), `${JSON.stringify(series)}\n`);
}
