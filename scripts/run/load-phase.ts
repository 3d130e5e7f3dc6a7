/**
 * Phase "load" of the main job, and where its budget is decided: one maxTotalCalls for the whole run, so the
 * load run gets what the functional suite left (the run's call ledger says how many the suite spent), through
 * a private copy of the profile; a plan that no longer fits is not run (CCGW_BUDGET_EXCEEDED).
 */
import { join } from "node:path";
import { CallLedger } from "../../lib/call-ledger.ts";
import { log, type RunContext, type RunTarget } from "./context.ts";
import { fromNow, runPhase, skipped } from "./phase-runner.ts";
import type { planRun } from "./plan.ts";
import { privateDir, writePrivateProfile } from "./target-phase.ts";

type Plan = ReturnType<typeof planRun>;

/** Runs the load phase with what the suite left of the run's budget, or records why it cannot run. */
export async function loadPhase(ctx: RunContext, root: string, target: RunTarget, plan: Plan): Promise<void> {
  const { flags } = ctx;
  if (skipped(ctx, "load", flags.skipLoad === true)) return;
  let profilePath = target.profilePath;
  const max = target.profile.maxTotalCalls;
  if (max !== undefined) {
    // One budget for the whole run: the load phase gets what the suite left, through a private copy of the
    // profile with the lower maxTotalCalls.
    const used = CallLedger.inReportDir(join(ctx.runDir, "contract")).spent();
    const left = max - used;
    if (left < plan.plan.totalCalls) {
      const message = `the functional suite used ${used} of maxTotalCalls ${max}; the load plan needs up to ${plan.plan.totalCalls}`;
      log(`load: CCGW_BUDGET_EXCEEDED: ${message}; phase not run`);
      ctx.record.phases.push({ name: "load", status: "error", note: `CCGW_BUDGET_EXCEEDED: ${message}` });
      return;
    }
    profilePath = join(await privateDir(ctx), "load-profile.json");
    await writePrivateProfile(profilePath, { ...target.profile, maxTotalCalls: left });
  }
  // The plan was confirmed by the plan phase (or the target is on this machine), so the load run need not ask.
  const args = [
    ...[
      "--target",
      profilePath,
      "--profile",
      flags.loadProfile,
      "--report-dir",
      join(ctx.runDir, "load"),
      "--yes",
      // The run has its own progress line and prints the one summary.
      "--quiet",
    ],
    ...(flags.seed !== undefined ? ["--seed", String(flags.seed)] : []),
    ...(flags.loadDuration !== undefined ? ["--duration", String(flags.loadDuration)] : []),
  ];
  await runPhase(ctx, root, "load", args, await fromNow(target));
}
