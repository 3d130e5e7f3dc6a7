/**
 * The summary of a load run (metrics by name, `values` per statistic, threshold verdicts), and its JUnit form:
 * one test case per threshold (the SLOs).
 */

import { esc } from "../lib/report/escape.ts";
import type { CallCenterKpis } from "../lib/report/load-kpis.ts";
import type { LoadPlan } from "./plan.ts";

/** A run's summary: what summary.json holds. */
export interface SummaryData {
  metrics: Record<
    string,
    {
      type: string;
      contains?: string;
      values: Record<string, number>;
      thresholds?: Record<string, { ok: boolean }>;
    }
  >;
  state?: { testRunDurationMs?: number };
  /** The run's call-center figures (load/README.md defines them). */
  kpis?: CallCenterKpis;
}

/** JUnit XML: one test case per SLO threshold; the breakdown thresholds (count>=0) are left out. */
export function junit(data: SummaryData, plan: Pick<LoadPlan, "profile" | "runId">): string {
  const cases: string[] = [];
  let failures = 0;
  for (const [metric, value] of Object.entries(data.metrics)) {
    for (const [expr, verdict] of Object.entries(value.thresholds ?? {})) {
      if (expr === "count>=0") continue;
      const name = `${metric} ${expr}`;
      if (verdict.ok) cases.push(`    <testcase classname="load.${esc(plan.profile)}" name="${esc(name)}"/>`);
      else {
        failures++;
        const observed = JSON.stringify(value.values);
        cases.push(
          `    <testcase classname="load.${esc(plan.profile)}" name="${esc(name)}">\n      <failure message="${esc(`${name} broke`)}">${esc(observed)}</failure>\n    </testcase>`,
        );
      }
    }
  }
  const seconds = ((data.state?.testRunDurationMs ?? 0) / 1000).toFixed(3);
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="load ${esc(plan.profile)} (${esc(plan.runId)})" tests="${cases.length}" failures="${failures}" time="${seconds}">
${cases.join("\n")}
  </testsuite>
</testsuites>
`;
}
