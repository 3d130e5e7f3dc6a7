/**
 * Phase "sign-out sweep" of the main job, against a gateway that is not the embedded mock: every agent the run
 * may have used is signed out with lib/gateway's sweep, whatever the phases left behind.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sweepSignOut } from "../../lib/gateway/index.ts";
import { type Agent, Roster } from "../../lib/roster.ts";
import type { TargetProfile } from "../../lib/target-profile.ts";
import { log, type RunContext, type RunTarget } from "./context.ts";

/**
 * The agents a run may have left signed in: the first `count` of the profile (the load phase takes its agents
 * from the start of the list) and every agent the functional suite wrote to its sign-in log.
 */
function agentsToSweep(profile: TargetProfile, count: number, suiteLog: string): Agent[] {
  const roster = new Roster(profile);
  const ids = new Set(roster.first(count).map((a) => a.id));
  if (existsSync(suiteLog)) {
    for (const line of readFileSync(suiteLog, "utf8").split("\n")) {
      const id = /"id":"([^"]+)"/.exec(line)?.[1];
      if (id) ids.add(id);
    }
  }
  return [...ids].flatMap((id) => roster.get(id) ?? []);
}

export async function sweepPhase(ctx: RunContext, target: RunTarget, count: number): Promise<void> {
  if (ctx.record.target.embeddedMock || count <= 0) return;
  const agents = agentsToSweep(target.profile, count, join(ctx.runDir, "contract", "raw", "agents.jsonl"));
  log(`signing out ${agents.length} agent(s) the run may have used`);
  const started = Date.now();
  const result = await sweepSignOut(target.profile, agents, { timeoutMs: ctx.flags.timeoutMs });
  ctx.record.phases.push({
    name: "sign-out sweep",
    status: result.failed === 0 ? "pass" : "error",
    durationMs: Date.now() - started,
    note: `${result.signedOut} signed out, ${result.failed} failed`,
  });
}
