/**
 * handleSummary output: the raw k6 summary as summary.json, a JUnit file with one test case per threshold (the
 * SLOs), and a short text for the console, all written into the report directory scripts/load.ts passed in.
 */
import type { LoadPlan } from "./plan.ts";

/** The parts of k6's summary data this module reads. */
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
}

function xml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** JUnit XML: one test case per SLO threshold; the breakdown thresholds (count>=0) are left out. */
export function junit(data: SummaryData, plan: Pick<LoadPlan, "profile" | "runId">): string {
  const cases: string[] = [];
  let failures = 0;
  for (const [metric, value] of Object.entries(data.metrics)) {
    for (const [expr, verdict] of Object.entries(value.thresholds ?? {})) {
      if (expr === "count>=0") continue;
      const name = `${metric} ${expr}`;
      if (verdict.ok) cases.push(`    <testcase classname="load.${xml(plan.profile)}" name="${xml(name)}"/>`);
      else {
        failures++;
        const observed = JSON.stringify(value.values);
        cases.push(
          `    <testcase classname="load.${xml(plan.profile)}" name="${xml(name)}">\n      <failure message="${xml(`${name} broke`)}">${xml(observed)}</failure>\n    </testcase>`,
        );
      }
    }
  }
  const seconds = ((data.state?.testRunDurationMs ?? 0) / 1000).toFixed(3);
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="k6 ${xml(plan.profile)} (${xml(plan.runId)})" tests="${cases.length}" failures="${failures}" time="${seconds}">
${cases.join("\n")}
  </testsuite>
</testsuites>
`;
}

function fmt(value: number | undefined, unit = ""): string {
  if (value === undefined || Number.isNaN(value)) return "-";
  return `${Math.round(value * 100) / 100}${unit}`;
}

/** A few lines for the console. */
export function text(data: SummaryData, plan: Pick<LoadPlan, "profile">): string {
  const v = (name: string, stat: string): number | undefined => data.metrics[name]?.values[stat];
  const lines = [
    `ccgw load ${plan.profile}:`,
    `  attempts ${fmt(v("ccgw_call_attempts", "count"))} (${fmt(v("ccgw_call_attempts", "rate"), "/s")}), dropped ${fmt(v("ccgw_call_attempts_dropped", "count") ?? 0)}`,
    `  answered ${fmt(v("ccgw_calls_answered", "count") ?? 0)}, not answered ${fmt(v("ccgw_calls_not_answered", "count") ?? 0)}, failed ${fmt(v("ccgw_calls_failed", "count") ?? 0)}, lost ${fmt(v("ccgw_calls_lost", "count") ?? 0)}`,
    `  callout p95 ${fmt(v("ccgw_callout_duration", "p(95)"), " ms")}, setup→alerting p95 ${fmt(v("ccgw_call_setup_alerting", "p(95)"), " ms")}, setup→talking p95 ${fmt(v("ccgw_call_setup_talking", "p(95)"), " ms")}`,
    `  events ${fmt(v("ccgw_events", "count"))} (${fmt(v("ccgw_events", "rate"), "/s")}), delivery p95 ${fmt(v("ccgw_event_delivery", "p(95)"), " ms")}, poll gap p95 ${fmt(v("ccgw_poll_gap", "p(95)"), " ms")}`,
    `  error rate ${fmt(v("ccgw_call_errors", "rate"))}, contract violations ${fmt(v("ccgw_contract_violations", "rate"))} of ${fmt((v("ccgw_contract_violations", "passes") ?? 0) + (v("ccgw_contract_violations", "fails") ?? 0))} sampled`,
  ];
  for (const [metric, value] of Object.entries(data.metrics)) {
    for (const [expr, verdict] of Object.entries(value.thresholds ?? {})) {
      if (expr !== "count>=0") lines.push(`  ${verdict.ok ? "ok  " : "FAIL"} ${metric} ${expr}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** The files handleSummary returns: summary.json, junit.xml and the console text. */
export function summaryOutputs(
  data: SummaryData,
  plan: Pick<LoadPlan, "profile" | "runId" | "reportDir">,
): Record<string, string> {
  const dir = plan.reportDir.replace(/\/+$/, "");
  return {
    [`${dir}/summary.json`]: JSON.stringify(data, null, 2),
    [`${dir}/junit.xml`]: junit(data, plan),
    stdout: text(data, plan),
  };
}
