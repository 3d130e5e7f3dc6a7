/**
 * Node side of a load run: turns a target profile and a load profile into a plan, starts k6 on a bundle (one
 * instance or N instances with execution segments), merges segmented summaries, and signs left-over agents out
 * after an aborted run.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sweepSignOut } from "../../lib/gateway/preflight.ts";
import type { TargetProfile } from "../../lib/target-profile.ts";
import { profileAuthMode, profileEdition } from "../../lib/target-profile.ts";
import { agentAt, agentPoolSize, type LoadPlan, peakRate, scheduleSeconds } from "../lib/plan.ts";
import type { LoadProfile } from "../profiles.ts";

/** Options a caller may change on top of the load profile. */
export interface PlanOverrides {
  runId: string;
  reportDir: string;
  /** Shorten or lengthen the schedule to this many seconds (stages scaled proportionally). */
  durationS?: number;
  /** Replace the schedule with one constant rate. */
  rate?: number;
  agents?: number;
  agentsPerVu?: number;
  contractSample?: number;
  seed?: number;
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
    agentsPerVu: Math.min(o.agentsPerVu ?? profile.agentsPerVu, Math.max(1, agentCount)),
    called: target.called.map((c) => (typeof c === "string" ? { number: c } : { ...c })),
    ...(target.caller !== undefined ? { caller: target.caller } : {}),
    ...(target.skillId !== undefined ? { skillId: target.skillId } : {}),
    ...(target.maxCallsPerSecond !== undefined ? { maxCallsPerSecond: target.maxCallsPerSecond } : {}),
    ...(target.maxTotalCalls !== undefined ? { maxTotalCalls: target.maxTotalCalls } : {}),
    startRate,
    stages,
    signInS: profile.signInS,
    talkMs: profile.talkMs,
    // A lab call can ring ~30 s before the platform gives up; the deadline sits above that.
    terminalTimeoutMs: o.terminalTimeoutMs ?? 45000,
    readyTimeoutMs: 10000,
    settleMs: 500,
    pollPauseMs: 200,
    pollTimeoutMs: pollWaitMs + 5000,
    drainMs: profile.drainMs,
    slo: { ...profile.slo },
    contractSample: o.contractSample ?? profile.contractSample,
    seed: o.seed ?? 1,
    reportDir: o.reportDir,
    // Only when the target profile asks for it (tls.insecure); scripts/load.ts warns on every such run.
    insecureTls: target.tls?.insecure === true,
  };
}

/** Environment for a k6 process: the plan, TLS trust, the dashboard export. Secrets travel in env, not argv. */
export function k6Env(
  plan: LoadPlan,
  target: TargetProfile,
  extra: { dashboard?: string; caFile?: string } = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CCGW_PLAN: JSON.stringify(plan),
    K6_NO_USAGE_REPORT: "true",
  };
  // k6 has no per-request CA option. Go reads SSL_CERT_FILE as the trusted root set, so the profile's CA (or the
  // embedded mock's generated CA) is trusted and certificates are still verified.
  const caFile = extra.caFile ?? target.tls?.caFile;
  if (caFile) env.SSL_CERT_FILE = caFile;
  if (extra.dashboard) {
    env.K6_WEB_DASHBOARD = "true";
    env.K6_WEB_DASHBOARD_EXPORT = extra.dashboard;
    // No listening dashboard server: parallel instances would fight for its port; only the export is wanted.
    env.K6_WEB_DASHBOARD_PORT = "-1";
    // The default 10 s aggregation period leaves a short run (smoke) with no data points and no report.
    env.K6_WEB_DASHBOARD_PERIOD = "1s";
  }
  return env;
}

export interface K6Result {
  code: number;
  reportDir: string;
}

/** Runs one k6 process and resolves with its exit code; output is passed through with a prefix. */
export function runK6(
  k6: string,
  bundle: string,
  env: NodeJS.ProcessEnv,
  args: string[] = [],
  label = "k6",
  quiet = false,
  onStart?: (pid: number) => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    // `--address ""` switches k6's REST API server off: nothing here uses it, and segmented instances started
    // together would otherwise compete for its port (6565).
    const child = spawn(k6, ["run", "--quiet", "--address", "", ...args, bundle], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const forward = (stream: NodeJS.ReadableStream, out: NodeJS.WriteStream) => {
      let buffer = "";
      stream.on("data", (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split("\n");
        buffer = lines.pop() ?? "";
        if (!quiet) for (const line of lines) out.write(`[${label}] ${line}\n`);
      });
    };
    if (child.pid !== undefined) onStart?.(child.pid);
    forward(child.stdout, process.stdout);
    forward(child.stderr, process.stderr);
    const stop = () => child.kill("SIGINT");
    process.once("SIGINT", stop);
    child.on("error", reject);
    child.on("close", (code) => {
      process.off("SIGINT", stop);
      resolve(code ?? 1);
    });
  });
}

/** Execution segments for N instances: ["0:1/N", "1/N:2/N", …] and their sequence. */
export function segments(n: number): { segments: string[]; sequence: string } {
  const points = Array.from({ length: n + 1 }, (_, i) => (i === 0 ? "0" : i === n ? "1" : `${i}/${n}`));
  return {
    segments: points.slice(0, -1).map((p, i) => `${p}:${points[i + 1]}`),
    sequence: points.join(","),
  };
}

/** Reads a summary.json written by handleSummary. */
export function readSummary(dir: string): K6Summary {
  return JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as K6Summary;
}

export interface K6Summary {
  metrics: Record<string, { type: string; values: Record<string, number> }>;
  state?: { testRunDurationMs?: number };
}

/** Sums the counters of several instances' summaries (the figures that must add up to one run). */
export function mergedCounts(summaries: K6Summary[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of summaries) {
    for (const [name, metric] of Object.entries(s.metrics)) {
      if (metric.type === "counter") out[name] = (out[name] ?? 0) + (metric.values.count ?? 0);
    }
  }
  return out;
}

/** Report directory of a run (created). */
export function reportDirFor(root: string, runId: string): string {
  const dir = join(root, runId);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Plan figures for the dry run and the cap check. */
export function planFigures(plan: LoadPlan) {
  return {
    peak: peakRate(plan),
    seconds: scheduleSeconds(plan),
  };
}

/**
 * Signs out every agent of a plan that is still signed in (after an aborted run), with lib/gateway's sweep (a
 * forced sign-in only where the profile allows it); returns how many were signed out.
 */
export async function signOutAll(plan: LoadPlan, profile: TargetProfile): Promise<number> {
  const count = Math.min(plan.agentCount, agentPoolSize(plan));
  const agents = Array.from({ length: count }, (_, i) => agentAt(plan, i));
  const { signedOut } = await sweepSignOut(profile, agents, { timeoutMs: 10_000, concurrency: 16 });
  return signedOut;
}
