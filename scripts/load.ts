/**
 * Runs a k6 load profile against a target profile, or against the embedded mock it starts itself: builds k6
 * when missing, bundles the scenarios for the target's edition, checks the plan against the profile's caps, and
 * writes summary.json, junit.xml and the dashboard's report.html into reports/<run-id>/.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import { fileURLToPath } from "node:url";
import { Command, Option } from "commander";
import { EXIT, HarnessError } from "../lib/errors.ts";
import { assertPlanWithinCaps, formatPlan, policyFromProfile } from "../lib/safety.ts";
import { isLoopback, loadTargetProfile, type TargetProfile } from "../lib/target-profile.ts";
import { runNodeEngine, segmentValue, startAtValue, writeEngineManifest } from "../load/engine/command.ts";
import { mergeResults, type Segment } from "../load/engine/engine.ts";
import { expectedAttempts, type LoadPlan, peakRate, scheduleSeconds } from "../load/lib/plan.ts";
import { buildBundles } from "../load/node/build.ts";
import { formatCurve, judge, searchCapacity } from "../load/node/capacity.ts";
import { testRunManifest } from "../load/node/k8s.ts";
import { k6Env, makePlan, mergedCounts, readSummary, runK6, segments, signOutAll } from "../load/node/run.ts";
import { isLoadProfileName, LOAD_PROFILES, type LoadProfile } from "../load/profiles.ts";
import { type RunningGateway, startGateway } from "../mock/index.ts";
import { positive } from "./cli-args.ts";
import { exitWith } from "./cli-exit.ts";
import { ensureK6 } from "./k6-build.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

interface Flags {
  target?: string;
  profile: string;
  reportDir?: string;
  runId?: string;
  yes?: boolean;
  dryRun?: boolean;
  signOut?: boolean;
  instances: number;
  k8sManifest?: string;
  duration?: number;
  rate?: number;
  agents?: number;
  agentsPerVu?: number;
  contractSample?: number;
  stepDuration?: number;
  startRate?: number;
  mockCapacity?: number;
  mockBurst?: number;
  mockHttp?: boolean;
  mockTiming?: "brisk" | "realistic";
  seed: number;
  quiet?: boolean;
  engine: "k6" | "node";
  workers?: number;
  segment?: Segment;
  startAt?: number;
  merge?: string[];
  image?: string;
  resultsClaim?: string;
  metricsPort?: number;
}

const program = new Command("load")
  .description(
    "Run a k6 load profile (smoke, load, stress, spike, soak, capacity) against a target profile, or against\n" +
      "the embedded mock when no --target is given. Exit codes: 0 pass, 1 thresholds broke, 2 usage/config.",
  )
  .option("--target <profile.json>", "target profile (default: start the embedded mock)")
  .option("--profile <name>", `load profile: ${Object.keys(LOAD_PROFILES).join(", ")}`, "smoke")
  .option("--report-dir <dir>", "where summary.json, junit.xml and report.html go (default reports/<run-id>)")
  .option("--run-id <id>", "run id (default: load-<profile>-<timestamp>)")
  .option("--yes", "do not ask before loading a non-loopback target")
  .option("--dry-run", "print the plan and send nothing")
  .option("--sign-out", "only sign out every agent of the plan (after an aborted distributed run), then exit")
  .option(
    "--instances <n>",
    "split the run over N local k6 instances (execution segments)",
    positive("--instances", true),
    1,
  )
  .option("--k8s-manifest <file>", "write a k6-operator TestRun manifest for the plan instead of running")
  .option("--duration <s>", "scale the schedule to this many seconds", positive("--duration"))
  .option("--rate <n>", "replace the schedule with one constant rate (calls/s)", positive("--rate"))
  .option("--agents <n>", "agents to sign in (default: the profile's)", positive("--agents", true))
  .option(
    "--agents-per-vu <n>",
    "agents one k6 VU hosts (default: the profile's)",
    positive("--agents-per-vu", true),
  )
  .option("--contract-sample <f>", "fraction of responses/events validated (CCGW_CONTRACT_SAMPLE)", Number)
  .option("--step-duration <s>", "capacity: seconds per step", positive("--step-duration"))
  .option("--start-rate <n>", "capacity: rate of the first step (calls/s)", positive("--start-rate"))
  .option(
    "--mock-capacity <n>",
    "embedded mock: maxCallsPerSecond of its capacity model",
    positive("--mock-capacity"),
  )
  .option(
    "--mock-burst <s>",
    "embedded mock: burst of its call rate, in seconds of --mock-capacity (default 1)",
    positive("--mock-burst"),
  )
  .option("--mock-http", "embedded mock: plain HTTP instead of HTTPS")
  .option(
    "--mock-timing <t>",
    "embedded mock: brisk or realistic call timing (default: brisk for smoke/capacity)",
  )
  .option("--seed <n>", "seed of the mock and the scenario's data", positive("--seed", true), 1)
  .option("--quiet", "do not pass k6 output through")
  .addOption(
    new Option(
      "--engine <engine>",
      "k6, or the Node engine that replaces it (load/engine/; no --instances yet)",
    )
      .choices(["k6", "node"])
      .default("k6"),
  )
  .option(
    "--workers <n>",
    "node engine: worker threads (default: the cores less one)",
    positive("--workers", true),
  )
  .option(
    "--segment <i/N>",
    "node engine: run segment i (0-based) of a run split into N (disjoint agents, 1/N of the schedule)",
    segmentValue,
  )
  .option(
    "--start-at <time>",
    "node engine: when every segment starts signing in (ISO time or epoch ms)",
    startAtValue,
  )
  .option(
    "--merge <dirs...>",
    "node engine: merge the result.json of every segment into one summary and junit.xml in --report-dir",
  )
  .option(
    "--metrics-port <n>",
    "node engine: serve live metrics (Prometheus) on this port while the run lasts",
    Number,
  )
  .option("--image <ref>", "node engine, --k8s-manifest: the image with this project (npm ci done, in /app)")
  .option(
    "--results-claim <name>",
    "node engine, --k8s-manifest: the ReadWriteMany claim for results",
    "ccgw-results",
  )
  .exitOverride();

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(question);
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

async function main(argv: string[]): Promise<number> {
  program.parse(argv);
  const flags = program.opts<Flags>();
  if (!isLoadProfileName(flags.profile)) {
    throw new HarnessError(
      "CCGW_USAGE",
      `unknown load profile "${flags.profile}"`,
      `one of ${Object.keys(LOAD_PROFILES).join(", ")}`,
    );
  }
  if (flags.contractSample !== undefined && !(flags.contractSample >= 0 && flags.contractSample <= 1)) {
    throw new HarnessError("CCGW_USAGE", "--contract-sample must be between 0 and 1");
  }
  if (flags.mockTiming && flags.mockTiming !== "brisk" && flags.mockTiming !== "realistic") {
    throw new HarnessError("CCGW_USAGE", "--mock-timing must be brisk or realistic");
  }
  const profile: LoadProfile = LOAD_PROFILES[flags.profile];
  if ((flags.stepDuration || flags.startRate) && !profile.capacity) {
    throw new HarnessError(
      "CCGW_USAGE",
      "--step-duration and --start-rate apply to the capacity profile only",
    );
  }
  if (flags.mockBurst && (!flags.mockCapacity || flags.target)) {
    throw new HarnessError("CCGW_USAGE", "--mock-burst needs --mock-capacity (and the embedded mock)");
  }
  const runId = flags.runId ?? `load-${profile.name}-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  const reportDir = resolve(flags.reportDir ?? join(ROOT, "reports", runId));
  const log = (line: string) => process.stderr.write(`load: ${line}\n`);
  if ((flags.segment || flags.startAt || flags.merge) && flags.engine !== "node") {
    throw new HarnessError("CCGW_USAGE", "--segment, --start-at and --merge are for --engine node");
  }
  if (flags.merge) {
    const merged = await mergeResults(flags.merge, reportDir);
    for (const t of merged.broken) log(`threshold broke: ${t.metric} ${t.expression}`);
    log(`merged ${flags.merge.length} segment(s) into ${reportDir}`);
    return merged.broken.length > 0 ? EXIT.FAIL : EXIT.PASS;
  }

  let gw: RunningGateway | undefined;
  let target: TargetProfile;
  const embedded = !flags.target;
  try {
    if (flags.target) target = await loadTargetProfile(flags.target);
    else {
      if (flags.dryRun || flags.k8sManifest) {
        target = {
          name: "embedded mock",
          baseUrl: "https://127.0.0.1:0",
          called: [],
          agentRange: { from: 1001, count: 20000, password: "", phoneFrom: 700001 },
        } as unknown as TargetProfile;
      } else {
        const brisk =
          (flags.mockTiming ??
            (profile.name === "smoke" || profile.name === "capacity" ? "brisk" : "realistic")) === "brisk";
        gw = await startGateway({
          tls: !flags.mockHttp,
          seed: flags.seed,
          timing: brisk ? "brisk" : "realistic",
          ...(flags.mockCapacity
            ? {
                capacity: {
                  maxCallsPerSecond: flags.mockCapacity,
                  ...(flags.mockBurst ? { burstSeconds: flags.mockBurst } : {}),
                },
              }
            : {}),
        });
        const { mockProfile } = await import("../mock/index.ts");
        target = mockProfile(gw);
        log(
          `embedded mock at ${gw.url}${gw.caFile ? (flags.engine === "k6" ? " (HTTPS, CA passed to k6 as SSL_CERT_FILE)" : " (HTTPS)") : " (HTTP)"}`,
        );
      }
    }
    const plan = makePlan(target, profile, {
      runId,
      reportDir,
      ...(flags.duration !== undefined ? { durationS: flags.duration } : {}),
      ...(flags.rate !== undefined ? { rate: flags.rate } : {}),
      ...(flags.agents !== undefined ? { agents: flags.agents } : {}),
      ...(flags.agentsPerVu !== undefined ? { agentsPerVu: flags.agentsPerVu } : {}),
      ...(flags.contractSample !== undefined ? { contractSample: flags.contractSample } : {}),
      seed: flags.seed,
      ...(gw ? { pollWaitMs: gw.options.pollWaitMs, terminalTimeoutMs: 10000 } : {}),
    });
    if (embedded && target.called.length === 0 && !gw) {
      plan.called = [{ number: "4000001", outcome: "answered" }];
    }
    const policy = policyFromProfile(target);
    const runPlan = {
      target: plan.baseUrl,
      agents: plan.agentCount,
      numbers: plan.called.map((c) => c.number),
      peakCallsPerSecond: profile.capacity
        ? Math.min(profile.capacity.maxRate, plan.maxCallsPerSecond ?? Infinity)
        : peakRate(plan),
      durationSeconds: scheduleSeconds(plan),
      totalCalls: Math.ceil(expectedAttempts(plan)),
    };
    if (!profile.capacity) assertPlanWithinCaps(policy, runPlan);
    log(`run ${runId}, profile ${profile.name}, seed ${flags.seed}, contract sample ${plan.contractSample}`);
    if (plan.insecureTls) {
      log("WARNING: TLS certificate verification is OFF for this run (tls.insecure in the target profile)");
    }

    if (flags.dryRun) {
      process.stdout.write(
        `${formatPlan(runPlan, policy)}\ninstances:         ${flags.instances}\nreport dir:        ${reportDir}\n`,
      );
      return EXIT.PASS;
    }
    if (flags.k8sManifest && flags.engine === "node") {
      writeEngineManifest(flags.k8sManifest, plan, target, flags, log);
      return EXIT.PASS;
    }
    if (flags.k8sManifest) {
      await buildBundles(plan.edition as "2025-03");
      const yaml = testRunManifest(plan, {
        parallelism: flags.instances,
        configMap: "ccgw-load-bundle",
        secret: "ccgw-agents",
        ...(target.tls?.caFile ? { caConfigMap: "ccgw-ca" } : {}),
      });
      writeFileSync(flags.k8sManifest, yaml);
      log(`wrote ${flags.k8sManifest} (TestRun, parallelism ${flags.instances})`);
      return EXIT.PASS;
    }
    if (!isLoopback(plan.baseUrl) && !flags.yes) {
      process.stderr.write(`${formatPlan(runPlan, policy)}\n`);
      if (!(await confirm(`load ${plan.baseUrl}? [y/N] `))) {
        throw new HarnessError(
          "CCGW_USAGE",
          `not confirmed: ${plan.baseUrl} is not on this machine`,
          "pass --yes to skip the question",
        );
      }
    }

    if (flags.signOut) {
      const n = await signOutAll(plan, target);
      log(`signed out ${n} of ${plan.agentCount} agent(s)`);
      return EXIT.PASS;
    }
    if (flags.engine === "node" && flags.instances > 1 && !flags.k8sManifest) {
      throw new HarnessError("CCGW_USAGE", "--instances is for k6; the node engine uses --workers");
    }
    const k6 = flags.engine === "k6" ? ensureK6(log) : "";
    const bundle = flags.engine === "k6" ? (await buildBundles(plan.edition as "2025-03"))["call-cycle"] : "";
    if (bundle === undefined) throw new Error("bundle call-cycle.k6.js was not built");
    mkdirSync(reportDir, { recursive: true });

    const runOne = async (p: LoadPlan): Promise<number> => {
      mkdirSync(p.reportDir, { recursive: true });
      if (flags.engine === "node") return runNodeEngine(p, target, flags, log);
      if (flags.instances === 1) {
        return runK6(
          k6,
          bundle,
          k6Env(p, target, { dashboard: join(p.reportDir, "report.html") }),
          [],
          "k6",
          flags.quiet,
        );
      }
      const { segments: segs, sequence } = segments(flags.instances);
      const codes = await Promise.all(
        segs.map((seg, i) => {
          const dir = join(p.reportDir, `instance-${i + 1}`);
          mkdirSync(dir, { recursive: true });
          const env = k6Env({ ...p, reportDir: dir }, target, { dashboard: join(dir, "report.html") });
          return runK6(
            k6,
            bundle,
            env,
            ["--execution-segment", seg, "--execution-segment-sequence", sequence],
            `k6#${i + 1}`,
            flags.quiet,
          );
        }),
      );
      const merged = mergedCounts(segs.map((_, i) => readSummary(join(p.reportDir, `instance-${i + 1}`))));
      writeFileSync(join(p.reportDir, "merged-counts.json"), JSON.stringify(merged, null, 2));
      log(
        `merged counters of ${flags.instances} instances: attempts ${merged.ccgw_call_attempts ?? 0}, callouts ${merged.ccgw_callouts ?? 0}, events ${merged.ccgw_events ?? 0}`,
      );
      return codes.find((c) => c !== 0) ?? 0;
    };

    let code: number;
    if (profile.capacity) {
      const search = {
        ...profile.capacity,
        ...(flags.stepDuration ? { stepS: flags.stepDuration } : {}),
        ...(flags.startRate ? { startRate: flags.startRate } : {}),
      };
      const result = await searchCapacity(search, plan.maxCallsPerSecond, async (rate) => {
        const stepPlan: LoadPlan = {
          ...plan,
          startRate: rate,
          stages: [{ rate, durationS: search.stepS }],
          reportDir: join(reportDir, `step-${rate}`),
        };
        const stepCode = await runOne(stepPlan);
        const summary = readSummary(stepPlan.reportDir);
        // A breaking step is cut short by abortOnFail: its achieved rate is over the time it actually ran.
        const ranS = (summary.state?.testRunDurationMs ?? 0) / 1000;
        const activeS = Math.max(1, Math.min(search.stepS, ranS - plan.signInS));
        const point = judge(rate, summary, plan.slo, stepCode === 99 ? 0 : stepCode, activeS);
        log(`step ${rate} calls/s: ${point.pass ? "pass" : `FAIL (${point.broke.join("; ")})`}`);
        if (stepCode !== 0) await signOutAll(stepPlan, target);
        return point;
      });
      writeFileSync(join(reportDir, "capacity.json"), JSON.stringify(result, null, 2));
      process.stdout.write(`${formatCurve(result)}\n`);
      code = result.sustainable > 0 ? EXIT.PASS : EXIT.FAIL;
    } else {
      code = await runOne(plan);
      if (code !== 0) {
        const n = await signOutAll(plan, target);
        log(`the run ended with ${code}; signed out ${n} agent(s) left signed in`);
      }
    }
    log(`reports in ${reportDir}`);
    // k6 exits 99 when thresholds broke; everything non-zero is a failed run for us (130: interrupted).
    return code === 0 ? EXIT.PASS : code === 130 ? 130 : EXIT.FAIL;
  } finally {
    await gw?.close();
  }
}

await exitWith("load", () => main(process.argv));
