/**
 * One share of a load run, in its own worker thread (or in-process for a test): its agents sign in, its share
 * of the open-model schedule places calls at their intended times (an attempt with no idle agent is dropped,
 * never delayed), calls in progress drain, every agent signs out, and the share's metrics go back as a snapshot.
 */
import { setMaxListeners } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { parentPort, workerData } from "node:worker_threads";
import { contractsFor } from "../../contracts/index.ts";
import { GatewayClient } from "../../lib/gateway/index.ts";
import { Roster } from "../../lib/roster.ts";
import { CallGuard, policyFromProfile } from "../../lib/safety.ts";
import type { TargetProfile } from "../../lib/target-profile.ts";
import { arrivals, type LoadPlan, scheduleSeconds } from "../plan.ts";
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

/** Waits until an epoch time; false when the share was stopped first. */
async function until(epochMs: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return false;
  const wait = epochMs - Date.now();
  if (wait <= 0) return true;
  try {
    await sleep(wait, undefined, signal ? { signal } : {});
    return true;
  } catch {
    return false;
  }
}

/** How the engine talks to a running share: progress out, a stop in. */
export interface ShareControl {
  /** Aborted to stop the share: no more attempts; calls in progress drain, then every agent signs out. */
  signal?: AbortSignal;
  /** Receives the share's metrics so far, every `everyMs`. */
  onProgress?: (snapshot: MetricsSnapshot) => void;
  everyMs?: number;
}

/**
 * Agents per client. A connection pool looks for a free connection one by one, so one pool for thousands of
 * agents (each holding a long poll) costs time per request that grows with the agents; small pools do not.
 */
const AGENTS_PER_CLIENT = 10;

/**
 * The contexts of the share's agents: one per group of AGENTS_PER_CLIENT, each with its own client; metrics,
 * call guard (this share's part of the caps, handed to every client), contracts and contract sampling shared.
 */
async function agentContexts(spec: ShareSpec, metrics: Metrics, guard: CallGuard): Promise<AgentContext[]> {
  const { plan, profile } = spec;
  const size = spec.agents.to - spec.agents.from;
  const groups = Math.ceil(size / AGENTS_PER_CLIENT);
  const clients = await Promise.all(
    Array.from({ length: groups }, () =>
      GatewayClient.open(profile, {
        timeoutMs: plan.pollTimeoutMs,
        connections: 2 * AGENTS_PER_CLIENT + 4,
        // An agent's spare connection (for its callout while its poll waits) closes 2 s after its last use.
        idleMs: 2000,
        guard,
      }),
    ),
  );
  let draws = plan.seed >>> 0 || 1;
  const shared = {
    plan,
    profile,
    metrics,
    contracts: contractsFor(plan.edition as Parameters<typeof contractsFor>[0]),
    sample: () => {
      draws = (draws * 1103515245 + 12345) % 2 ** 31;
      return draws / 2 ** 31 < plan.contractSample;
    },
  };
  return clients.map((client) => ({ ...shared, client }));
}

/** The next idle agent after `from`, round robin, or undefined when all are busy. */
function idleAgent(agents: readonly LoadAgent[], from: number): LoadAgent | undefined {
  for (let i = 0; i < agents.length; i++) {
    const candidate = agents[(from + i) % agents.length] as LoadAgent;
    if (candidate.idle) return candidate;
  }
  return undefined;
}

/**
 * After a stall (late timers on a busy machine) the schedule catches up no faster than CATCH_UP times its planned
 * rate, in bursts of at most BURST_MS worth of attempts (one at least): a gateway never sees a burst the plan did
 * not ask for, so what it answers judges the planned rate. A leaky bucket: allowance accrues at the caught-up rate.
 */
class Pacer {
  private allowance = 1;
  private at = 0;

  /** When the next attempt may leave, planned `gapMs` after the one before; now when it may leave at once. */
  earliest(now: number, gapMs: number): number {
    const perMs = CATCH_UP / Math.max(gapMs, 0.001);
    const burst = Math.max(1, perMs * BURST_MS);
    this.allowance = Math.min(burst, this.allowance + (now - this.at) * perMs);
    this.at = now;
    return this.allowance >= 1 ? now : now + (1 - this.allowance) / perMs;
  }

  /** An attempt left. */
  take(): void {
    this.allowance -= 1;
  }
}

const CATCH_UP = 1.1;
const BURST_MS = 10;

/**
 * The share's slice of the open-model schedule: each attempt at its intended time (after a stall, no sooner than
 * the caught-up pace of the Pacer allows), or dropped (no idle agent, a cap).
 */
