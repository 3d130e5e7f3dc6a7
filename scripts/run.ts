/**
 * The main job (`npm start`, `ccgw run`): against the embedded mock (no --target) or a gateway's profile, run a
 * preflight, the functional suite and the load smoke test, sign every agent out, write reports/<run-id>/index.html
 * and print a short summary. Exit code: 0 pass, 1 a contract clause or a threshold failed, 2 usage, profile or
 * target error, 130 interrupted.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Command, Option } from "commander";
import { DEFAULT_EDITION } from "../contracts/index.ts";
import { EXIT, HarnessError } from "../lib/errors.ts";
import { preflight, sweepSignOut } from "../lib/gateway/preflight.ts";
import { type ProgressFigures, startProgress } from "../lib/progress.ts";
import { redactText } from "../lib/redact.ts";
import { formatSummary, type PhaseRecord, type RunRecord, writeReport } from "../lib/report/page/index.ts";
import { formatPlan } from "../lib/safety.ts";
import {
  type Agent,
  expandAgents,
  loadTargetProfile,
  profileAuthMode,
  profileEdition,
  profileSecrets,
  type TargetProfile,
} from "../lib/target-profile.ts";
import { type RunningGateway, startGateway } from "../mock/index.ts";
import { suiteMockOptions, suiteProfile } from "../mock/suite-options.ts";
import { integer } from "./cli-args.ts";
import { runCli } from "./report.ts";
import { checkCaps, confirmRemoteLoad, LOAD_PROFILE_NAMES, planRun, SUITE_AGENTS } from "./run/plan.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

/** Flags of the main job. */
export interface RunFlags {
  target?: string;
  reportDir?: string;
  runId?: string;
  loadProfile: string;
  skipContract?: boolean;
  skipLoad?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  seed?: number;
  mockTiming?: "brisk" | "fast" | "realistic";
  timeoutMs: number;
  progressMs: number;
  loadDuration?: number;
}

/** A run id: UTC time plus 4 random hex digits, sortable and unique enough for one machine. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${stamp}-${randomBytes(2).toString("hex")}`;
}

/**
 * Call timing of the embedded mock for short runs: the vendor's event order in tenths of a second, so a smoke
 * run's calls end inside its drain time. NOTE: the same values as scripts/load.ts uses for its own embedded mock.
 */

/** Longest load schedule for which k6 writes per-request points (the time series of the report). */
const MAX_POINTS_SECONDS = 900;

/** The phases' scripts; each takes --target and --report-dir. */
const PHASE_SCRIPTS = { contract: "scripts/contract.ts", load: "scripts/load.ts" } as const;

/**
 * How to run a phase: its script under tsx; for the contract phase, while scripts/contract.ts is not there, the
 * vitest "scenarios" project with the same target and report folder passed through its environment.
 */
function phaseCommand(
  name: keyof typeof PHASE_SCRIPTS,
  args: string[],
): { argv: string[]; env: Record<string, string> } | undefined {
  const script = join(ROOT, PHASE_SCRIPTS[name]);
  if (existsSync(script)) return { argv: [require.resolve("tsx/cli"), script, ...args], env: {} };
  const vitest = join(ROOT, "node_modules", "vitest", "vitest.mjs");
  if (name !== "contract" || !existsSync(vitest)) return undefined;
  const value = (flag: string) => args[args.indexOf(flag) + 1] ?? "";
  return {
    argv: [vitest, "run", "--project", "scenarios"],
    env: { CCGW_TARGET: value("--target"), CCGW_REPORT_DIR: value("--report-dir") },
  };
}

