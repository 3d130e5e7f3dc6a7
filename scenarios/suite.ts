/**
 * The suite: every case, family by family (each family's cases live beside the test file that runs it), in a
 * stable order (same seed, same cases and data), and a suite opened on a target: its agent pool and the check
 * that the profile has the agents the cases need.
 */

import { HarnessError } from "../lib/errors.ts";
import type { TargetProfile } from "../lib/target-profile.ts";
import { pollingCases } from "./agentevent/polling.cases.ts";
import { signInCases } from "./onlineagent/sign-in.cases.ts";
import { AgentPool } from "./support/agent-pool.ts";
import { type Check, type CheckContext, fewestAgents, seededFaker } from "./support/cases.ts";
import type { SignInTracker } from "./support/sign-ins.ts";
import { type Deadlines, makeTarget, type Target } from "./support/target.ts";
import { callFlowCases } from "./voicecall/call-flows.cases.ts";
import { calloutAuthCases } from "./voicecall/callout.auth.cases.ts";
import { calloutBoundaryCases } from "./voicecall/callout.boundaries.cases.ts";
import { calloutPhaseCases } from "./voicecall/callout.phases.cases.ts";
import { calloutStateCases } from "./voicecall/callout.state.cases.ts";
import { holdCases } from "./voicecall/hold.cases.ts";

/** The families, each a function from the target (and the seeded data) to its cases. */
export const FAMILIES = {
  "callout boundaries": (target: Target, seed: number) => calloutBoundaryCases(target, seededFaker(seed)),
  "callout authentication": (target: Target) => calloutAuthCases(target),
  "callout state": (target: Target) => calloutStateCases(target),
  "callout phases": (target: Target) => calloutPhaseCases(target),
  "call flows": (target: Target) => callFlowCases(target),
  "sign-in and sign-out": (target: Target) => signInCases(target),
  polling: (target: Target) => pollingCases(target),
  hold: () => holdCases(),
} satisfies Record<Check["group"], (target: Target, seed: number) => Check[]>;

/** Every case of the suite for a target. */
export function buildChecks(target: Target, seed: number): Check[] {
  return Object.values(FAMILIES).flatMap((family) => family(target, seed));
}

/** An opened suite: the target, its agent pool and every case. */
export interface Suite {
  target: Target;
  pool: AgentPool;
  ctx: CheckContext;
  checks: Check[];
}

export interface SuiteOptions {
  profile: TargetProfile;
  seed: number;
  deadlines: Deadlines;
  /** Most agents of the profile the suite uses at once. */
  poolSize: number;
  /** The run's folder: its call ledger holds maxTotalCalls across the suite's test files. */
  ledgerDir?: string;
}

/**
 * Refuses a profile with fewer agents than the case that needs the most: the suite could not finish.
 * @throws HarnessError CCGW_PROFILE_INVALID naming the number needed
 */
export function checkAgents(target: Target, checks: readonly Check[]): void {
  const needed = fewestAgents(checks);
  if (target.agents.size < needed) {
    throw new HarnessError(
      "CCGW_PROFILE_INVALID",
      `the functional suite needs at least ${needed} agents and the target profile has ${target.agents.size}`,
      `list ${needed} or more agents in agents or agentRange`,
    );
  }
}

export function openSuite(options: SuiteOptions, tracker?: SignInTracker): Suite {
  const target = makeTarget(
    options.profile,
    options.deadlines,
    options.ledgerDir ? { ledgerDir: options.ledgerDir } : {},
  );
  const checks = buildChecks(target, options.seed);
  checkAgents(target, checks);
  const pool = new AgentPool(
    target,
    Math.min(options.poolSize, target.agents.size),
    tracker ? { tracker } : {},
  );
  // Data of the cases and data of the run come from separate faker streams, so adding a case does not
  // change the values of the others.
  return { target, pool, ctx: { target, pool, faker: seededFaker(options.seed + 1) }, checks };
}