async function schedule(
  spec: ShareSpec,
  ctx: AgentContext,
  agents: LoadAgent[],
  guard: CallGuard,
  signal?: AbortSignal,
): Promise<void> {
  const { plan, metrics } = ctx;
  const scheduleStart = spec.startAt + plan.signInS * 1000;
  let next = 0;
  let k = 0;
  const pacer = new Pacer();
  let previous = scheduleStart;
  for (const t of arrivals(plan, 1 / spec.count, (spec.index + 1) / spec.count)) {
    const intendedAt = scheduleStart + t;
    const gapMs = intendedAt - previous;
    previous = intendedAt;
    if (!(await until(intendedAt, signal))) break;
    let stopped = false;
    for (
      let at = pacer.earliest(Date.now(), gapMs);
      at > Date.now();
      at = pacer.earliest(Date.now(), gapMs)
    ) {
      if (!(await until(at, signal))) {
        stopped = true;
        break;
      }
    }
    if (stopped) break;
    k++;
    metrics.count("ccgw_call_attempts");
    metrics.time("ccgw_call_attempt_lag", Date.now() - intendedAt);
    if (guard.remaining <= 0 || guard.delayBeforeNextCall() > 0) {
      metrics.count("ccgw_call_attempts_dropped", "cap");
      continue;
    }
    const agent = idleAgent(agents, next);
    if (!agent) {
      metrics.count("ccgw_call_attempts_dropped", "no idle agent");
      continue;
    }
    next = (agents.indexOf(agent) + 1) % agents.length;
    // The run's attempt index (shares interleave): the same attempt dials the same number however the run is split.
    const body = calloutBody(plan, (k - 1) * spec.count + spec.index);
    pacer.take();
    void agent.placeCall(body, intendedAt).catch((error: unknown) => {
      metrics.count("ccgw_call_attempts_dropped", `error: ${(error as Error).message.slice(0, 40)}`);
    });
  }
  // The measurement interval of the KPIs: the schedule as planned, or up to the stop.
  const planned = scheduleStart + scheduleSeconds(plan) * 1000;
  const endMs = signal?.aborted ? Math.min(Date.now(), planned) : planned;
  metrics.measure({ startMs: scheduleStart, endMs: Math.max(scheduleStart, endMs) });
}

/** Runs one share; resolves with its metrics. */
export async function runShare(spec: ShareSpec, control: ShareControl = {}): Promise<MetricsSnapshot> {
  const { plan } = spec;
  const metrics = new Metrics();
  // Every agent waits for its sign-in time on the stop signal: as many listeners as agents, on purpose.
  if (control.signal) setMaxListeners(0, control.signal);
  // This share's part of the caps (the shares together never exceed the profile's rate or budget), handed to
  // every client of the share: a callout leaves only through it. The schedule reads it to drop, never delay.
  const guard = new CallGuard(policyFromProfile(spec.profile), { share: 1 / spec.count });
  const contexts = await agentContexts(spec, metrics, guard);
  const ctx = contexts[0] as AgentContext;
  const size = spec.agents.to - spec.agents.from;
  const roster = new Roster(plan);
  const agents = Array.from(
    { length: size },
    (_, i) =>
      new LoadAgent(
        roster.at(spec.agents.from + i),
        contexts[Math.floor(i / AGENTS_PER_CLIENT)] as AgentContext,
      ),
  );
  const progress = control.onProgress
    ? setInterval(() => control.onProgress?.(metrics.snapshot(false)), control.everyMs ?? 2000)
    : undefined;
  const started = Date.now();
  try {
    // Sign-ins spread over signInS, as a shift starts.
    await Promise.all(
      agents.map(async (agent, i) => {
        const at = spec.startAt + (plan.signInS * 1000 * i) / Math.max(1, size);
        if (await until(at, control.signal)) await agent.signIn();
      }),
    );
    await schedule(spec, ctx, agents, guard, control.signal);
    await sleep(plan.drainMs);
  } finally {
    await Promise.all(agents.map((a) => a.signOut().catch(() => undefined)));
    clearInterval(progress);
    await Promise.all(contexts.map((c) => c.client.close()));
  }
  metrics.durationMs = Date.now() - started;
  return metrics.snapshot();
}

// In a worker thread: run the share handed over, post progress and the final metrics, stop when told to.
if (parentPort && workerData) {
  const port = parentPort;
  const stop = new AbortController();
  port.on("message", (message: { stop?: boolean }) => {
    if (message.stop) stop.abort();
  });
  const { everyMs } = workerData as { everyMs?: number };
  runShare(workerData as ShareSpec, {
    signal: stop.signal,
    onProgress: (snapshot) => port.postMessage({ progress: snapshot }),
    ...(everyMs !== undefined ? { everyMs } : {}),
  }).then(
    (snapshot) => {
      port.postMessage({ snapshot });
      port.close();
    },
    (error: unknown) => port.postMessage({ error: (error as Error).message }),
  );
}
