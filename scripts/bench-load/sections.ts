/**
 * The figures of npm run bench:load, one function each: throughput and CPU per request of the call cycle beside
 * wrk, the most agents one machine holds signed in and polling, how faithfully the engine reports a known
 * latency distribution and a stall, and how close the capacity search comes to a known knee. Each runs the
 * engine in this process against a mock in its own process, so the two are measured apart.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { LoadSummary } from "../../contracts/index.ts";
import { runEngine } from "../../load/engine/engine.ts";
import { runCapacitySearch } from "../../load/engine/runner.ts";
import { makePlan } from "../../load/make-plan.ts";
import type { LoadPlan } from "../../load/plan.ts";
import { LOAD_PROFILES, type LoadProfile } from "../../load/profiles.ts";
import { clientFloor, type Floor } from "./client-floor.ts";
import { type MockProcess, type MockProcessOptions, startMockProcess } from "./mock-process.ts";
import { findWrk, wrkRate } from "./wrk.ts";

type Log = (line: string) => void;
const stat = (s: LoadSummary, name: string, v: string) => s.metrics[name]?.values[v];

/** Requests the mock has answered so far, all operations. */
async function answered(mock: MockProcess): Promise<number> {
  const res = await fetch(`${mock.profile.baseUrl}/__mock/stats`);
  const stats = (await res.json()) as { requests: Record<string, Record<string, number>> };
  return Object.values(stats.requests).reduce(
    (sum, byCode) => sum + Object.values(byCode).reduce((a, b) => a + b, 0),
    0,
  );
}

/** A plan on the bench mock: the smoke profile with the run's shape. */
function planOf(
  mock: MockProcess,
  dir: string,
  name: string,
  p: Partial<LoadProfile>,
  rate: number,
  seconds: number,
): LoadPlan {
  const profile: LoadProfile = { ...LOAD_PROFILES.smoke, name, contractSample: 0.1, ...p };
  const plan = makePlan(mock.profile, profile, {
    runId: name,
    reportDir: join(dir, name),
    pollWaitMs: mock.pollWaitMs,
  });
  return { ...plan, startRate: rate, stages: [{ rate, durationS: seconds }], terminalTimeoutMs: 10_000 };
}

/**
 * One share in one worker against the mock, no threshold stopping it, telling `onCalls` every 100 ms how many
 * callouts were answered so far: the benchmark acts on what the run did, not on when a timer fires.
 */
function runWatched(plan: LoadPlan, mock: MockProcess, startAt: number, onCalls: (calls: number) => void) {
  return runEngine({
    plan,
    profile: mock.profile,
    workers: 1,
    startAt,
    abortDelayS: 1e9,
    everyMs: 100,
    onProgress: ({ calls }) => onCalls(calls),
  });
}

async function withMock<T>(o: MockProcessOptions, body: (mock: MockProcess) => Promise<T>): Promise<T> {
  const mock = await startMockProcess(o);
  try {
    return await body(mock);
  } finally {
    await mock.close();
  }
}

export interface Throughput {
  engine: {
    offered: number;
    requestsPerSecond: number;
    calloutsPerSecond: number;
    cpuUsPerRequest: number;
    mockCpuUsPerRequest: number;
  }[];
  best: { offered: number; requestsPerSecond: number; cpuUsPerRequest: number };
  /** lib/gateway's client alone, callout + release in a loop: what the engine's cost sits on. */
  floor: Floor;
  wrk?: { requestsPerSecond: number };
  ratio?: number;
  wrkSkipped?: string;
}

