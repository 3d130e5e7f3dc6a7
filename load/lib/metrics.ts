/**
 * The custom metrics of the load scenarios, all prefixed `ccgw_`. One module so the scenario, the thresholds and
 * the summary agree on names; the Node side reads the same names from summary.json.
 */
import { Counter, Rate, Trend } from "k6/metrics";

export { METRIC_NAMES, type MetricName } from "./metrics-names.ts";

/** HTTP latency of callout (the request alone, not the call). */
export const calloutDuration = new Trend("ccgw_callout_duration", true);
/** Callout sent → AgentEvent_Customer_Alerting received. */
export const setupAlerting = new Trend("ccgw_call_setup_alerting", true);
/** Callout sent → AgentEvent_Talking received. */
export const setupTalking = new Trend("ccgw_call_setup_talking", true);
/** Receive time − eventGenTime, for events that carry it (2025 editions). */
export const eventDelivery = new Trend("ccgw_event_delivery", true);
/** Events received, tagged by `type`; the summary's rate is events per second. */
export const events = new Counter("ccgw_events");
/** Callout answers, tagged by `retcode` (`http-<status>` when there was no JSON envelope). */
export const callouts = new Counter("ccgw_callouts");
/** Call attempts the schedule made (sent or dropped). */
export const attempts = new Counter("ccgw_call_attempts");
/** Attempts not sent: no idle agent, or the rate cap/budget refused them; tagged by `reason`. */
export const dropped = new Counter("ccgw_call_attempts_dropped");
/** How late the scheduler fired an attempt, ms (the load generator's own health). */
export const attemptLag = new Trend("ccgw_call_attempt_lag", true);
export const answered = new Counter("ccgw_calls_answered");
/** The customer did not answer or was busy (the call reached the customer side). */
export const notAnswered = new Counter("ccgw_calls_not_answered");
/** Refused callouts, HTTP errors and failures before the customer side was reached. */
export const failed = new Counter("ccgw_calls_failed");
/** Placed calls that never got a terminal event before the deadline. */
export const lost = new Counter("ccgw_calls_lost");
/** Per placed call: true when it was lost (for the lost-event threshold). */
export const lostRate = new Rate("ccgw_call_lost");
/** Per attempt: true when it failed, was dropped or lost. */
export const callErrors = new Rate("ccgw_call_errors");
/** Per sampled response or event: true when it broke its contract; tagged by `operation`. */
export const violations = new Rate("ccgw_contract_violations");
/** Time from a poll answer to the next poll request, ms (proves the heartbeat has no gaps). */
export const pollGap = new Trend("ccgw_poll_gap", true);
export const signInFailures = new Counter("ccgw_sign_in_failures");
/** New Guids taken from Set-GUID on polls (dynamic authentication). */
export const guidRotations = new Counter("ccgw_guid_rotations");
/** Releases after which AgentState_Ready did not come in time. */
export const readyTimeouts = new Counter("ccgw_ready_timeouts");

/**
 * Puts every counter into summary.json even when nothing happened (k6 leaves metrics without samples out, and a
 * missing ccgw_calls_lost must read as 0, not as "not measured"). Adding 0 changes no count and no rate.
 */
export function touchCounters(): void {
  for (const counter of [
    events,
    callouts,
    attempts,
    dropped,
    answered,
    notAnswered,
    failed,
    lost,
    signInFailures,
    guidRotations,
    readyTimeouts,
  ]) {
    counter.add(0);
  }
}

/**
 * Counts kept in the VU and flushed to k6 as one sample per (counter, tag value) every few seconds.
 * NOTE: each k6 metric sample costs tens of µs of k6 CPU (measured: a tagged counter add ≈ 50 µs), more than
 * parsing a poll answer, so the per-event and per-attempt counters go through here; rates and trends do not.
 */
export class CounterTally {
  private readonly counter: Counter;
  private readonly tag: string | undefined;
  private counts: Record<string, number> = {};

  constructor(counter: Counter, tag?: string) {
    this.counter = counter;
    this.tag = tag;
  }

  count(value = ""): void {
    this.counts[value] = (this.counts[value] ?? 0) + 1;
  }

  flush(): void {
    const counts = this.counts;
    this.counts = {};
    const tag = this.tag;
    for (const value in counts) {
      const n = counts[value] ?? 0;
      if (tag === undefined) this.counter.add(n);
      else this.counter.add(n, { [tag]: value });
    }
  }
}

/** The tallies of this VU (module state is per VU in k6). */
export const tally = {
  events: new CounterTally(events, "type"),
  callouts: new CounterTally(callouts, "retcode"),
  attempts: new CounterTally(attempts),
  dropped: new CounterTally(dropped, "reason"),
  answered: new CounterTally(answered),
  notAnswered: new CounterTally(notAnswered),
  failed: new CounterTally(failed),
  lost: new CounterTally(lost),
};

/** Sends every tally's counts to k6. */
export function flushTallies(): void {
  for (const t of Object.values(tally)) t.flush();
}
