/**
 * The JUnit form of a load run's summary (summary.json, contracts/schemas/harness/load-summary.schema.json): one
 * test case per threshold (the SLOs).
 */

import type { LoadSummary } from "../contracts/index.ts";
import { esc } from "../lib/report/escape.ts";
import type { LoadPlan } from "./plan.ts";

/** JUnit XML: one test case per SLO threshold; the breakdown thresholds (count>=0) are left out. */
export function junit(data: LoadSummary, plan: Pick<LoadPlan, "profile" | "runId">): string {
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

/**
 * The counts of a run that its segments' merge must give exactly: call attempts, callouts by retcode, call
 * outcomes and ineffective attempts (each by name as summary.json has it), and the call-center figures made of
 * them over the schedule's interval (attempts, the offered rate, the session establishment ratio).
 */
export function exactCounts(summary: LoadSummary): Record<string, number | undefined> {
  const counted = Object.entries(summary.metrics).filter(
    ([name]) =>
      name === "ccgw_call_attempts" || /^ccgw_(callouts|call_outcomes|ineffective_attempts)\b/.test(name),
  );
  const { kpis } = summary;
  return {
    ...Object.fromEntries(counted.map(([name, m]) => [name, m.values.count])),
    kpiAttempts: kpis?.attempts,
    offered: kpis?.attemptsPerSecond.offered,
    ser: kpis?.sessionEstablishmentRatio,
  };
}
