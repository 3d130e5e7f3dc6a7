/**
 * npm run bench:load: figures of the load harness itself on this machine, against one embedded mock (HTTP, fast
 * timing) started for the whole run. (1) Requests per second of the call-cycle scenario against a raw k6 script
 * that only sends callout + release (ratio; target >= 0.8). (2) k6 memory per simulated agent. (3) Whether
 * 10,000 signed-in, polling agents fit on this machine with the mock.
 */
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command, CommanderError } from "commander";
import { EXIT } from "../lib/errors.ts";
import type { LoadPlan } from "../load/lib/plan.ts";
import { buildBundles } from "../load/node/build.ts";
import { k6Env, makePlan, readSummary, runK6 } from "../load/node/run.ts";
import { LOAD_PROFILES, type LoadProfile } from "../load/profiles.ts";
import { mockProfile, startGateway } from "../mock/index.ts";
import { positive } from "./cli-args.ts";
import { ensureK6 } from "./k6-build.ts";

const program = new Command("bench:load")
  .description("Benchmark the k6 load harness against the embedded mock (prints figures; --json for JSON).")
  .option("--seconds <n>", "length of each throughput run", positive("--seconds", true), 20)
  .option("--agents <n>", "agents for the 'most agents' run", positive("--agents", true), 10000)
  .option("--throughput-only", "run only the throughput comparison")
  .option(
    "--offered <n>",
    "call attempts per second offered to the call-cycle scenario",
    positive("--offered", true),
    800,
  )
  .option("--json", "print the figures as JSON")
  .exitOverride();

/** Highest VmRSS (kB) and CPU time (ms) of a process, sampled every 250 ms until it exits. */
function watchRss(pid: number): { stop: () => { rssKb: number; cpuMs: number } } {
  let peak = 0;
  let cpuMs = 0;
  const sample = () => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      peak = Math.max(peak, kb);
      // utime and stime are fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second on Linux).
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      cpuMs = (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 10;
    } catch {
      // The process has exited.
    }
  };
  const timer = setInterval(sample, 250);
  return {
    stop: () => {
      clearInterval(timer);
      return { rssKb: peak, cpuMs };
    },
  };
}

