/**
 * Baseline for npm run bench:load: the least a k6 script can do against the same mock, i.e. sign agents in
 * once and then send callout + release in a tight synchronous loop per VU, with no parsing, validation, events
 * or custom metrics. The call-cycle scenario's request rate is compared with this one's.
 */
import exec from "k6/execution";
import http from "k6/http";
import type { Options } from "k6/options";
import { pathFor } from "../contracts/operations.ts";
import { isLoopback } from "../lib/safety.ts";
import { agentAt, type LoadPlan } from "./lib/plan.ts";

const plan = JSON.parse(__ENV.CCGW_PLAN ?? "{}") as LoadPlan;
// A benchmark baseline: no rate cap, no budget, no sign-out on abort. It runs against the embedded mock only.
if (!isLoopback(plan.baseUrl ?? "")) {
  throw new Error(`benchmark baselines run only against the embedded mock on loopback, not ${plan.baseUrl}`);
}
const vus = Number(__ENV.CCGW_RAW_VUS ?? "50");

export const options: Options = {
  scenarios: {
    raw: {
      executor: "constant-vus",
      vus,
      duration: `${Number(__ENV.CCGW_RAW_SECONDS ?? "20")}s`,
      gracefulStop: "5s",
    },
  },
  insecureSkipTLSVerify: false,
};

const headers: Record<string, string> = { "Content-Type": "application/json; charset=UTF-8" };
let urls: { callout: string; release: string } | undefined;

export default function (): void {
  if (!urls) {
    // One agent per VU, signed in on the VU's first iteration.
    const agent = agentAt(plan, exec.vu.idInTest - 1);
    const res = http.put(
      plan.baseUrl + pathFor("login", agent.id),
      JSON.stringify({ password: agent.password, phonenum: agent.phone }),
      { headers, tags: { name: "login" } },
    );
    headers.Guid = String(res.headers["Set-Guid"] ?? "").replace(/^JSESSIONID=/, "");
    urls = {
      callout: plan.baseUrl + pathFor("callout", agent.id),
      release: plan.baseUrl + pathFor("release", agent.id),
    };
  }
  const body = JSON.stringify({ called: plan.called[0]?.number ?? "" });
  http.put(urls.callout, body, { headers, tags: { name: "callout" } });
  http.del(urls.release, null, { headers, tags: { name: "release" } });
}

export function handleSummary(data: unknown): Record<string, string> {
  return { [`${plan.reportDir}/summary.json`]: JSON.stringify(data, null, 2) };
}
