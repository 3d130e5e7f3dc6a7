/**
 * One share of a load run, in its own worker thread (or in-process for a test): its agents sign in, its share
 * of the open-model schedule places calls at their intended times (an attempt with no idle agent is dropped,
 * never delayed), calls in progress drain, every agent signs out, and the share's metrics go back as a snapshot.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { parentPort, workerData } from "node:worker_threads";
import { contractsFor } from "../../contracts/index.ts";
import { GatewayClient } from "../../lib/gateway/index.ts";
import { CallGuard, policyFromProfile } from "../../lib/safety.ts";
import type { TargetProfile } from "../../lib/target-profile.ts";
import { agentAt, arrivals, type LoadPlan } from "../lib/plan.ts";
import { type AgentContext, LoadAgent } from "./agent.ts";
import { Metrics, type MetricsSnapshot } from "./metrics.ts";

/** What a share needs: the plan, the profile, which agents and which slice of the schedule are its own. */
export interface ShareSpec {
  plan: LoadPlan;
  profile: TargetProfile;
  /** Agent indexes [from, to) of the run. */
  agents: { from: number; to: number };
  /** This share's index and the number of shares of the run (the schedule's slice: 1/count, staggered). */
  index: number;
  count: number;
  /** Epoch ms at which sign-in starts, the same for every share. */
  startAt: number;
}

/** The body of a call attempt: a number of the profile in turn, with the profile's caller and skill. */
function calloutBody(plan: LoadPlan, k: number): Record<string, unknown> {
  const called = plan.called[k % plan.called.length]?.number ?? "";
  return {
    called,
    ...(plan.caller !== undefined ? { caller: plan.caller } : {}),
    ...(plan.skillId !== undefined ? { skillid: plan.skillId } : {}),
  };
}

async function until(epochMs: number): Promise<void> {
  const wait = epochMs - Date.now();
  if (wait > 0) await sleep(wait);
}

/** Runs one share; resolves with its metrics. */
export async function runShare(spec: ShareSpec): Promise<MetricsSnapshot> {
  const { plan, profile } = spec;
  const metrics = new Metrics();
  const size = spec.agents.to - spec.agents.from;
  const client = await GatewayClient.open(profile, {
    timeoutMs: plan.pollTimeoutMs,
    connections: 2 * size + 4,
  });
  const policy = policyFromProfile(profile);
  // This share's part of the caps: the shares together never exceed the profile's rate or budget.
  const guard = new CallGuard(policy, { share: 1 / spec.count });
  let draws = plan.seed >>> 0 || 1;
  const ctx: AgentContext = {
    plan,
    profile,
    client,
    metrics,
    policy,
    contracts: contractsFor(plan.edition as Parameters<typeof contractsFor>[0]),
    sample: () => {
      draws = (draws * 1103515245 + 12345) % 2 ** 31;
      return draws / 2 ** 31 < plan.contractSample;
    },
  };
  const agents = Array.from(
    { length: size },
    (_, i) => new LoadAgent(agentAt(plan, spec.agents.from + i), ctx),
  );
  // Sign-ins spread over signInS, as a shift starts.
  await Promise.all(
    agents.map(async (agent, i) => {
      await until(spec.startAt + (plan.signInS * 1000 * i) / Math.max(1, size));
      await agent.signIn();
    }),
  );
  const scheduleStart = spec.startAt + plan.signInS * 1000;
  const started = Date.now();
  let next = 0;
  let k = 0;
  for (const t of arrivals(plan, 1 / spec.count, (spec.index + 1) / spec.count)) {
    const intendedAt = scheduleStart + t;
    await until(intendedAt);
    k++;
    metrics.count("ccgw_call_attempts");
    metrics.time("ccgw_call_attempt_lag", Date.now() - intendedAt);
    if (guard.remaining <= 0 || guard.delayBeforeNextCall() > 0) {
      metrics.count("ccgw_call_attempts_dropped", "cap");
      continue;
    }
    let agent: LoadAgent | undefined;
    for (let i = 0; i < agents.length && !agent; i++) {
      const candidate = agents[(next + i) % agents.length] as LoadAgent;
      if (candidate.idle) agent = candidate;
    }
    if (!agent) {
      metrics.count("ccgw_call_attempts_dropped", "no idle agent");
      continue;
    }
    next = (agents.indexOf(agent) + 1) % agents.length;
    const body = calloutBody(plan, k * spec.count + spec.index);
    guard.admitBody(body);
    void agent.placeCall(body, intendedAt).catch((error: unknown) => {
      metrics.count("ccgw_call_attempts_dropped", `error: ${(error as Error).message.slice(0, 40)}`);
    });
  }
  await sleep(plan.drainMs);
  await Promise.all(agents.map((a) => a.signOut().catch(() => undefined)));
  metrics.durationMs = Date.now() - started;
  await client.close();
  return metrics.snapshot();
}

// In a worker thread: run the share handed over and post its metrics back.
if (parentPort && workerData) {
  const port = parentPort;
  runShare(workerData as ShareSpec).then(
    (snapshot) => port.postMessage({ snapshot }),
    (error: unknown) => port.postMessage({ error: (error as Error).message }),
  );
}