/** Runs one phase's script as a child with redacted, inherited-looking output; resolves with its exit code. */
function runPhaseScript(
  argv: string[],
  secrets: string[],
  extraEnv: Record<string, string>,
  onChild: (child: ChildProcess | undefined) => void,
): Promise<number | null> {
  const child = spawn(process.execPath, argv, {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so a signal reaches tsx's child (the phase itself) too, even when it arrives
    // before tsx has set up its own signal relay; see signalPhase().
    detached: true,
    env: {
      ...process.env,
      FORCE_COLOR: process.env.FORCE_COLOR ?? (process.stdout.isTTY ? "1" : "0"),
      ...extraEnv,
    },
  });
  onChild(child);
  // NOTE: the children's output passes through the same redaction as ours, a second line of defence for
  // passwords and Guids; a chunk is cut at its last line break so a secret is never split across two writes.
  const pipe = (from: NodeJS.ReadableStream, to: NodeJS.WriteStream) => {
    let carry = "";
    from.setEncoding("utf8");
    from.on("data", (chunk: string) => {
      const text = carry + chunk;
      const cut = Math.max(text.lastIndexOf("\n"), text.lastIndexOf("\r"));
      carry = cut < 0 ? text : text.slice(cut + 1);
      if (cut >= 0) to.write(redactText(text.slice(0, cut + 1), secrets));
      if (carry.length > 4096) {
        to.write(redactText(carry, secrets));
        carry = "";
      }
    });
    from.on("end", () => {
      if (carry) to.write(redactText(carry, secrets));
    });
  };
  if (child.stdout) pipe(child.stdout, process.stdout);
  if (child.stderr) pipe(child.stderr, process.stderr);
  return new Promise((done) => {
    child.on("error", () => done(null));
    child.on("close", (code, signal) => {
      onChild(undefined);
      done(signal ? null : code);
    });
  });
}

function log(line: string): void {
  process.stderr.write(`[ccgw] ${line}\n`);
}

/**
 * The agents a run may have left signed in: the first `count` of the profile (the load phase takes its agents
 * from the start of the list) and every agent the functional suite wrote to its sign-in log, which includes the
 * "spare" agents it takes from further down the list.
 */
function agentsToSweep(profile: TargetProfile, count: number, suiteLog: string): Agent[] {
  const all = expandAgents(profile);
  const ids = new Set(all.slice(0, count).map((a) => a.id));
  if (existsSync(suiteLog)) {
    for (const line of readFileSync(suiteLog, "utf8").split("\n")) {
      const id = /"id":"([^"]+)"/.exec(line)?.[1];
      if (id) ids.add(id);
    }
  }
  return all.filter((a) => ids.has(a.id));
}

