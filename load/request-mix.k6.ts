/**
 * Breakdown baseline for npm run bench:load: the call cycle's requests (callout, a poll per event of the
 * documented flow, release) with none of the scenario's logic, in three forms, so the benchmark can say where the
 * call-cycle scenario's cost per request goes:
 *   CCGW_MIX=sync   one agent per VU, synchronous requests, the awaited event found with String.includes;
 *   CCGW_MIX=async  the same loop as async functions with http.asyncRequest, many agents per VU (as the scenario);
 *   CCGW_MIX=parse  async, and every answer read with JSON.parse (as the scenario does).
 * The agent waits for the flow's terminal event, releases an answered call and waits for the end of the flow.
 */
import exec from "k6/execution";
import http, { type Params, type RefinedResponse } from "k6/http";
import type { Options } from "k6/options";
import { EVENT_FLOWS } from "../contracts/data.ts";
import { pathFor } from "../contracts/operations.ts";
import { isLoopback } from "../lib/safety.ts";
import { agentAt, type LoadPlan } from "./lib/plan.ts";

const plan = JSON.parse(__ENV.CCGW_PLAN ?? "{}") as LoadPlan;
// A benchmark baseline: no rate cap, no budget, no sign-out on abort. It runs against the embedded mock only.
if (!isLoopback(plan.baseUrl ?? "")) {
  throw new Error(`benchmark baselines run only against the embedded mock on loopback, not ${plan.baseUrl}`);
}
const mode = __ENV.CCGW_MIX ?? "sync";
if (!["sync", "async", "parse"].includes(mode))
  throw new Error(`CCGW_MIX must be sync, async or parse: ${mode}`);
const agents = Number(__ENV.CCGW_RAW_VUS ?? "200");
const seconds = Number(__ENV.CCGW_RAW_SECONDS ?? "20");
const perVu = mode === "sync" ? 1 : 50;

export const options: Options = {
  // As in the call-cycle scenario: every agent's connections stay open (see its note on batchPerHost).
  batch: 2 * perVu + 2,
  batchPerHost: 2 * perVu + 2,
  scenarios: {
    mix: {
      executor: "per-vu-iterations",
      vus: Math.ceil(agents / perVu),
      iterations: 1,
      maxDuration: `${seconds + 30}s`,
    },
  },
};

const flows = Object.entries(EVENT_FLOWS);
const lastOf = (steps: { event: string; alternatives?: string[] }[]) => {
  const last = steps[steps.length - 1];
  return last ? [last.event, ...(last.alternatives ?? [])] : [];
};
/** Events that end a callout: the terminal step of every callout flow. */
const TERMINAL = flows
  .filter(([id]) => id.startsWith("callout-"))
  .flatMap(([, f]) => f.steps.filter((s) => s.terminal).map((s) => s.event));
const TALKING = EVENT_FLOWS["callout-answered"]?.steps.find((s) => s.terminal)?.event ?? "";
/** The last event of each failed callout's flow, and of the release flow and of sign-in. */
const AFTER_FAILURE = flows
  .filter(([id]) => id.startsWith("callout-") && id !== "callout-answered")
  .flatMap(([, f]) => lastOf(f.steps));
const AFTER_RELEASE = lastOf(EVENT_FLOWS.release?.steps ?? []);
const AFTER_SIGN_IN = lastOf(EVENT_FLOWS["sign-in"]?.steps ?? []);

type Send = (
  method: string,
  url: string,
  body: string | null,
  params: Params,
) => Promise<RefinedResponse<"text">>;

const send: Send =
  mode === "sync"
    ? (method, url, body, params) => Promise.resolve(http.request(method, url, body, params))
    : (method, url, body, params) => http.asyncRequest(method, url, body, params);

/** The awaited event among `names` found in the answer, or undefined. */
function found(res: RefinedResponse<"text">, names: string[]): string | undefined {
  const text = typeof res.body === "string" ? res.body : "";
  if (mode === "parse") {
    let type: unknown;
    try {
      type = (JSON.parse(text) as { event?: { eventType?: unknown } | null }).event?.eventType;
    } catch {
      return undefined;
    }
    return typeof type === "string" && names.includes(type) ? type : undefined;
  }
  return names.find((n) => text.includes(`"${n}"`));
}

async function agentLoop(index: number, until: number): Promise<void> {
  const agent = agentAt(plan, index);
  const headers: Record<string, string> = { "Content-Type": "application/json; charset=UTF-8" };
  const params = (name: string): Params => ({ headers, tags: { name }, timeout: "30s" });
  const url = (op: Parameters<typeof pathFor>[0]) => plan.baseUrl + pathFor(op, agent.id);
  const poll = { url: url("getAgentEvent"), params: params("getAgentEvent") };
  const guidOf = (res: RefinedResponse<"text">) => {
    const raw = res.headers["Set-Guid"];
    if (raw) headers.Guid = raw.replace(/^JSESSIONID=/, "");
  };
  const pollUntil = async (names: string[]): Promise<string | undefined> => {
    // Bounded: an event that never comes ends this agent's cycle after 50 polls rather than the run.
    for (let i = 0; i < 50; i++) {
      const res = await send("GET", poll.url, null, poll.params);
      guidOf(res);
      const event = found(res, names);
      if (event) return event;
    }
    return undefined;
  };
  const body = JSON.stringify({ password: agent.password, phonenum: agent.phone });
  guidOf(await send("PUT", url("login"), body, params("login")));
  await pollUntil(AFTER_SIGN_IN);
  const callout = { url: url("callout"), params: params("callout") };
  const release = { url: url("release"), params: params("release") };
  for (let k = index; Date.now() < until; k++) {
    const called = plan.called[k % plan.called.length]?.number ?? "";
    await send(
      "PUT",
      callout.url,
      JSON.stringify({ called, callappdata: "0123456789ABCDEF" }),
      callout.params,
    );
    if ((await pollUntil(TERMINAL)) === TALKING) {
      await send("DELETE", release.url, null, release.params);
      await pollUntil(AFTER_RELEASE);
    } else await pollUntil(AFTER_FAILURE);
  }
  await send("DELETE", url("logout"), null, params("logout"));
}

export default async function (): Promise<void> {
  const from = (exec.vu.idInTest - 1) * perVu;
  const until = Date.now() + seconds * 1000;
  const loops: Promise<void>[] = [];
  for (let i = from; i < Math.min(agents, from + perVu); i++) loops.push(agentLoop(i, until));
  await Promise.all(loops);
}

export function handleSummary(data: unknown): Record<string, string> {
  return { [`${plan.reportDir}/summary.json`]: JSON.stringify(data, null, 2) };
}
