/**
 * The run's plan before anything is sent: which agents and numbers, how fast, how long and how many calls; the
 * cap check against the profile; and the confirmation a load run against a non-loopback gateway needs.
 */
import { createInterface } from "node:readline/promises";
import { HarnessError } from "../../lib/errors.ts";
import { Roster } from "../../lib/roster.ts";
import {
  assertPlanWithinCaps,
  policyFromProfile,
  type RunPlan,
  type SafetyPolicy,
} from "../../lib/safety.ts";
import { calledNumbers, isLoopback, type TargetProfile } from "../../lib/target-profile.ts";
import { expectedAttempts, peakRate, scheduleSeconds } from "../../load/plan.ts";
import { isLoadProfileName, LOAD_PROFILES } from "../../load/profiles.ts";

/** Names of the load profiles scripts/load.ts accepts. */
export const LOAD_PROFILE_NAMES = Object.keys(LOAD_PROFILES);

/** Agents the functional suite may sign in, at most (for the sign-out sweep). */
export const SUITE_AGENTS = 8;

/** The plan of a run: the load phase's figures from the load profile, the suite's as a small bounded phase. */
export function planRun(
  profile: TargetProfile,
  options: { loadProfile: string; skipContract: boolean; skipLoad: boolean; loadDurationS?: number },
): { plan: RunPlan; policy: SafetyPolicy; loadAgents: number } {
  const policy = policyFromProfile(profile);
  const agentCount = new Roster(profile).size;
  const phases: { name: string; calls?: number; callsPerSecond?: number; durationSeconds?: number }[] = [];
  let peak = 0;
  let duration = 0;
  let total = 0;
  let loadAgents = 0;
  if (!options.skipContract) {
    phases.push({ name: "contract suite" });
  }
  if (!options.skipLoad) {
    if (!isLoadProfileName(options.loadProfile)) {
      throw new HarnessError(
        "CCGW_USAGE",
        `--load-profile ${options.loadProfile}: unknown; choose one of ${LOAD_PROFILE_NAMES.join(", ")}`,
      );
    }
    const load = LOAD_PROFILES[options.loadProfile];
    loadAgents = Math.min(load.agents, agentCount);
    const capacity = "capacity" in load ? load.capacity : undefined;
    peak = capacity
      ? Math.min(capacity.maxRate, policy.maxCallsPerSecond ?? capacity.maxRate)
      : peakRate(load);
    const fullSchedule = scheduleSeconds(load);
    // --load-duration scales every stage, as scripts/load.ts --duration does.
    const factor = options.loadDurationS === undefined ? 1 : options.loadDurationS / fullSchedule;
    const schedule = fullSchedule * factor;
    duration = schedule + load.signInS + load.drainMs / 1000;
    total = capacity ? Math.ceil(peak * schedule) : Math.ceil(expectedAttempts(load) * factor);
    phases.push({
      name: `load ${load.name}`,
      calls: total,
      callsPerSecond: peak,
      durationSeconds: Math.round(duration),
    });
  }
  const plan: RunPlan = {
    target: profile.baseUrl,
    agents: Math.max(loadAgents, Math.min(SUITE_AGENTS, agentCount)),
    numbers: calledNumbers(profile).map((c) => c.number),
    peakCallsPerSecond: peak,
    durationSeconds: Math.round(duration),
    totalCalls: total,
    phases,
  };
  return { plan, policy, loadAgents };
}

/** Throws when the load plan breaks the profile's caps. */
export function checkCaps(policy: SafetyPolicy, plan: RunPlan): void {
  assertPlanWithinCaps(policy, plan);
}

/**
 * A load run against a gateway that is not on this machine needs a yes: --yes, or an answer on a terminal.
 * Without a terminal and without --yes it is refused (CCGW_USAGE, exit 2).
 */
export async function confirmRemoteLoad(
  profile: TargetProfile,
  plan: RunPlan,
  options: {
    yes: boolean;
    isTty?: boolean;
    ask?: (question: string) => Promise<string>;
  },
): Promise<void> {
  if (isLoopback(profile.baseUrl) || options.yes) return;
  const isTty = options.isTty ?? (process.stdin.isTTY === true && process.stderr.isTTY === true);
  if (!isTty && !options.ask) {
    throw new HarnessError(
      "CCGW_USAGE",
      `refusing a load run against ${profile.baseUrl}, which is not on this machine, without --yes (no terminal to ask)`,
      "check the plan with --dry-run, then pass --yes",
    );
  }
  const question = `Load run against ${profile.baseUrl}: up to ${plan.totalCalls} calls at up to ${plan.peakCallsPerSecond} calls/s to ${plan.numbers.length} number(s), about ${plan.durationSeconds} s. Go ahead? [y/N] `;
  const ask =
    options.ask ??
    (async (q: string) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(q);
      } finally {
        rl.close();
      }
    });
  const answer = (await ask(question)).trim().toLowerCase();
  if (answer !== "y" && answer !== "yes") {
    throw new HarnessError("CCGW_USAGE", "load run not confirmed; nothing was sent");
  }
}
