/**
 * The run plan of a load run: a target profile and a load profile, with the caller's overrides (a shorter
 * schedule, one constant rate, fewer agents), turned into the LoadPlan every share of the engine runs.
 */
import type { TargetProfile } from "../lib/target-profile.ts";
import { eventDeadlines, profileAuthMode, profileEdition } from "../lib/target-profile.ts";
import { type LoadPlan, type Slo, scheduleSeconds } from "./plan.ts";
import type { LoadProfile } from "./profiles.ts";

/** Options a caller may change on top of the load profile. */
export interface PlanOverrides {
  runId: string;
  reportDir: string;
  /** Shorten or lengthen the schedule to this many seconds (stages scaled proportionally). */
  durationS?: number;
  /** Replace the schedule with one constant rate. */
  rate?: number;
  agents?: number;
  contractSample?: number;
  seed?: number;
  /** Service levels that replace the load profile's (the tester states the loss criterion: RFC 7502). */
  slo?: Partial<Slo>;
  /** The target is the embedded mock (loopback, self-signed): certificate checks may be skipped. */
  embeddedMock?: boolean;
  /** Long-poll wait of the gateway, ms (the poll timeout is set above it). @default 10000 */
  pollWaitMs?: number;
  terminalTimeoutMs?: number;
}

/** The run plan for a target and a load profile. */
export function makePlan(target: TargetProfile, profile: LoadProfile, o: PlanOverrides): LoadPlan {
  const pool = (target.agents?.length ?? 0) + (target.agentRange?.count ?? 0);
  const agentCount = Math.min(pool, o.agents ?? profile.agents);
  let stages = profile.stages.map((s) => ({ ...s }));
  let startRate: number = profile.startRate;
  if (o.rate !== undefined) {
    startRate = o.rate;
    stages = [{ rate: o.rate, durationS: o.durationS ?? scheduleSeconds({ stages }) }];
  } else if (o.durationS !== undefined) {
    const factor = o.durationS / scheduleSeconds({ stages });
    stages = stages.map((s) => ({ ...s, durationS: s.durationS * factor }));
  }
  const pollWaitMs = o.pollWaitMs ?? 10000;
  return {
    runId: o.runId,
    profile: profile.name,
    baseUrl: target.baseUrl.replace(/\/+$/, ""),
    edition: profileEdition(target),
    authMode: profileAuthMode(target),
    agents: (target.agents ?? []).map((a) => ({ id: a.id, password: a.password, phone: a.phone })),
    ...(target.agentRange ? { agentRange: { ...target.agentRange } } : {}),
    agentCount,
    called: target.called.map((c) => (typeof c === "string" ? { number: c } : { ...c })),
    ...(target.caller !== undefined ? { caller: target.caller } : {}),
    ...(target.skillId !== undefined ? { skillId: target.skillId } : {}),
    ...(target.maxCallsPerSecond !== undefined ? { maxCallsPerSecond: target.maxCallsPerSecond } : {}),
    ...(target.maxTotalCalls !== undefined ? { maxTotalCalls: target.maxTotalCalls } : {}),
    startRate,
    stages,
    signInS: profile.signInS,
    talkMs: profile.talkMs,
    // The target's event deadlines (eventDeadlines: ringing until the platform gives up, then a prompt Ready),
    // the same the functional suite holds the gateway to.
    terminalTimeoutMs: o.terminalTimeoutMs ?? eventDeadlines(target).setupMs,
    readyTimeoutMs: eventDeadlines(target).promptMs,
    settleMs: 500,
    pollPauseMs: 200,
    pollTimeoutMs: pollWaitMs + 5000,
    drainMs: profile.drainMs,
    slo: { ...profile.slo, ...o.slo },
    contractSample: o.contractSample ?? profile.contractSample,
    seed: o.seed ?? 1,
    reportDir: o.reportDir,
    // Only when the target profile asks for it (tls.insecure); scripts/load.ts warns on every such run.
    insecureTls: target.tls?.insecure === true,
  };
}
