/**
 * Call-center figures of a load run, each defined with its source in load/README.md: call attempts per second
 * offered and achieved, peak and mean concurrent calls, the session establishment ratio and its effective
 * variant, ineffective attempts by class, and the post-dial, answer and release delays. Computed from the run's
 * merged metrics (counters, HDR histograms, the per-second call time), so a run split over workers and machines
 * gives the same figures as one process.
 */
import {
  INEFFECTIVE_CLASSES,
  ineffectiveClassOfCode,
  ineffectiveClassOfStatus,
} from "../../contracts/index.ts";
import { envelopeOf, type GatewayReply } from "../../lib/gateway/index.ts";
import type { CallCenterKpis, Delay } from "../../lib/report/load-kpis.ts";
import type { Metrics } from "./metrics.ts";

/** Counter of ineffective attempts, by class (contracts/data/retcodes.json's ineffectiveAttempts). */
export const INEFFECTIVE = "ccgw_ineffective_attempts";
/** Trend of release → AgentState_Ready (or its alternative). */
export const RELEASE_DELAY = "ccgw_release_ready";

/** The trends behind the delays: post-dial (→ alerting), answer (→ talking), release (→ Ready). */
const DELAYS = {
  postDial: "ccgw_call_setup_alerting",
  answer: "ccgw_call_setup_talking",
  release: RELEASE_DELAY,
} as const;

const TIMEOUT = /timeout|timed out/i;

/** The class of a refused or failed callout answer (retcode, HTTP status, or the network failure). */
export function ineffectiveClass(reply: GatewayReply): string {
  if (reply.error) return TIMEOUT.test(reply.error) ? "timeout" : "http";
  const envelope = envelopeOf(reply);
  if (!envelope) return ineffectiveClassOfStatus(reply.status);
  return ineffectiveClassOfCode(envelope.retcode);
}

function delay(metrics: Metrics, metric: string): Delay | undefined {
  const count = metrics.stat(metric, "count");
  if (count === undefined || count === 0) return undefined;
  const at = (stat: string) => metrics.stat(metric, stat) ?? 0;
  return { metric, count, p50: at("med"), p95: at("p(95)"), p99: at("p(99)") };
}

/** The call-center figures of a run's merged metrics. */
export function callCenterKpis(metrics: Metrics): CallCenterKpis {
  const window = metrics.window;
  const intervalS = window ? Math.max(0.001, (window.endMs - window.startMs) / 1000) : 0;
  const per = (n: number) => (intervalS > 0 ? n / intervalS : 0);
  const sum = (tally: Record<string, number>) => Object.values(tally).reduce((a, b) => a + b, 0);
  const offered = sum(metrics.tally("ccgw_call_attempts"));
  const sent = sum(metrics.tally("ccgw_callouts"));
  const outcomes = metrics.tally("ccgw_call_outcomes");
  // Calls whose outcome is known: at the end of a run every callout sent, less those the run's end cut short.
  const attempts = sum(outcomes) - (outcomes.unfinished ?? 0);
  const answered = outcomes.answered ?? 0;
  const reached = answered + (outcomes["not-answered"] ?? 0);
  const byClass = metrics.tally(INEFFECTIVE);
  const ineffective = Object.fromEntries(INEFFECTIVE_CLASSES.map((c) => [c.class, byClass[c.class] ?? 0]));
  const { peak, callMs } = metrics.series.concurrency();
  const delays: CallCenterKpis["delays"] = {};
  for (const [key, metric] of Object.entries(DELAYS) as [keyof typeof DELAYS, string][]) {
    const d = delay(metrics, metric);
    if (d) delays[key] = d;
  }
  return {
    intervalS,
    attemptsPerSecond: { offered: per(offered), achieved: per(sent) },
    concurrentCalls: { peak, mean: per(callMs / 1000) },
    attempts,
    ...(attempts > 0
      ? { sessionEstablishmentRatio: answered / attempts, effectiveRatio: reached / attempts }
      : {}),
    ineffective,
    delays,
    releasesWithoutReady: sum(metrics.tally("ccgw_ready_timeouts")),
  };
}