/** (1, 2) The call cycle at each offered rate (the best kept), then wrk on a fresh mock of the same shape. */
export async function throughput(
  dir: string,
  o: { offered: number[]; seconds: number; agents: number; install: boolean },
  log: Log,
): Promise<Throughput> {
  const engine: Throughput["engine"] = [];
  for (const offered of o.offered) {
    const figures = await withMock({ agents: o.agents, dir, pollWaitMs: 1000 }, async (mock) => {
      const plan = planOf(
        mock,
        dir,
        `cycle-${offered}`,
        { agents: o.agents, signInS: 1, talkMs: 0, drainMs: 2000 },
        offered,
        o.seconds,
      );
      const startAt = Date.now() + 300;
      // The window is the schedule's length from the run's first answered callout (by the run's own count, so a
      // busy machine that starts the schedule late moves the window with it): sign-in is not the call cycle.
      const mark = async (at: number) => {
        await new Promise((r) => setTimeout(r, at - Date.now()));
        return { requests: await answered(mock), cpuUs: cpu(), mockMs: mock.cpuMs(), at: Date.now() };
      };
      let marks: Promise<[Awaited<ReturnType<typeof mark>>, Awaited<ReturnType<typeof mark>>]> | undefined;
      const result = await runWatched(plan, mock, startAt, (calls) => {
        if (!marks && calls > 0) marks = Promise.all([mark(Date.now()), mark(Date.now() + o.seconds * 1000)]);
      });
      if (!marks) throw new Error(`no callout was answered at ${offered} calls/s offered`);
      const [window, done] = await marks;
      const requests = done.requests - window.requests;
      const seconds = (done.at - window.at) / 1000;
      return {
        offered,
        requestsPerSecond: Math.round(requests / seconds),
        calloutsPerSecond: Math.round((stat(result.summary, "ccgw_callouts", "count") ?? 0) / o.seconds),
        cpuUsPerRequest: Math.round((done.cpuUs - window.cpuUs) / requests),
        mockCpuUsPerRequest: Math.round(((done.mockMs - window.mockMs) * 1000) / requests),
      };
    });
    log(
      `call cycle at ${offered} calls/s offered: ${figures.requestsPerSecond} req/s, ${figures.cpuUsPerRequest} µs CPU/request`,
    );
    engine.push(figures);
  }
  const best = engine.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
  const floor = await withMock({ agents: o.agents, dir, pollWaitMs: 1000 }, (mock) =>
    clientFloor(mock.profile, { agents: Math.min(50, o.agents), seconds: o.seconds }),
  );
  log(
    `client floor (callout + release, no agent logic): ${floor.requestsPerSecond} req/s, ${floor.cpuUsPerRequest} µs CPU/request`,
  );
  const out: Throughput = {
    engine,
    best: {
      offered: best.offered,
      requestsPerSecond: best.requestsPerSecond,
      cpuUsPerRequest: best.cpuUsPerRequest,
    },
    floor,
  };
  const wrk = findWrk(log, o.install);
  if ("skipped" in wrk) {
    log(`wrk row skipped: ${wrk.skipped}`);
    return { ...out, wrkSkipped: wrk.skipped };
  }
  const rate = await withMock({ agents: o.agents, dir, pollWaitMs: 1000 }, (mock) =>
    wrkRate(wrk.path, mock.profile, {
      agents: o.agents,
      connections: Math.min(64, o.agents),
      seconds: o.seconds,
      dir,
    }),
  );
  log(`wrk callout+release: ${Math.round(rate.requestsPerSecond)} req/s`);
  const wrkRps = Math.round(rate.requestsPerSecond);
  return {
    ...out,
    wrk: { requestsPerSecond: wrkRps },
    ratio: Math.round((best.requestsPerSecond / wrkRps) * 100) / 100,
  };
}