async function main(argv: string[]): Promise<number> {
  program.parse(argv);
  const o = program.opts<{
    seconds: number;
    agents: number;
    offered: number;
    json?: boolean;
    throughputOnly?: boolean;
  }>();
  const log = (line: string) => process.stderr.write(`bench:load: ${line}\n`);
  const k6 = ensureK6(log);
  const gw = await startGateway({ tls: false, timing: "fast", quiet: true });
  const target = mockProfile(gw);
  const work = mkdtempSync(join(tmpdir(), "ccgw-bench-load-"));
  const bundles = await buildBundles(gw.options.edition);
  const cycle = bundles["call-cycle"];
  const raw = bundles["callout-raw"];
  if (!cycle || !raw) throw new Error("bundles missing");
  const base: LoadProfile = { ...LOAD_PROFILES.smoke, name: "bench", contractSample: 0.1 };
  // Thresholds are off in the benchmark: saturation (dropped attempts) is the point, not a failure.
  const noThresholds = ["--no-thresholds"];

  const run = async (name: string, bundle: string, plan: LoadPlan, extra: NodeJS.ProcessEnv = {}) => {
    // k6 writes handleSummary files but does not create their directory.
    mkdirSync(plan.reportDir, { recursive: true });
    let watch: ReturnType<typeof watchRss> | undefined;
    const mockCpu = process.cpuUsage();
    const code = await runK6(
      k6,
      bundle,
      { ...k6Env(plan, target), ...extra },
      noThresholds,
      name,
      !process.env.CCGW_BENCH_VERBOSE,
      (pid) => {
        watch = watchRss(pid);
      },
    );
    const { rssKb, cpuMs } = watch?.stop() ?? { rssKb: 0, cpuMs: 0 };
    const mock = process.cpuUsage(mockCpu);
    if (code !== 0) throw new Error(`${name}: k6 exited with ${code}`);
    await gw.admin("POST /reset");
    const summary = readSummary(plan.reportDir);
    const requests = summary.metrics.http_reqs?.values.count ?? 1;
    // CPU per request of each side: who limits the rate (the two share this machine's cores).
    const k6UsPerReq = Math.round((cpuMs * 1000) / requests);
    const mockUsPerReq = Math.round((mock.user + mock.system) / requests);
    log(
      `${name}: ${requests} requests, k6 ${k6UsPerReq} µs CPU/request, mock ${mockUsPerReq} µs CPU/request`,
    );
    return { summary, rssKb, k6UsPerReq, mockUsPerReq };
  };
  const planFor = (
    name: string,
    profile: Partial<LoadProfile>,
    overrides: Partial<LoadPlan> = {},
  ): LoadPlan => ({
    ...makePlan(target, { ...base, ...profile }, { runId: name, reportDir: join(work, name) }),
    ...overrides,
  });

  try {
    // (1) Throughput: both saturate the same mock. NOTE: the call cycle must be offered at least what it can
    // place, or its figure is just the offered rate: 200 agents at 600 attempts/s placed every attempt with the
    // two cores 70% busy (measured 2025-11-24); 400 agents at 800/s are at the knee (a few drops at most).
    log(`throughput: call-cycle scenario, ${o.seconds} s`);
    const cyclePlan = planFor(
      "cycle",
      { agents: 400, agentsPerVu: 50, signInS: 1, talkMs: 0, drainMs: 2000 },
      { startRate: o.offered, stages: [{ rate: o.offered, durationS: o.seconds }] },
    );
    const cycleRun = await run("cycle", cycle, cyclePlan);
    log(`throughput: raw callout script, ${o.seconds} s`);
    const rawPlan = planFor("raw", { agents: 200 });
    const rawRun = await run("raw", raw, rawPlan, {
      CCGW_RAW_VUS: "50",
      CCGW_RAW_SECONDS: String(o.seconds),
    });
    const reqs = (s: ReturnType<typeof readSummary>) => s.metrics.http_reqs?.values.rate ?? 0;
    const cycleRps = reqs(cycleRun.summary);
    const rawRps = reqs(rawRun.summary);
    const callouts = cycleRun.summary.metrics.ccgw_callouts?.values.rate ?? 0;

    if (o.throughputOnly) {
      const ratio = Math.round((cycleRps / rawRps) * 100) / 100;
      process.stdout.write(
        `call-cycle ${Math.round(cycleRps)} req/s (${Math.round(callouts)} callouts/s), raw ${Math.round(rawRps)} req/s, ratio ${ratio}\n`,
      );
      return EXIT.PASS;
    }
    // (2) Memory per agent: idle agents (a trickle of calls) at two sizes; the difference per added agent.
    const idle = (n: number) =>
      planFor(
        `idle-${n}`,
        { agents: n, agentsPerVu: 500, signInS: 5, talkMs: 200, drainMs: 2000 },
        {
          startRate: 1,
          stages: [{ rate: 1, durationS: 15 }],
        },
      );
    log("memory: 500 idle agents");
    const small = await run("idle-500", cycle, idle(500));
    log("memory: 3000 idle agents");
    const large = await run("idle-3000", cycle, idle(3000));
    const perAgentKb = (large.rssKb - small.rssKb) / 2500;

    // (3) The most agents: all signed in and polling for the whole schedule, mock in this same machine.
    log(`capacity of one machine: ${o.agents} agents`);
    let peakSignedIn = 0;
    const statsTimer = setInterval(() => {
      gw.admin("/stats").then(
        (s) => {
          peakSignedIn = Math.max(peakSignedIn, (s as { agentsSignedIn?: number }).agentsSignedIn ?? 0);
        },
        () => undefined,
      );
    }, 1000);
    const manyPlan = planFor(
      "many",
      { agents: o.agents, agentsPerVu: 500, signInS: 30, talkMs: 1000, drainMs: 3000 },
      { startRate: 5, stages: [{ rate: 5, durationS: 40 }] },
    );
    const many = await run("many", cycle, manyPlan);
    clearInterval(statsTimer);
    const mm = many.summary.metrics;
    const figures = {
      callCycleRequestsPerSecond: Math.round(cycleRps),
      callCycleCalloutsPerSecond: Math.round(callouts),
      rawRequestsPerSecond: Math.round(rawRps),
      ratio: Math.round((cycleRps / rawRps) * 100) / 100,
      cpuPerRequestUs: {
        callCycle: { k6: cycleRun.k6UsPerReq, mock: cycleRun.mockUsPerReq },
        raw: { k6: rawRun.k6UsPerReq, mock: rawRun.mockUsPerReq },
      },
      k6RssKb: { agents500: small.rssKb, agents3000: large.rssKb, agentsMany: many.rssKb },
      memoryPerAgentKb: Math.round(perAgentKb * 10) / 10,
      manyAgents: {
        planned: o.agents,
        peakSignedIn,
        signInFailures: mm.ccgw_sign_in_failures?.values.count ?? 0,
        pollGapP95Ms: mm.ccgw_poll_gap?.values["p(95)"],
        calls: mm.ccgw_callouts?.values.count ?? 0,
        lost: mm.ccgw_calls_lost?.values.count ?? 0,
      },
    };
    if (o.json) process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    else {
      process.stdout.write(
        `${[
          `call-cycle: ${figures.callCycleRequestsPerSecond} req/s (${figures.callCycleCalloutsPerSecond} callouts/s); raw callout script: ${figures.rawRequestsPerSecond} req/s; ratio ${figures.ratio} (target >= 0.8)`,
          `k6 RSS: ${small.rssKb} kB with 500 agents, ${large.rssKb} kB with 3000 → ${figures.memoryPerAgentKb} kB per agent`,
          `${o.agents} agents: peak signed in ${peakSignedIn}, sign-in failures ${figures.manyAgents.signInFailures}, poll gap p95 ${Math.round(figures.manyAgents.pollGapP95Ms ?? 0)} ms, k6 RSS ${many.rssKb} kB`,
        ].join("\n")}\n`,
      );
    }
    return EXIT.PASS;
  } finally {
    await gw.close();
  }
}

main(process.argv).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? EXIT.PASS : EXIT.USAGE);
    process.stderr.write(`bench:load: ${(error as Error).message}\n`);
    process.exit(EXIT.FAIL);
  },
);
