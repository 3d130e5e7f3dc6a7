/**
 * Phase "contract" of the main job: the functional suite in its own process against the run's target; its
 * callouts are counted in the run's call ledger, which the load phase reads.
 */
import { join, resolve } from "node:path";
import { CallLedger } from "../../lib/call-ledger.ts";
import type { RunContext, RunTarget } from "./context.ts";
import { fromNow, runPhase, skipped } from "./phase-runner.ts";

export async function suitePhase(ctx: RunContext, root: string, target: RunTarget): Promise<void> {
  if (skipped(ctx, "contract", ctx.flags.skipContract === true)) return;
  const dir = join(ctx.runDir, "contract");
  const ledger = CallLedger.inReportDir(dir);
  // Against a real gateway the suite's own callout count is the only figure there is.
  const figures = (await fromNow(target)) ?? (async () => ({ calls: ledger.spent() }));
  // The case listing goes to the phase's log file; the console shows it only with --verbose.
  const args = [
    ...["--target", target.profilePath, "--report-dir", dir, "--verbose"],
    ...(ctx.flags.baseline ? ["--baseline", resolve(ctx.flags.baseline)] : []),
  ];
  await runPhase(ctx, root, "contract", args, figures);
}
