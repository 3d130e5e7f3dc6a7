/**
 * npm run load: runs a load profile on the engine (load/engine/) against a target profile, or against the
 * embedded mock it starts itself; checks the plan against the profile's caps first, and writes summary.json,
 * junit.xml, series.json and the run's index.html into reports/<run-id>/. Also merges the segments of a split
 * run, writes the Kubernetes Job of one, and signs left-over agents out.
 */
import { mkdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { EXIT, HarnessError } from "../lib/errors.ts";
import { type RunRecord, writeReport } from "../lib/report/page/index.ts";
import { writeRunFile } from "../lib/report/run-files.ts";
import { assertPlanWithinCaps, formatPlan, policyFromProfile, type RunPlan } from "../lib/safety.ts";
import {
  isLoopback,
  loadTargetProfile,
  profileAuthMode,
  profileEdition,
  profileSecrets,
  type TargetProfile,
} from "../lib/target-profile.ts";
import { formatCurve } from "../load/capacity.ts";
import { type EngineResult, mergeResults, type Segment } from "../load/engine/engine.ts";
import { type RunOptions, runCapacitySearch, runWithProgress, signOutAll } from "../load/engine/runner.ts";
import { makePlan } from "../load/make-plan.ts";
import { expectedAttempts, type LoadPlan, peakRate, type Slo, scheduleSeconds } from "../load/plan.ts";
import { isLoadProfileName, LOAD_PROFILES, type LoadProfile } from "../load/profiles.ts";
import { mockProfile, type RunningGateway, startGateway } from "../mock/index.ts";
import { positive, SLO_NAMES, segmentValue, sloValue, startAtValue } from "./cli-args.ts";
import { exitWith } from "./cli-exit.ts";
import { untilInterrupted } from "./interrupt.ts";
import { writeEngineManifest } from "./load/manifest.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

interface Flags {
  profile: string;
  quiet?: boolean;
  workers?: number;
  segment?: Segment;
  startAt?: number;
  metricsPort?: number;
  segments: number;
  target?: string;
  image?: string;
  resultsClaim?: string;
  reportDir?: string;
  runId?: string;
  yes?: boolean;
  dryRun?: boolean;
  signOut?: boolean;
  k8sManifest?: string;
  duration?: number;
  rate?: number;
  agents?: number;
  contractSample?: number;
  stepDuration?: number;
  startRate?: number;
  resolution?: number;
  mockCapacity?: number;
  mockBurst?: number;
  mockHttp?: boolean;
  mockTiming?: "brisk" | "realistic";
  seed: number;
  merge?: string[];
  slo?: Partial<Slo>;
}

const program = new Command("load")
  .description(
    "Run a load profile (smoke, load, stress, spike, soak, capacity) against a target profile, or against the " +
      "embedded mock when no --target is given. Exit codes: 0 pass, 1 a threshold broke, 2 usage or " +
      "configuration, 130 interrupted (every agent signed out first).",
  )
  .option("--target <profile.json>", "target profile (default: start the embedded mock)")
  .option("--profile <name>", `load profile: ${Object.keys(LOAD_PROFILES).join(", ")}`, "smoke")
  .option("--report-dir <dir>", "where the run's files go (default reports/<run-id>)")
  .option("--run-id <id>", "run id (default: load-<profile>-<timestamp>)")
  .option("--yes", "do not ask before loading a non-loopback target")
  .option("--dry-run", "print the plan and send nothing")
  .option("--sign-out", "only sign out every agent of the plan (after an aborted split run), then exit")
  .option("--duration <s>", "scale the schedule to this many seconds", positive("--duration"))
  .option("--rate <n>", "replace the schedule with one constant rate (calls/s)", positive("--rate"))
  .option("--agents <n>", "agents to sign in (default: the profile's)", positive("--agents", true))
  .option("--contract-sample <f>", "fraction of responses and events validated against the contracts", Number)
  .option(
    "--workers <n>",
    "worker threads (default: one per core, less one for the embedded mock)",
    positive("--workers", true),
  )
  .option("--step-duration <s>", "capacity: seconds per step", positive("--step-duration"))
  .option("--start-rate <n>", "capacity: rate of the first step (calls/s)", positive("--start-rate"))
  .option(
    "--resolution <f>",
    "capacity: the search ends when the bracket is narrower than this share of the passing rate (default 0.05)",
    positive("--resolution"),
  )
  .option("--segment <i/N>", "run segment i (0-based) of a run split into N (disjoint agents)", segmentValue)
  .option("--start-at <time>", "when every segment starts signing in (ISO time or epoch ms)", startAtValue)
  .option("--merge <dirs...>", "merge the result.json of every segment into one report in --report-dir")
  .option("--metrics-port <n>", "serve live metrics (Prometheus) on this port while the run lasts", Number)
  .option("--k8s-manifest <file>", "write the Kubernetes Indexed Job of a split run instead of running")
  .option("--segments <n>", "--k8s-manifest: segments (pods) of the run", positive("--segments", true), 1)
  .option("--image <ref>", "--k8s-manifest: the image with this project (npm ci done, in /app)")
  .option("--results-claim <name>", "--k8s-manifest: the ReadWriteMany claim for results", "ccgw-results")
  .option("--mock-capacity <n>", "embedded mock: most callouts per second", positive("--mock-capacity"))
  .option("--mock-burst <s>", "embedded mock: burst, in seconds of --mock-capacity", positive("--mock-burst"))
  .option("--mock-http", "embedded mock: plain HTTP instead of HTTPS")
  .option(
    "--mock-timing <t>",
    "embedded mock: brisk or realistic call timing (default: brisk for smoke/capacity)",
  )
  .option(
    "--slo <name=value>",
    `replace a service level of the load profile (repeatable): ${SLO_NAMES.join(", ")}`,
    sloValue,
  )
  .option("--seed <n>", "seed of the mock and the run's data", positive("--seed", true), 1)
  .option("--quiet", "no progress line and no summary (the main job prints its own)")
  .exitOverride();

/** Refuses flag combinations that cannot mean anything, naming the flags. */
function checkFlags(flags: Flags, profile: LoadProfile): void {
  if (flags.contractSample !== undefined && !(flags.contractSample >= 0 && flags.contractSample <= 1)) {
    throw new HarnessError("CCGW_USAGE", "--contract-sample must be between 0 and 1");
  }
  if (flags.mockTiming && flags.mockTiming !== "brisk" && flags.mockTiming !== "realistic") {
    throw new HarnessError("CCGW_USAGE", "--mock-timing must be brisk or realistic");
  }
  if ((flags.stepDuration || flags.startRate || flags.resolution) && !profile.capacity) {
    throw new HarnessError(
      "CCGW_USAGE",
      "--step-duration, --start-rate and --resolution apply to the capacity profile only",
    );
  }
  if (flags.mockBurst && (!flags.mockCapacity || flags.target)) {
    throw new HarnessError("CCGW_USAGE", "--mock-burst needs --mock-capacity (and the embedded mock)");
  }
  if (flags.metricsPort !== undefined && !(Number.isInteger(flags.metricsPort) && flags.metricsPort >= 0)) {
    throw new HarnessError("CCGW_USAGE", "--metrics-port must be a port number (0 for any free one)");
  }
}

/** The embedded mock, started for this run (or a stand-in profile when nothing will be sent). */
async function embeddedTarget(
  flags: Flags,
  profile: LoadProfile,
  log: (line: string) => void,
): Promise<{ target: TargetProfile; gw?: RunningGateway }> {
  if (flags.dryRun || flags.k8sManifest) {
    const target = {
      name: "embedded mock",
      baseUrl: "https://127.0.0.1:0",
      called: [{ number: "4000001", outcome: "answered" }],
      agentRange: { from: 1001, count: 20000, password: "", phoneFrom: 700001 },
    } as unknown as TargetProfile;
    return { target };
  }
  const timing =
    flags.mockTiming ?? (profile.name === "smoke" || profile.name === "capacity" ? "brisk" : "realistic");
  const burst = flags.mockBurst ? { burstSeconds: flags.mockBurst } : {};
  const gw = await startGateway({
    tls: !flags.mockHttp,
    seed: flags.seed,
    timing,
    ...(flags.mockCapacity ? { capacity: { maxCallsPerSecond: flags.mockCapacity, ...burst } } : {}),
  });
  log(`embedded mock at ${gw.url} (${gw.caFile ? "HTTPS" : "HTTP"}, ${timing} timing)`);
  return { target: mockProfile(gw), gw };
}

/** The run's figures for the cap check and the dry run. */
function runPlanOf(plan: LoadPlan, profile: LoadProfile): RunPlan {
  return {
    target: plan.baseUrl,
    agents: plan.agentCount,
    numbers: plan.called.map((c) => c.number),
    peakCallsPerSecond: profile.capacity
      ? Math.min(profile.capacity.maxRate, plan.maxCallsPerSecond ?? Infinity)
      : peakRate(plan),
    durationSeconds: scheduleSeconds(plan),
    totalCalls: Math.ceil(expectedAttempts(plan)),
  };
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(question);
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

/** run.json of a load run of its own: the target, its edition and authentication, and the one phase. */
function loadRecord(
  plan: LoadPlan,
  target: TargetProfile,
  embedded: boolean,
  started: Date,
  code: number,
): RunRecord {
  return {
    runId: plan.runId,
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    target: {
      ...(target.name ? { name: target.name } : {}),
      baseUrl: target.baseUrl,
      edition: profileEdition(target),
      authMode: profileAuthMode(target),
      embeddedMock: embedded,
      ...(target.tls?.insecure ? { insecure: true } : {}),
    },
    seed: plan.seed,
    loadProfile: plan.profile,
    phases: [
      {
        name: "load",
        status: code === EXIT.PASS ? "pass" : code === EXIT.FAIL ? "fail" : "error",
        exitCode: code,
        durationMs: Date.now() - started.getTime(),
        ...(code === EXIT.INTERRUPTED ? { note: "interrupted" } : {}),
      },
    ],
  };
}

/** What the engine needs of the flags. */
function runOptions(flags: Flags, log: (line: string) => void, signal: AbortSignal): RunOptions {
  return {
    signal,
    log,
    ...(flags.quiet ? { quiet: true } : {}),
    ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
    ...(flags.segment ? { segment: flags.segment } : {}),
    ...(flags.startAt !== undefined ? { startAt: flags.startAt } : {}),
    ...(flags.metricsPort !== undefined ? { metricsPort: flags.metricsPort } : {}),
  };
}

/** A run's exit code: 0 every threshold held, 1 one broke, 130 Ctrl-C stopped it. */
function exitCodeOf(result: EngineResult): number {
  if (result.stopped === "interrupted") return EXIT.INTERRUPTED;
  return result.broken.length > 0 ? EXIT.FAIL : EXIT.PASS;
}

/** Runs the plan (or the capacity search) and writes the run's page; returns the exit code. */
async function run(
  plan: LoadPlan,
  target: TargetProfile,
  profile: LoadProfile,
  flags: Flags,
  log: (line: string) => void,
  embedded: boolean,
) {
  mkdirSync(plan.reportDir, { recursive: true });
  const started = new Date();
  let code: number;
  if (profile.capacity) {
    const search = {
      ...profile.capacity,
      ...(flags.stepDuration ? { stepS: flags.stepDuration } : {}),
      ...(flags.startRate ? { startRate: flags.startRate } : {}),
      ...(flags.resolution ? { resolution: flags.resolution } : {}),
    };
    const result = await untilInterrupted((signal) =>
      runCapacitySearch(plan, target, search, runOptions(flags, log, signal)),
    );
    if (result) {
      await writeRunFile("capacity.json", join(plan.reportDir, "capacity.json"), result);
      process.stdout.write(`${formatCurve(result)}\n`);
    }
    code = !result ? EXIT.INTERRUPTED : result.sustainable > 0 ? EXIT.PASS : EXIT.FAIL;
  } else {
    const result = await untilInterrupted((signal) =>
      runWithProgress(plan, target, runOptions(flags, log, signal)),
    ).catch(async (error: unknown) => {
      // A worker that died cannot sign its agents out: the sweep does, then the error is reported.
      log(`the run failed (${(error as Error).message}); signing every agent of the plan out`);
      await signOutAll(plan, target).catch(() => undefined);
      throw error;
    });
    code = exitCodeOf(result);
  }
  const record = loadRecord(plan, target, embedded, started, code);
  await writeRunFile("run.json", join(plan.reportDir, "run.json"), record);
  const { summary } = await writeReport(plan.reportDir, { secrets: profileSecrets(target) });
  if (!flags.quiet) process.stdout.write(`${summary}\n`);
  return code;
}

async function main(argv: string[]): Promise<number> {
  program.parse(argv);
  const flags = program.opts<Flags>();
  if (!isLoadProfileName(flags.profile)) {
    const names = Object.keys(LOAD_PROFILES).join(", ");
    throw new HarnessError("CCGW_USAGE", `unknown load profile "${flags.profile}"`, `one of ${names}`);
  }
  const profile: LoadProfile = LOAD_PROFILES[flags.profile];
  checkFlags(flags, profile);
  const runId = flags.runId ?? `load-${profile.name}-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  const reportDir = resolve(flags.reportDir ?? join(ROOT, "reports", runId));
  const log = (line: string) => process.stderr.write(`load: ${line}\n`);
  if (flags.merge) {
    const merged = await mergeResults(flags.merge, reportDir);
    for (const t of merged.broken) log(`threshold broke: ${t.metric} ${t.expression}`);
    await writeReport(reportDir);
    log(`merged ${flags.merge.length} segment(s) into ${reportDir}`);
    return merged.broken.length > 0 ? EXIT.FAIL : EXIT.PASS;
  }
  const { target, gw } = flags.target
    ? { target: await loadTargetProfile(flags.target), gw: undefined }
    : await embeddedTarget(flags, profile, log);
  try {
    const plan = makePlan(target, profile, {
      runId,
      reportDir,
      ...(flags.duration !== undefined ? { durationS: flags.duration } : {}),
      ...(flags.rate !== undefined ? { rate: flags.rate } : {}),
      ...(flags.agents !== undefined ? { agents: flags.agents } : {}),
      ...(flags.contractSample !== undefined ? { contractSample: flags.contractSample } : {}),
      seed: flags.seed,
      ...(flags.slo ? { slo: flags.slo } : {}),
      ...(gw ? { pollWaitMs: gw.options.pollWaitMs, terminalTimeoutMs: 10000 } : {}),
    });
    const policy = policyFromProfile(target);
    const runPlan = runPlanOf(plan, profile);
    if (!profile.capacity) assertPlanWithinCaps(policy, runPlan);
    log(`run ${runId}, profile ${profile.name}, seed ${flags.seed}, contract sample ${plan.contractSample}`);
    if (plan.insecureTls) {
      log("WARNING: TLS certificate verification is OFF for this run (tls.insecure in the target profile)");
    }
    if (flags.dryRun) {
      process.stdout.write(`${formatPlan(runPlan, policy)}\nreport dir:        ${reportDir}\n`);
      return EXIT.PASS;
    }
    if (flags.k8sManifest) {
      writeEngineManifest(flags.k8sManifest, plan, target, flags, log);
      return EXIT.PASS;
    }
    if (!isLoopback(plan.baseUrl) && !flags.yes) {
      process.stderr.write(`${formatPlan(runPlan, policy)}\n`);
      if (!(await confirm(`load ${plan.baseUrl}? [y/N] `))) {
        const why = `not confirmed: ${plan.baseUrl} is not on this machine`;
        throw new HarnessError("CCGW_USAGE", why, "pass --yes to skip the question");
      }
    }
    if (flags.signOut) {
      log(`signed out ${await signOutAll(plan, target)} of ${plan.agentCount} agent(s)`);
      return EXIT.PASS;
    }
    // Every core works for the agents, but the one the embedded mock needs.
    flags.workers ??= Math.max(1, availableParallelism() - (gw ? 1 : 0));
    const code = await run(plan, target, profile, flags, log, gw !== undefined);
    log(`reports in ${reportDir}`);
    return code;
  } finally {
    await gw?.close();
  }
}

await exitWith("load", () => main(process.argv));