/** CPU time of this process (every thread), µs. */
function cpu(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Raises this process's open-file limit (root may raise the hard limit too); returns the limit in force. */
function raiseFileLimit(wanted: number, log: Log): number {
  try {
    execFileSync("prlimit", ["--pid", String(process.pid), `--nofile=${wanted}:${wanted}`], {
      stdio: "ignore",
    });
  } catch {
    log(`could not raise the open-file limit to ${wanted} (not root?); keeping the current one`);
  }
  const limits = readFileSync("/proc/self/limits", "utf8");
  return Number(/^Max open files\s+(\d+)/m.exec(limits)?.[1] ?? 1024);
}

export interface Scale {
  /** Agents asked for. */
  asked: number;
  /** Agents run: fewer when this machine's open-file limit cannot hold a socket per agent. */
  agents: number;
  limitedBy?: string;
  signedIn: number;
  signInFailures: number;
  pollGapP95Ms?: number;
  rssMb: number;
  fileLimit: number;
}

/** (3) `agents` agents signed in and polling (a trickle of calls), mock included; peak RSS of this process. */
export async function scale(dir: string, agents: number, log: Log): Promise<Scale> {
  // Two sockets per agent on this machine (ours and the mock's), and the files of both processes.
  const asked = agents;
  const fileLimit = raiseFileLimit(Math.max(65_536, asked + 10_000), log);
  // Each process holds a socket per agent (its poll) and some more while agents sign in and call: 25% headroom.
  const fit = Math.floor(fileLimit / 1.25);
  const limitedBy =
    fit < asked
      ? `the open-file limit of this machine is ${fileLimit} per process (raising it needs CAP_SYS_RESOURCE), and the mock and the engine each hold a socket per agent`
      : undefined;
  if (limitedBy) log(`scale: ${asked} agents do not fit: ${limitedBy}; running ${fit}`);
  agents = Math.min(asked, fit);
  return withMock({ agents, dir, timing: "brisk" }, async (mock) => {
    const plan = planOf(mock, dir, "scale", { agents, signInS: 40, talkMs: 1000, drainMs: 3000 }, 5, 40);
    let peakRss = 0;
    const sampler = setInterval(() => {
      // Reading the RSS opens a file: at the open-file limit that fails, and the sample is skipped.
      try {
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
      } catch {}
    }, 250);
    let signedIn = 0;
    const watcher = setInterval(async () => {
      const res = await fetch(`${mock.profile.baseUrl}/__mock/stats`).catch(() => undefined);
      const stats = (await res?.json().catch(() => undefined)) as { agentsSignedIn?: number } | undefined;
      signedIn = Math.max(signedIn, stats?.agentsSignedIn ?? 0);
    }, 2000);
    try {
      log(`scale: ${agents} agents signing in over ${plan.signInS} s, then ${scheduleOf(plan)} s of calls`);
      const { summary } = await runEngine({
        plan,
        profile: mock.profile,
        workers: 2,
        abortDelayS: 1e9,
      });
      const failures = stat(summary, "ccgw_sign_in_failures", "count") ?? 0;
      const gap = stat(summary, "ccgw_poll_gap", "p(95)");
      return {
        asked,
        agents,
        ...(limitedBy ? { limitedBy } : {}),
        signedIn,
        signInFailures: failures,
        ...(gap !== undefined ? { pollGapP95Ms: gap } : {}),
        rssMb: Math.round(peakRss / 2 ** 20),
        fileLimit,
      };
    } finally {
      clearInterval(sampler);
      clearInterval(watcher);
    }
  });
}

const scheduleOf = (plan: LoadPlan) => plan.stages.reduce((s, x) => s + x.durationS, 0);

export interface Fidelity {
  injected: { median: number; sigma: number; p50: number; p95: number; p99: number };
  reported: { p50: number; p95: number; p99: number };
  deviation: { p50: number; p95: number; p99: number };
  stall: { ms: number; p99: number; p99Intended: number; max: number };
}

/** (4) A lognormal callout latency injected in the mock, then the same with a stall of the mock mid-run. */
export async function fidelity(
  dir: string,
  o: { rate: number; seconds: number },
  log: Log,
): Promise<Fidelity> {
  const median = 50;
  const sigma = 0.4;
  const q = (z: number) => median * Math.exp(sigma * z);
  const injected = { median, sigma, p50: q(0), p95: q(1.6449), p99: q(2.3263) };
  const faults = { latency: { callout: { kind: "lognormal" as const, median, sigma } } };
  const run = (name: string, stallMs: number) =>
    withMock({ agents: 400, dir, faults, pollWaitMs: 1000 }, async (mock) => {
      const plan = planOf(
        mock,
        dir,
        name,
        { agents: 400, signInS: 1, talkMs: 100, drainMs: 2000 },
        o.rate,
        o.seconds,
      );
      const startAt = Date.now() + 300;
      // The mock stops once a third of the schedule's callouts are answered (by the run's own count, not by a
      // timer that a busy machine could fire after the schedule): the rest are sent into the stall.
      const third = Math.ceil((o.rate * o.seconds) / 3);
      let stalling: Promise<void> | undefined;
      const { summary } = await runWatched(plan, mock, startAt, (calls) => {
        if (stallMs > 0 && !stalling && calls >= third) stalling = mock.stall(stallMs);
      });
      await stalling;
      return summary;
    });
  log(
    `fidelity: lognormal callout latency (median ${median} ms, sigma ${sigma}), ${o.rate} calls/s for ${o.seconds} s`,
  );
  const clean = await run("fidelity", 0);
  const p = (s: LoadSummary, v: string, name = "ccgw_callout_duration") => stat(s, name, v) ?? Number.NaN;
  const reported = { p50: p(clean, "med"), p95: p(clean, "p(95)"), p99: p(clean, "p(99)") };
  const dev = (a: number, b: number) => Math.round(((a - b) / b) * 1000) / 10;
  log("fidelity: the same with the mock stopped for 2 s mid-run");
  const stalled = await run("fidelity-stall", 2000);
  return {
    injected,
    reported,
    deviation: {
      p50: dev(reported.p50, injected.p50),
      p95: dev(reported.p95, injected.p95),
      p99: dev(reported.p99, injected.p99),
    },
    stall: {
      ms: 2000,
      p99: p(stalled, "p(99)"),
      p99Intended: p(stalled, "p(99)", "ccgw_callout_duration_intended"),
      max: p(stalled, "max"),
    },
  };
}

export interface Knee {
  knee: number;
  sustainable: number;
  deviationPct: number;
  steps: number;
}

/** (5) The capacity search against a mock refusing callouts beyond `knee` per second. */
export async function capacity(dir: string, knee: number, log: Log): Promise<Knee> {
  return withMock(
    {
      agents: 300,
      dir,
      timing: "brisk",
      pollWaitMs: 1000,
      capacity: { maxCallsPerSecond: knee, burstSeconds: 0.1 },
    },
    async (mock) => {
      const profile = LOAD_PROFILES.capacity;
      const plan = makePlan(mock.profile, profile, {
        runId: "capacity",
        reportDir: join(dir, "capacity"),
        agents: 300,
        pollWaitMs: mock.pollWaitMs,
        terminalTimeoutMs: 10_000,
      });
      const search = {
        ...(profile.capacity ?? { factor: 1.5, maxRate: 400, resolution: 0.05, startRate: 5, stepS: 5 }),
        startRate: knee / 2,
        stepS: 5,
      };
      const result = await runCapacitySearch(plan, mock.profile, search, { quiet: true, workers: 1, log });
      if (!result) throw new Error("the capacity search was interrupted");
      const deviationPct = Math.round(((result.sustainable - knee) / knee) * 1000) / 10;
      return { knee, sustainable: result.sustainable, deviationPct, steps: result.curve.length };
    },
  );
}
