/**
 * The call-cycle load scenario. Each virtual user hosts a group of agents (one VU per group, run once for the
 * whole test) and runs their loops concurrently with http.asyncRequest; call attempts follow an open-model
 * schedule inside each VU (the group's share of the plan's rate), so a slow gateway shows up as latency, lag and
 * dropped attempts, never as a quietly lower rate. The plan comes from scripts/load.ts in CCGW_PLAN.
 */

import * as validators from "ccgw:validators";
import exec from "k6/execution";
import http from "k6/http";
import type { Options } from "k6/options";
import { clearInterval, setInterval } from "k6/timers";
import { EVENT_FLOWS, SITUATIONS } from "../contracts/data.ts";
import { pathFor } from "../contracts/operations.ts";
import { CallGuard, policyFromProfile } from "../lib/safety.ts";
import { type AgentContext, AgentSession, sleep } from "./lib/agent.ts";
import { setContractSample } from "./lib/contracts.ts";
import * as m from "./lib/metrics.ts";
import { agentAt, arrivals, groupAgents, groupCount, type LoadPlan, scheduleSeconds } from "./lib/plan.ts";
import { type SummaryData, summaryOutputs } from "./lib/summary.ts";

function readPlan(): LoadPlan {
  const raw = __ENV.CCGW_PLAN;
  if (!raw) throw new Error("CCGW_PLAN is not set: run this scenario through `npm run load`");
  const plan = JSON.parse(raw) as LoadPlan;
  // Passwords may come separately (a Kubernetes Secret, for example) instead of inside the plan.
  const password = __ENV.CCGW_AGENT_PASSWORD;
  if (password && plan.agentRange) plan.agentRange.password = password;
  const byId = __ENV.CCGW_AGENT_PASSWORDS;
  if (byId) {
    const map = JSON.parse(byId) as Record<string, string>;
    for (const agent of plan.agents) agent.password = map[agent.id] ?? agent.password;
  }
  const sample = __ENV.CCGW_CONTRACT_SAMPLE;
  if (sample !== undefined && sample !== "") plan.contractSample = Number(sample);
  return plan;
}

const plan = readPlan();
const groups = groupCount(plan);
const scheduleMs = scheduleSeconds(plan) * 1000;
// The VU lives for sign-in, the schedule, the drain, and the last long poll after sign-out.
const vuSeconds = Math.ceil(
  plan.signInS + scheduleMs / 1000 + (plan.drainMs + plan.pollTimeoutMs) / 1000 + 10,
);

/** Submetrics that put per-type and per-retcode counts into summary.json (k6 keeps tagged values only there). */
function breakdownThresholds(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  // Event types of the documented flows, and every retcode a situation allows, straight from the contracts.
  const eventTypes = new Set<string>();
  for (const flow of Object.values(EVENT_FLOWS)) {
    for (const step of flow.steps)
      for (const e of [step.event, ...(step.alternatives ?? [])]) eventTypes.add(e);
    for (const e of flow.floating) eventTypes.add(e);
  }
  for (const type of eventTypes) out[`ccgw_events{type:${type}}`] = ["count>=0"];
  const retcodes = new Set<string>(["0"]);
  for (const situation of Object.values(SITUATIONS)) for (const code of situation.codes) retcodes.add(code);
  for (const code of retcodes) out[`ccgw_callouts{retcode:${code}}`] = ["count>=0"];
  return out;
}

/** Connections one VU keeps open: a poll and one other request per agent. */
const connectionsPerVu = 2 * plan.agentsPerVu + 2;

const abort = { abortOnFail: true, delayAbortEval: "10s" };

export const options: Options = {
  scenarios: {
    agents: {
      executor: "per-vu-iterations",
      vus: groups,
      iterations: 1,
      maxDuration: `${vuSeconds}s`,
      gracefulStop: `${Math.ceil(plan.pollTimeoutMs / 1000) + 5}s`,
    },
  },
  insecureSkipTLSVerify: plan.insecureTls,
  // NOTE: k6 keeps at most `batchPerHost` idle connections per host per VU (default 6) and closes the rest. A VU
  // hosts agentsPerVu agents, each with a poll outstanding and at times a callout or release too; with the
  // default, most requests opened a new connection (bench:load: 11,900 → 17,400 req/s for the same request mix
  // once every agent's connections stay open).
  batch: connectionsPerVu,
  batchPerHost: connectionsPerVu,
  setupTimeout: "60s",
  summaryTrendStats: ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)", "count"],
  thresholds: {
    ccgw_call_setup_alerting: [{ threshold: `p(95)<${plan.slo.setupP95Ms}`, ...abort }],
    ccgw_callout_duration: [{ threshold: `p(95)<${plan.slo.calloutP95Ms}`, ...abort }],
    ccgw_call_errors: [{ threshold: `rate<=${plan.slo.errorRate}`, ...abort }],
    ccgw_call_lost: [{ threshold: `rate<=${plan.slo.lostRate}`, ...abort }],
    ccgw_contract_violations: [{ threshold: `rate<=${plan.slo.violationRate}`, ...abort }],
    ...breakdownThresholds(),
  },
};

