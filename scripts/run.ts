/**
 * The main job (`npm start`, `ccgw run`): against the embedded mock (no --target) or a gateway's profile, run a
 * preflight, the functional suite and the load smoke test, sign every agent out, write reports/<run-id>/index.html
 * and print a short summary. Exit code: 0 pass, 1 a contract clause or a threshold failed, 2 usage, profile or
 * target error, 130 interrupted. The phases are modules of scripts/run/, each with one entry; RunContext holds
 * the one teardown path.
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Command, Option } from "commander";
import { loadBaseline } from "../lib/baseline.ts";
import { EXIT } from "../lib/errors.ts";
import { Roster } from "../lib/roster.ts";
import { formatPlan } from "../lib/safety.ts";
import { formatSuitePlan, planProfile } from "../scenarios/suite-plan.ts";
import { integer } from "./cli-args.ts";
import { runCli } from "./cli-exit.ts";
import { log, RunContext, type RunFlags, type RunTarget } from "./run/context.ts";
import { loadPhase } from "./run/load-phase.ts";
import { checkCaps, confirmRemoteLoad, LOAD_PROFILE_NAMES, planRun, SUITE_AGENTS } from "./run/plan.ts";
import { preflightPhase } from "./run/preflight-phase.ts";
import { suitePhase } from "./run/suite-phase.ts";
import { sweepPhase } from "./run/sweep-phase.ts";
import { openTarget } from "./run/target-phase.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** A phase that stopped the run, with its error line already printed and recorded. */
class Stopped extends Error {}

/** Runs a phase; a failure is printed with its CCGW_ code, recorded against the phase, and stops the run. */
async function phase<T>(ctx: RunContext, name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new Stopped(ctx.failure(error, name).message);
  }
}

/** Phase "plan": the plan against the profile's caps and, for a gateway elsewhere, the confirmation. */
async function planPhase(ctx: RunContext, target: RunTarget): Promise<ReturnType<typeof planRun>> {
  const { flags } = ctx;
  // A baseline the suite would refuse is refused here, before anything is sent.
  if (flags.baseline) await loadBaseline(resolve(flags.baseline));
  const planned = planRun(target.profile, {
    loadProfile: flags.loadProfile,
    skipContract: flags.skipContract === true,
    skipLoad: flags.skipLoad === true,
    ...(flags.loadDuration !== undefined ? { loadDurationS: flags.loadDuration } : {}),
  });
  if (flags.dryRun) {
    process.stdout.write(`dry run: nothing is sent\n${formatPlan(planned.plan, planned.policy)}\n`);
    // What the functional suite can and cannot test with this profile, and what to add to it.
    if (!flags.skipContract)
      process.stdout.write(`\n${formatSuitePlan(planProfile(target.profile, flags.seed ?? 1))}\n`);
  }
  checkCaps(planned.policy, planned.plan);
  if (!flags.dryRun && !flags.skipLoad)
    await confirmRemoteLoad(target.profile, planned.plan, { yes: flags.yes === true });
  return planned;
}

/** Runs the main job: profile, plan, preflight, contract, load, sign-out sweep, report. Resolves with the exit code. */
export async function runMain(flags: RunFlags): Promise<number> {
  const ctx = new RunContext(flags, ROOT);
  await ctx.open();
  let target: RunTarget | undefined;
  let sweepCount = 0;
  try {
    target = await phase(ctx, "profile", () => openTarget(ctx));
    const plan = await phase(ctx, "plan", () => planPhase(ctx, target as RunTarget));
    if (flags.dryRun) {
      await ctx.teardown();
      return EXIT.PASS;
    }
    log(
      `run ${ctx.runId} against ${target.profile.baseUrl}${ctx.record.target.embeddedMock ? " (embedded mock)" : ""}`,
    );
    log(`report folder ${ctx.runDir}`);
    await phase(ctx, "preflight", () => preflightPhase(ctx, target as RunTarget));
    sweepCount = Math.min(new Roster(target.profile).size, Math.max(SUITE_AGENTS, plan.loadAgents));
    await suitePhase(ctx, ROOT, target);
    await loadPhase(ctx, ROOT, target, plan);
  } catch (error) {
    if (!(error instanceof Stopped)) {
      await ctx.teardown();
      throw error;
    }
    if (flags.dryRun) {
      await ctx.teardown();
      return EXIT.USAGE;
    }
  }
  if (target)
    await phase(ctx, "sign-out sweep", () => sweepPhase(ctx, target as RunTarget, sweepCount)).catch(
      () => undefined,
    );
  return ctx.finish();
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
    .option(
      "--baseline <file.json>",
      "known failures the functional suite reports without failing the run, until each entry expires",
    )
    .option(
      "--verbose",
      "also print the phases' own output (the suite's case listing); it is always kept in <phase>/phase.log",
    )
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
