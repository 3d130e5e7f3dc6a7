/**
 * Phases "contract" and "load" of the main job: the functional suite and the load run, each its own process
 * with the run's target, a progress line, and its result in the run record. The load phase gets what the suite
 * left of maxTotalCalls (the run's call ledger says how many the suite spent).
 */
import { join } from "node:path";
import { CallLedger } from "../../lib/call-ledger.ts";
import { type ProgressFigures, startProgress } from "../../lib/progress.ts";
import type { PhaseRecord } from "../../lib/report/page/index.ts";
import { log, type RunContext, type RunTarget } from "./context.ts";
import { type PHASE_SCRIPTS, runPhaseProcess } from "./phase-process.ts";
import type { planRun } from "./plan.ts";
import { privateDir, writePrivateProfile } from "./target-phase.ts";

type Plan = ReturnType<typeof planRun>;

/** Marks a phase skipped (by a flag, or because the run was interrupted); true when it was. */
function skipped(ctx: RunContext, name: keyof typeof PHASE_SCRIPTS, skip: boolean): boolean {
  if (!skip && !ctx.interrupted) return false;
  ctx.record.phases.push({ name, status: "skipped", ...(ctx.interrupted ? { note: "interrupted" } : {}) });
  return true;
}

/** Runs one phase's process with a progress line; records its result. */
async function runPhase(
  ctx: RunContext,
  root: string,
  name: keyof typeof PHASE_SCRIPTS,
  args: string[],
  figures: (() => Promise<ProgressFigures>) | undefined,
): Promise<void> {
  log(`${name}: starting`);
  const started = Date.now();
  const ticker = startProgress(name, {
    everyMs: ctx.flags.progressMs,
    // The suite provokes refusals on purpose (boundaries, bad Guids): they are not failures.
    ...(name === "contract" ? { errorLabel: "refusals (most provoked on purpose)" } : {}),
    ...(figures ? { figures } : {}),
  });
  const code = await runPhaseProcess(root, name, args, {
    secrets: ctx.secrets,
    onChild: (child) => {
      ctx.current = child;
    },
  });
  ticker.stop();
  const entry: PhaseRecord = {
    name,
    status: code === 0 ? "pass" : code === 1 ? "fail" : "error",
    durationMs: Date.now() - started,
  };
  if (code !== null) entry.exitCode = code;
  if (ctx.interrupted) entry.note = "interrupted";
  else if (code === null) entry.note = "the phase's process could not start or was killed";
  else if (code === 2) entry.note = "the phase refused its input (usage or configuration error)";
  ctx.record.phases.push(entry);
  log(`${name}: ${entry.status} (${((entry.durationMs ?? 0) / 1000).toFixed(1)} s)`);
}

/** The embedded mock's figures counted from now (its counters run over both phases). */
async function fromNow(target: RunTarget): Promise<(() => Promise<ProgressFigures>) | undefined> {
  const figures = target.mockFigures;
  if (!figures) return undefined;
  const base = await figures().catch(() => ({ calls: 0, errors: 0 }));
  return async () => {
    const now = await figures();
    return { calls: now.calls - base.calls, errors: now.errors - base.errors };
  };
}

export async function suitePhase(ctx: RunContext, root: string, target: RunTarget): Promise<void> {
  if (skipped(ctx, "contract", ctx.flags.skipContract === true)) return;
  const dir = join(ctx.runDir, "contract");
  const ledger = CallLedger.inReportDir(dir);
  // Against a real gateway the suite's own callout count is the only figure there is.
  const figures = (await fromNow(target)) ?? (async () => ({ calls: ledger.spent() }));
  await runPhase(ctx, root, "contract", ["--target", target.profilePath, "--report-dir", dir], figures);
}

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
    ],
    ...(flags.seed !== undefined ? ["--seed", String(flags.seed)] : []),
    ...(flags.loadDuration !== undefined ? ["--duration", String(flags.loadDuration)] : []),
  ];
  await runPhase(ctx, root, "load", args, await fromNow(target));
}