/** Fails fast when the gateway does not answer, and checks that every callout body the run sends conforms. */
export function setup(): void {
  const first = agentAt(plan, 0);
  const res = http.get(plan.baseUrl + pathFor("getAgentEvent", first.id), {
    tags: { name: "setup-probe" },
    timeout: "10s",
  });
  if (res.status === 0) {
    throw new Error(`target ${plan.baseUrl} is unreachable: ${res.error} (CCGW_TARGET_UNREACHABLE)`);
  }
  for (const called of plan.called) {
    if (!validators.calloutRequest(calloutRequest(called.number, "probe"))) {
      throw new Error(`the callout body for ${called.number} breaks voicecall/callout.request`);
    }
  }
}

const ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * Seeded 16-character alphanumeric `callappdata` values, one per attempt (xorshift32, five characters per draw).
 * NOTE: faker's string.alphanumeric(16) cost about 160 µs of k6 CPU per call (8% of the scenario's k6 CPU in a
 * pprof of bench:load: Array.from and one random draw per character in k6's interpreted JavaScript); this costs
 * a few µs and is just as reproducible.
 */
function appData(seed: number): () => string {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    let out = "";
    while (out.length < 16) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      let x = state >>> 0;
      for (let i = 0; i < 5 && out.length < 16; i++) {
        out += ALPHANUMERIC[x % 62];
        x = Math.floor(x / 62);
      }
    }
    return out;
  };
}

/** The callout request of one attempt (an object: placeCall checks the number, then serialises it). */
function calloutRequest(number: string, data: string): { called: string; [field: string]: unknown } {
  return {
    called: number,
    ...(plan.caller ? { caller: plan.caller } : {}),
    ...(plan.skillId !== undefined ? { skillid: plan.skillId } : {}),
    callappdata: data,
  };
}

export default async function (): Promise<void> {
  setContractSample(plan.contractSample);
  m.touchCounters();
  const g = exec.vu.idInTest - 1;
  const { from, to } = groupAgents(plan, g);
  if (to <= from) return;
  const share = (to - from) / plan.agentCount;
  const policy = policyFromProfile(plan);
  const ctx: AgentContext = { plan, baseParams: { timeout: "30s" }, policy };
  const flusher = setInterval(m.flushTallies, 2000);
  const agents: AgentSession[] = [];
  for (let i = from; i < to; i++) agents.push(new AgentSession(agentAt(plan, i), ctx));
  const nextAppData = appData(plan.seed * 100003 + g);

  // Sign-ins spread over signInS so thousands of agents do not arrive in one burst.
  const spacing = (plan.signInS * 1000) / Math.max(1, agents.length);
  const t0 = Date.now();
  await Promise.all(
    agents.map(async (agent, i) => {
      await sleep(i * spacing);
      await agent.signIn();
    }),
  );
  const start = t0 + plan.signInS * 1000;
  if (Date.now() < start) await sleep(start - Date.now());

  // Open-model schedule: attempts fire at their time whether or not earlier calls have finished.
  const guard = new CallGuard(policy, { share });
  const inFlight: Promise<void>[] = [];
  let next = 0;
  let k = 0;
  for (const at of arrivals(plan, share, (g + 1) / groups)) {
    const due = start + at;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    m.attemptLag.add(Math.max(0, Date.now() - due));
    m.tally.attempts.count();
    const number = plan.called[(k + g) % plan.called.length]?.number ?? "";
    k++;
    let agent: AgentSession | undefined;
    for (let tries = 0; tries < agents.length; tries++) {
      const candidate = agents[next];
      next = (next + 1) % agents.length;
      if (candidate?.idle) {
        agent = candidate;
        break;
      }
    }
    if (!agent) {
      m.tally.dropped.count("no-idle-agent");
      m.callErrors.add(1);
      continue;
    }
    try {
      guard.admit(number);
    } catch {
      // The target profile's maxCallsPerSecond / maxTotalCalls are hard caps: the attempt is not sent.
      m.tally.dropped.count("cap");
      m.callErrors.add(1);
      continue;
    }
    inFlight.push(agent.placeCall(calloutRequest(number, nextAppData())));
    if (inFlight.length > 1000) inFlight.splice(0, inFlight.length - 1000);
  }

  // Drain: calls in progress get drainMs to finish before the agents sign out.
  const drainUntil = Date.now() + plan.drainMs;
  while (Date.now() < drainUntil && agents.some((a) => a.state !== "idle" && a.state !== "out")) {
    await sleep(100);
  }
  await Promise.all(inFlight);
  await Promise.all(agents.map((a) => a.signOut()));
  clearInterval(flusher);
  m.flushTallies();
}

export function handleSummary(data: SummaryData): Record<string, string> {
  return summaryOutputs(data, plan);
}
