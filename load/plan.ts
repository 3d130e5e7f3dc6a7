/**
 * The run plan: everything a share of a load run needs (agents, numbers, the open-model schedule, deadlines,
 * service levels), made by load/make-plan.ts. Plain JSON, so it travels to worker threads and to the segments
 * of a run on other machines; the helpers here select agents and place arrivals the same way everywhere.
 */
import type { Slo } from "../contracts/index.ts";
import type { Agent, AgentRange } from "../lib/roster.ts";

/** One stage of the call-attempt schedule: the rate moves linearly to `rate` over `durationS`. */
export interface RateStage {
  /** Call attempts per second at the end of the stage, across the whole run (all segments). */
  rate: number;
  durationS: number;
}

/** Service levels that decide pass or fail (thresholds with abortOnFail); result.json carries them. */
export type { Slo } from "../contracts/index.ts";

export interface LoadPlan {
  runId: string;
  /** Load profile name (smoke, load, …). */
  profile: string;
  baseUrl: string;
  edition: string;
  authMode: "static" | "dynamic";
  /** Explicit agents first, then the range (a password may be empty when it comes from CCGW_AGENT_PASSWORD); agent i of the run is `new Roster(plan).at(i)`. */
  agents: Agent[];
  agentRange?: AgentRange;
  /** Agents this run signs in (the first agentCount of the expanded list). */
  agentCount: number;
  called: { number: string; outcome?: string }[];
  caller?: string;
  skillId?: number;
  maxCallsPerSecond?: number;
  maxTotalCalls?: number;
  /** Attempts per second when the schedule starts. */
  startRate: number;
  stages: RateStage[];
  /** Sign-ins are spread over this window before the first call attempt. */
  signInS: number;
  /** Time in the call after AgentEvent_Talking, before release. */
  talkMs: number;
  /** Callout → terminal event deadline; past it the call counts as lost. */
  terminalTimeoutMs: number;
  /** Release → AgentState_Ready deadline. */
  readyTimeoutMs: number;
  /** After a failure event, wait at most this long for AgentState_Ready before the agent is idle again. */
  settleMs: number;
  /** Pause after an empty poll answer (the vendor asks clients to wait 200–500 ms). */
  pollPauseMs: number;
  /** HTTP timeout of a poll; must exceed the gateway's long-poll wait. */
  pollTimeoutMs: number;
  /** After the schedule ends, time left for calls in progress before sign-out. */
  drainMs: number;
  slo: Slo;
  /** Fraction of responses and events validated against the contracts. */
  contractSample: number;
  seed: number;
  /** Where the run writes summary.json, junit.xml, series.json and index.html. */
  reportDir: string;
  /** Only for the embedded mock on loopback: skip certificate checks. */
  insecureTls: boolean;
}

/** Length of the call-attempt schedule in seconds. */
export function scheduleSeconds(plan: Pick<LoadPlan, "stages">): number {
  return plan.stages.reduce((sum, s) => sum + s.durationS, 0);
}

/** Highest attempt rate of the schedule. */
export function peakRate(plan: Pick<LoadPlan, "stages" | "startRate">): number {
  return plan.stages.reduce((max, s) => Math.max(max, s.rate), plan.startRate);
}

/** Expected number of attempts of the whole schedule (area under the rate curve). */
export function expectedAttempts(plan: Pick<LoadPlan, "stages" | "startRate">): number {
  let total = 0;
  let from = plan.startRate;
  for (const s of plan.stages) {
    total += ((from + s.rate) / 2) * s.durationS;
    from = s.rate;
  }
  return total;
}

/**
 * Open-model arrival times for one share of the run, in ms from the start of the schedule: the instant the
 * share's cumulative expected attempts reaches k - 1 + phase, for k = 1, 2, … (the same piecewise linear rate
 * as a ramping-arrival-rate executor). `phase` in (0, 1] staggers the shares so they do not fire together.
 * Yields nothing after the last stage.
 */
export function* arrivals(
  plan: Pick<LoadPlan, "stages" | "startRate">,
  share: number,
  phase: number,
): Generator<number> {
  let target = phase;
  let done = 0; // expected attempts before the current stage
  let t0 = 0; // ms at the start of the current stage
  let r0 = plan.startRate * share;
  for (const stage of plan.stages) {
    const r1 = stage.rate * share;
    const d = stage.durationS;
    const inStage = ((r0 + r1) / 2) * d;
    while (target <= done + inStage) {
      const n = target - done;
      let t: number;
      if (Math.abs(r1 - r0) < 1e-12) t = n / r0;
      else {
        const a = (r1 - r0) / (2 * d);
        t = (-r0 + Math.sqrt(r0 * r0 + 4 * a * n)) / (2 * a);
      }
      yield t0 + t * 1000;
      target += 1;
    }
    done += inStage;
    t0 += d * 1000;
    r0 = r1;
  }
}
