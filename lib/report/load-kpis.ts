/**
 * The call-center figures of a load run as summary.json carries them (computed by load/engine/kpis.ts), and how
 * the report names each: its label and, in a few words, its definition and source (load/README.md has them in
 * full).
 */

/** A delay's distribution, ms, from its HDR histogram. */
export interface Delay {
  metric: string;
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface CallCenterKpis {
  /** The measurement interval: the call-attempt schedule as it ran, s. */
  intervalS: number;
  /** Call attempts per second the schedule offered, and callouts the gateway was actually sent. */
  attemptsPerSecond: { offered: number; achieved: number };
  /** Calls in progress (callout sent to the call's end): the highest one-second mean, and the mean over the interval. */
  concurrentCalls: { peak: number; mean: number };
  /** Callouts whose outcome the run saw: at its end, every callout sent less those its end cut short. */
  attempts: number;
  /** Answered ÷ attempts (RFC 6076 SER, ITU-T E.411 ASR); absent without attempts. */
  sessionEstablishmentRatio?: number;
  /** (Answered + not answered by the customer, busy included) ÷ attempts (RFC 6076 SEER, E.411 NER). */
  effectiveRatio?: number;
  /** Attempts that did not reach the customer, by class; every class listed, 0 when none. */
  ineffective: Record<string, number>;
  delays: { postDial?: Delay; answer?: Delay; release?: Delay };
  /** Releases that got no AgentState_Ready (or _Work) by the prompt deadline: left out of the release delay. */
  releasesWithoutReady: number;
}

/** Labels and short definitions of the delays, in the order the report shows them. */
export const DELAY_LABELS: Record<keyof CallCenterKpis["delays"], { label: string; definition: string }> = {
  postDial: {
    label: "post-dial delay",
    definition: "callout sent → AgentEvent_Customer_Alerting (RFC 6076 SRD, to ringing)",
  },
  answer: { label: "answer delay", definition: "callout sent → AgentEvent_Talking" },
  release: {
    label: "release delay",
    definition: "release of an answered call sent → AgentState_Ready or _Work",
  },
};
