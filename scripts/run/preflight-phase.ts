/**
 * Phase "preflight" of the main job: one sign-in and sign-out of the first agent, bounded in time, so a wrong
 * URL, CA, proxy or password is one clear line before anything else is sent.
 */
import { HarnessError } from "../../lib/errors.ts";
import { preflight } from "../../lib/gateway/index.ts";
import { Roster } from "../../lib/roster.ts";
import { log, type RunContext, type RunTarget } from "./context.ts";

export async function preflightPhase(ctx: RunContext, target: RunTarget): Promise<void> {
  const roster = new Roster(target.profile);
  const started = Date.now();
  if (roster.size === 0) throw new HarnessError("CCGW_PROFILE_INVALID", "the target profile lists no agents");
  await preflight(target.profile, roster.at(0), ctx.flags.timeoutMs);
  ctx.record.phases.push({ name: "preflight", status: "pass", durationMs: Date.now() - started });
  log("preflight: agent signed in and out");
}