/** Sends a signal to a phase's whole process group (tsx and the script it runs). */
function signalPhase(child: ChildProcess | undefined, signal: NodeJS.Signals): void {
  if (!child?.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/** Bytes of a counter file (one per callout), 0 when it is not there. */
function countFile(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/** Runs the main job; resolves with the exit code. */
export async function runMain(flags: RunFlags): Promise<number> {
  const runId = flags.runId ?? newRunId();
  const runDir = resolve(flags.reportDir ?? join(ROOT, "reports", runId));
  // A dry run writes nothing, not even the run folder.
  if (!flags.dryRun) await mkdir(runDir, { recursive: true });
  const record: RunRecord = {
    runId,
    startedAt: new Date().toISOString(),
    target: {
      baseUrl: flags.target ? `(not read: ${flags.target})` : "embedded mock",
      embeddedMock: !flags.target,
    },
    loadProfile: flags.loadProfile,
    phases: [],
    notes: [],
  };
  if (flags.seed !== undefined) record.seed = flags.seed;
  let secrets: string[] = [];
  let gateway: RunningGateway | undefined;
  let tempDir: string | undefined;
  let current: ChildProcess | undefined;
  let interrupted = false;
  let profile: TargetProfile | undefined;
  let sweepAgents = 0;

  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      signalPhase(current, "SIGKILL");
      return;
    }
    interrupted = true;
    log(`${signal}: stopping the current phase, then signing agents out`);
    signalPhase(current, "SIGINT");
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const finish = async (exitIfPass: number = EXIT.PASS): Promise<number> => {
    if (profile && !record.target.embeddedMock && sweepAgents > 0) {
      const agents = agentsToSweep(profile, sweepAgents, join(runDir, "contract", "raw", "agents.jsonl"));
      log(`signing out ${agents.length} agent(s) the run may have used`);
      const started = Date.now();
      const result = await sweepSignOut(profile, agents, { timeoutMs: flags.timeoutMs });
      record.phases.push({
        name: "sign-out sweep",
        status: result.failed === 0 ? "pass" : "error",
        durationMs: Date.now() - started,
        note: `${result.signedOut} signed out, ${result.failed} failed`,
      });
    }
    if (interrupted) record.failure ??= { code: "INTERRUPTED", message: "the run was interrupted (Ctrl-C)" };
    record.finishedAt = new Date().toISOString();
    if (record.notes?.length === 0) delete record.notes;
    await writeFile(join(runDir, "run.json"), `${JSON.stringify(record, null, 2)}\n`);
    const { model, page } = await writeReport(runDir, { secrets });
    await gateway?.close();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    const shown = relative(process.cwd(), page) || page;
    process.stdout.write(
      `${redactText(formatSummary(model, shown.startsWith("..") ? page : shown), secrets)}\n`,
    );
    if (interrupted) return 130;
    if (model.verdict === "pass") return exitIfPass;
    // A profile, plan or preflight failure is a configuration matter (2); a failed clause, threshold or phase is 1.
    return record.failure ? EXIT.USAGE : EXIT.FAIL;
  };
  const fail = async (error: unknown, phase?: string): Promise<number> => {
    const harness =
      error instanceof HarnessError ? error : new HarnessError("CCGW_USAGE", (error as Error).message);
    process.stderr.write(`ccgw: ${redactText(harness.toLine(), secrets)}\n`);
    if (flags.dryRun) {
      await gateway?.close();
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      return EXIT.USAGE;
    }
    record.failure = { code: harness.code, message: harness.message };
    if (phase) record.phases.push({ name: phase, status: "error", note: harness.code });
    return finish(EXIT.PASS);
  };

  // 1. The target: a profile file, or the embedded mock started here once for both phases.
  let profilePath: string;
  try {
    if (flags.target) {
      profile = await loadTargetProfile(flags.target);
      profilePath = resolve(flags.target);
    } else {
      if (flags.dryRun) {
        log("dry run against the embedded mock: it is started only to describe it, nothing is dialled");
      }
      // The suite's mock settings (short long-poll, fast events, numbers at the called-number length limits), so
      // both phases share one mock and the suite's boundary cases have numbers of the profile to dial.
      const options = suiteMockOptions(DEFAULT_EDITION, "dynamic", flags.seed ?? 1, []);
      const timing = flags.mockTiming ?? "fast";
      gateway = await startGateway({
        ...options,
        quiet: true,
        timing,
      });
      profile = suiteProfile(gateway, flags.seed ?? 1);
      tempDir = await mkdtemp(join(tmpdir(), "ccgw-run-"));
      profilePath = join(tempDir, "profile.json");
      await writeFile(profilePath, JSON.stringify(profile), { mode: 0o600 });
      await chmod(profilePath, 0o600);
    }
  } catch (error) {
    return fail(error, "profile");
  }
  secrets = profileSecrets(profile);
  record.target = {
    ...(profile.name ? { name: profile.name } : {}),
    baseUrl: profile.baseUrl,
    edition: profileEdition(profile),
    authMode: profileAuthMode(profile),
    embeddedMock: !flags.target,
    ...(profile.tls?.insecure ? { insecure: true } : {}),
  };
  if (profile.tls?.insecure) {
    const warning = "WARNING: tls.insecure is set, so the gateway's certificate is NOT verified";
    log(warning);
    record.notes?.push(warning);
  }

  // 2. The plan, the caps and, for a gateway elsewhere, the confirmation. A dry run stops after printing it.
  let plan: ReturnType<typeof planRun>;
  try {
    plan = planRun(profile, {
      loadProfile: flags.loadProfile,
      skipContract: flags.skipContract === true,
      skipLoad: flags.skipLoad === true,
      ...(flags.loadDuration !== undefined ? { loadDurationS: flags.loadDuration } : {}),
    });
    if (flags.dryRun) {
      process.stdout.write(`dry run: nothing is sent\n${formatPlan(plan.plan, plan.policy)}\n`);
      checkCaps(plan.policy, plan.plan);
      await gateway?.close();
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      return EXIT.PASS;
    }
    checkCaps(plan.policy, plan.plan);
    if (!flags.skipLoad) await confirmRemoteLoad(profile, plan.plan, { yes: flags.yes === true });
  } catch (error) {
    if (flags.dryRun) {
      process.stderr.write(`ccgw: ${(error as HarnessError).toLine?.() ?? (error as Error).message}\n`);
      await gateway?.close();
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
      return EXIT.USAGE;
    }
    return fail(error, "plan");
  }
  sweepAgents = Math.min(expandAgents(profile).length, Math.max(SUITE_AGENTS, plan.loadAgents));
  log(`run ${runId} against ${profile.baseUrl}${record.target.embeddedMock ? " (embedded mock)" : ""}`);
  log(`report folder ${runDir}`);

  // 3. Preflight: one sign-in and sign-out, bounded, so a wrong URL, CA or password is one clear line.
  const first = expandAgents(profile)[0];
  const preflightStart = Date.now();
  try {
    if (!first) throw new HarnessError("CCGW_PROFILE_INVALID", "the target profile lists no agents");
    await preflight(profile, first, flags.timeoutMs);
    record.phases.push({ name: "preflight", status: "pass", durationMs: Date.now() - preflightStart });
    log("preflight: agent signed in and out");
  } catch (error) {
    sweepAgents = 0;
    return fail(error, "preflight");
  }

  // 4. The phases, each a child process with the same --target.
  const figures = gateway
    ? async (): Promise<ProgressFigures> => {
        const stats = (await gateway?.admin("/stats")) as {
          callsStarted?: number;
          requests?: Record<string, Record<string, number>>;
        };
        const callout = stats.requests?.callout ?? {};
        const errors = Object.entries(callout)
          .filter(([answer]) => answer !== "0")
          .reduce((sum, [, n]) => sum + n, 0);
        return { calls: stats.callsStarted ?? 0, errors };
      }
    : undefined;
  // The report's charts over time need k6's per-request points; scripts/load.ts passes its environment on to
  // k6, which reads K6_OUT. Gzipped, and only for schedules short enough that the file stays small; not for a
  // capacity search, whose steps are separate k6 runs that would overwrite one another's file.
  const pointsEnv: Record<string, string> =
    plan.plan.durationSeconds <= MAX_POINTS_SECONDS && flags.loadProfile !== "capacity"
      ? { K6_OUT: `json=${join(runDir, "load", "points.json.gz")}` }
      : {};
  if (!flags.skipLoad && !pointsEnv.K6_OUT) {
    record.notes?.push(`no time series: the load schedule is longer than ${MAX_POINTS_SECONDS} s`);
  }
  const phases: {
    name: keyof typeof PHASE_SCRIPTS;
    skip: boolean;
    args: string[];
    env: Record<string, string>;
  }[] = [
    {
      name: "contract",
      skip: flags.skipContract === true,
      args: ["--target", profilePath, "--report-dir", join(runDir, "contract")],
      env: {},
    },
    {
      name: "load",
      skip: flags.skipLoad === true,
      // The plan was confirmed above (or the target is on this machine), so the load script need not ask again.
      args: [
        "--target",
        profilePath,
        "--profile",
        flags.loadProfile,
        "--report-dir",
        join(runDir, "load"),
        "--yes",
        ...(flags.seed !== undefined ? ["--seed", String(flags.seed)] : []),
        ...(flags.loadDuration !== undefined ? ["--duration", String(flags.loadDuration)] : []),
      ],
      env: pointsEnv,
    },
  ];
  for (const phase of phases) {
    if (phase.skip || interrupted) {
      record.phases.push({
        name: phase.name,
        status: "skipped",
        ...(interrupted ? { note: "interrupted" } : {}),
      });
      continue;
    }
    if (phase.name === "load" && profile.maxTotalCalls !== undefined) {
      // One budget for the whole run: the load phase gets what the suite left (it counts its callouts in
      // contract/raw/callouts.count), through a private copy of the profile with the lower maxTotalCalls.
      const used = countFile(join(runDir, "contract", "raw", "callouts.count"));
      const left = profile.maxTotalCalls - used;
      if (left < plan.plan.totalCalls) {
        const message = `the functional suite used ${used} of maxTotalCalls ${profile.maxTotalCalls}; the load plan needs up to ${plan.plan.totalCalls}`;
        log(`load: CCGW_BUDGET_EXCEEDED: ${message}; phase not run`);
        record.phases.push({ name: "load", status: "error", note: `CCGW_BUDGET_EXCEEDED: ${message}` });
        continue;
      }
      tempDir ??= await mkdtemp(join(tmpdir(), "ccgw-run-"));
      const loadProfile = join(tempDir, "load-profile.json");
      await writeFile(loadProfile, JSON.stringify({ ...profile, maxTotalCalls: left }), { mode: 0o600 });
      phase.args[phase.args.indexOf("--target") + 1] = loadProfile;
    }
    const command = phaseCommand(phase.name, phase.args);
    if (!command) {
      record.phases.push({
        name: phase.name,
        status: "error",
        note: `${PHASE_SCRIPTS[phase.name]} is not in this checkout`,
      });
      log(`${phase.name}: ${PHASE_SCRIPTS[phase.name]} is not in this checkout; phase not run`);
      continue;
    }
    log(`${phase.name}: starting`);
    const started = Date.now();
    // The mock's counters run over both phases; each phase's progress counts from its own start.
    const baseline = figures ? await figures().catch(() => undefined) : undefined;
    const phaseFigures = figures
      ? async (): Promise<ProgressFigures> => {
          const now = await figures();
          return {
            calls: (now.calls ?? 0) - (baseline?.calls ?? 0),
            errors: (now.errors ?? 0) - (baseline?.errors ?? 0),
          };
        }
      : phase.name === "contract"
        ? // Against a real gateway the suite's own callout counter is the only figure there is.
          async (): Promise<ProgressFigures> => ({
            calls: countFile(join(runDir, "contract", "raw", "callouts.count")),
          })
        : undefined;
    const ticker = startProgress(phase.name, {
      everyMs: flags.progressMs,
      // The suite provokes refusals on purpose (boundaries, bad Guids): they are not failures.
      ...(phase.name === "contract" ? { errorLabel: "refusals (most provoked on purpose)" } : {}),
      ...(phaseFigures ? { figures: phaseFigures } : {}),
    });
    const code = await runPhaseScript(command.argv, secrets, { ...phase.env, ...command.env }, (child) => {
      current = child;
    });
    ticker.stop();
    const entry: PhaseRecord = {
      name: phase.name,
      status: code === 0 ? "pass" : code === 1 ? "fail" : "error",
      durationMs: Date.now() - started,
    };
    if (code !== null) entry.exitCode = code;
    if (interrupted) entry.note = "interrupted";
    else if (code === null) entry.note = "the phase's process could not start or was killed";
    else if (code === 2) entry.note = "the phase refused its input (usage or configuration error)";
    record.phases.push(entry);
    log(`${phase.name}: ${entry.status} (${((entry.durationMs ?? 0) / 1000).toFixed(1)} s)`);
  }
  return finish(EXIT.PASS);
}

/** The commander definition, shared with `ccgw run`. */
export function runCommand(): Command {
  return new Command("run")
    .description(
      "The main job: preflight, functional suite and load smoke test against the embedded mock (default) or " +
        "the gateway of --target; writes reports/<run-id>/index.html and prints a summary. " +
        "Exit: 0 pass, 1 a clause or threshold failed, 2 usage, profile or target error, 130 interrupted.",
    )
    .option("--target <profile.json>", "target profile of a gateway (default: start the embedded mock)")
    .option("--report-dir <dir>", "where to write the run's outputs (default: reports/<run-id>)")
    .option("--run-id <id>", "run id (default: UTC time and 4 random hex digits)")
    .addOption(
      new Option("--load-profile <name>", "load profile of the load phase")
        .choices(LOAD_PROFILE_NAMES)
        .default("smoke"),
    )
    .option(
      "--load-duration <s>",
      "scale the load schedule to this many seconds",
      integer("--load-duration", 1),
    )
    .option("--skip-contract", "do not run the functional suite")
    .option("--skip-load", "do not run the load phase")
    .option("--dry-run", "print the plan (agents, numbers, rates, duration, total calls) and send nothing")
    .option("--yes", "do not ask before a load run against a gateway that is not on this machine")
    .option("--seed <n>", "seed of the embedded mock", integer("--seed"))
    .addOption(
      new Option(
        "--mock-timing <t>",
        "event timing of the embedded mock (default: fast, as the functional suite uses)",
      ).choices(["brisk", "fast", "realistic"]),
    )
    .option(
      "--timeout-ms <n>",
      "time limit of each preflight and sign-out request",
      integer("--timeout-ms", 1),
      10_000,
    )
    .option("--progress-ms <n>", "interval of progress lines", integer("--progress-ms", 100), 10_000)
    .showHelpAfterError()
    .exitOverride()
    .action(async (flags: RunFlags) => {
      const code = await runMain(flags);
      process.exit(code);
    });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runCli(runCommand(), process.argv.slice(2), "run");
}
