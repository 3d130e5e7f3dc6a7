/**
 * Thresholds in k6's expression syntax, so k6 users feel at home: `p(95)<1000`, `avg<200`, `rate<0.01`,
 * `count<10`, `max<=3000`, checked against a summary's values. A threshold may stop the run when it breaks
 * (abortOnFail, after delayAbortEval). An expression that does not parse is a usage error, never ignored.
 */

import type { LoadSummary } from "../../contracts/index.ts";
import { HarnessError } from "../../lib/errors.ts";

/** A threshold: the expression, or an object with abortOnFail. */
export type ThresholdSpec = string | { threshold: string; abortOnFail?: boolean; delayAbortEval?: string };

export interface Threshold {
  metric: string;
  expression: string;
  stat: string;
  op: "<" | "<=" | ">" | ">=" | "==" | "===" | "!=";
  value: number;
  abortOnFail: boolean;
  /** Seconds before a break may stop the run. */
  delayAbortS: number;
}

const EXPRESSION =
  /^\s*(avg|min|med|max|count|rate|passes|fails|p\(\d+(?:\.\d+)?\))\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/;

/** Parses `10s`, `500ms`, `2m` (delayAbortEval) into seconds. */
function seconds(text: string | undefined): number {
  if (!text) return 0;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text.trim());
  if (!m)
    throw new HarnessError(
      "CCGW_USAGE",
      `threshold delayAbortEval ${JSON.stringify(text)}: expected 500ms, 10s or 2m`,
    );
  const n = Number(m[1]);
  return m[2] === "ms" ? n / 1000 : m[2] === "m" ? n * 60 : n;
}

/** Parses the thresholds of a run (metric name to expressions); throws CCGW_USAGE naming a bad one. */
export function parseThresholds(specs: Record<string, readonly ThresholdSpec[]>): Threshold[] {
  return Object.entries(specs).flatMap(([metric, list]) =>
    list.map((spec) => {
      const expression = typeof spec === "string" ? spec : spec.threshold;
      const m = EXPRESSION.exec(expression);
      if (!m) {
        throw new HarnessError(
          "CCGW_USAGE",
          `threshold ${metric}: ${JSON.stringify(expression)} is not a threshold expression`,
          "write it as p(95)<1000, avg<200, rate<0.01 or count<10",
        );
      }
      return {
        metric,
        expression: expression.trim(),
        stat: m[1] as string,
        op: m[2] as Threshold["op"],
        value: Number(m[3]),
        abortOnFail: typeof spec === "object" && spec.abortOnFail === true,
        delayAbortS: typeof spec === "object" ? seconds(spec.delayAbortEval) : 0,
      };
    }),
  );
}

function holds(observed: number, op: Threshold["op"], value: number): boolean {
  switch (op) {
    case "<":
      return observed < value;
    case "<=":
      return observed <= value;
    case ">":
      return observed > value;
    case ">=":
      return observed >= value;
    case "==":
    case "===":
      return observed === value;
    case "!=":
      return observed !== value;
  }
}

/**
 * Judges thresholds against a summary and writes the verdicts into it (`thresholds: { expr: { ok } }`).
 * A metric nothing was recorded for holds its threshold only when 0 would (count<10 holds, count>0 breaks).
 * @returns the thresholds that broke
 */
export function judge(summary: LoadSummary, thresholds: readonly Threshold[]): Threshold[] {
  const broken: Threshold[] = [];
  for (const t of thresholds) {
    const metric = summary.metrics[t.metric];
    const observed = metric?.values[t.stat] ?? 0;
    const ok = holds(observed, t.op, t.value);
    if (metric) {
      metric.thresholds = { ...(metric.thresholds ?? {}), [t.expression]: { ok } };
    } else {
      summary.metrics[t.metric] = { type: "counter", values: {}, thresholds: { [t.expression]: { ok } } };
    }
    if (!ok) broken.push(t);
  }
  return broken;
}
