/**
 * Load profiles as data: how many agents, which call-attempt schedule, and the service levels a run must hold.
 * scripts/load.ts turns one of them plus a target profile into a run plan; nothing here names a gateway.
 */
import type { RateStage, Slo } from "./plan.ts";

/** A capacity search: constant-rate steps, raised until a service level breaks, then refined by bisection. */
export interface CapacitySearch {
  /** Rate of the first step, calls/s. */
  startRate: number;
  /** Each step multiplies the rate by this factor until a step fails. */
  factor: number;
  /** Highest rate tried (also capped by the target's maxCallsPerSecond). */
  maxRate: number;
  /** Length of one step, s. */
  stepS: number;
  /** Bisection ends when the bracket is narrower than this fraction of the passing rate. */
  resolution: number;
}

export interface LoadProfile {
  name: string;
  description: string;
  /** Agents signed in (fewer when the target has fewer). */
  agents: number;
  startRate: number;
  stages: RateStage[];
  signInS: number;
  talkMs: number;
  drainMs: number;
  slo: Slo;
  /** Fraction of responses and events validated against the contracts (CCGW_CONTRACT_SAMPLE overrides). */
  contractSample: number;
  /** Present only for the capacity profile. */
  capacity?: CapacitySearch;
}

const SLO: Slo = {
  setupP95Ms: 3000,
  calloutP95Ms: 1000,
  errorRate: 0.02,
  lostRate: 0.001,
  violationRate: 0.001,
};

/** The profiles by name. */
export const LOAD_PROFILES = {
  smoke: {
    name: "smoke",
    description: "CI check: a few agents, a low constant rate, about 20 s",
    agents: 10,
    // Two groups, so a run split over two instances gives each one a real share.
    startRate: 2,
    stages: [{ rate: 2, durationS: 12 }],
    signInS: 1,
    talkMs: 300,
    drainMs: 3000,
    slo: { ...SLO, errorRate: 0.01, lostRate: 0, violationRate: 0 },
    contractSample: 1,
  },
  load: {
    name: "load",
    description: "expected production load: ramp to 20 calls/s and hold it for 5 minutes",
    agents: 400,
    startRate: 1,
    stages: [
      { rate: 20, durationS: 60 },
      { rate: 20, durationS: 300 },
      { rate: 0, durationS: 30 },
    ],
    signInS: 20,
    talkMs: 8000,
    drainMs: 15000,
    slo: SLO,
    contractSample: 0.1,
  },
  stress: {
    name: "stress",
    description: "beyond expected load: ramp in steps to 80 calls/s",
    agents: 2000,
    startRate: 5,
    stages: [
      { rate: 20, durationS: 60 },
      { rate: 20, durationS: 60 },
      { rate: 40, durationS: 60 },
      { rate: 40, durationS: 60 },
      { rate: 80, durationS: 60 },
      { rate: 80, durationS: 60 },
      { rate: 0, durationS: 30 },
    ],
    signInS: 30,
    talkMs: 8000,
    drainMs: 15000,
    slo: { ...SLO, errorRate: 0.05 },
    contractSample: 0.1,
  },
  spike: {
    name: "spike",
    description: "a sudden burst: 5 calls/s, jump to 60 calls/s for 30 s, back to 5",
    agents: 1500,
    startRate: 5,
    stages: [
      { rate: 5, durationS: 30 },
      { rate: 60, durationS: 5 },
      { rate: 60, durationS: 30 },
      { rate: 5, durationS: 5 },
      { rate: 5, durationS: 60 },
    ],
    signInS: 20,
    talkMs: 8000,
    drainMs: 15000,
    slo: { ...SLO, errorRate: 0.05 },
    contractSample: 0.1,
  },
  soak: {
    name: "soak",
    description: "steady 10 calls/s for 2 hours: leaks, Guid rotation, heartbeats",
    agents: 300,
    startRate: 10,
    stages: [{ rate: 10, durationS: 7200 }],
    signInS: 20,
    talkMs: 8000,
    drainMs: 15000,
    slo: SLO,
    contractSample: 0.1,
  },
  capacity: {
    name: "capacity",
    description:
      "raise the call rate in fixed-duration trials until one breaks the loss criterion (RFC 7502); report the maximum sustainable attempt rate",
    agents: 600,
    startRate: 5,
    stages: [{ rate: 5, durationS: 20 }],
    signInS: 2,
    talkMs: 500,
    drainMs: 3000,
    slo: SLO,
    contractSample: 0.1,
    // NOTE: a step must be long against the gateway's burst allowance: a token bucket with one second of burst
    // lets a step of S seconds pass at up to (1 + 1/S) times its rate, so 20 s steps overstate the knee by <= 5%.
    capacity: { startRate: 5, factor: 1.5, maxRate: 400, stepS: 20, resolution: 0.05 },
  },
} as const satisfies Record<string, LoadProfile>;

export type LoadProfileName = keyof typeof LOAD_PROFILES;

export function isLoadProfileName(name: string): name is LoadProfileName {
  return Object.hasOwn(LOAD_PROFILES, name);
}
