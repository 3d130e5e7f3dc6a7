/**
 * The suite's plan for a target profile, made before anything is sent: every case's `plan` is run against the
 * target (pure, no request), so each clause of the edition is testable by a case aimed at it, untestable with
 * this profile (with each reason and the profile value that would make it testable), judged only along the way
 * within other cases' exchanges, or beyond any request. `npm run contract -- --dry-run` and `npm start
 * --dry-run` print it.
 */
import { clausesOf } from "../contracts/index.ts";
import { type ProfileNeed, type TodoRow, todoOf } from "../lib/report/conformance.ts";
import type { TargetProfile } from "../lib/target-profile.ts";
import { buildChecks, checkAgents } from "./suite.ts";
import { clauseNeed } from "./support/clause-needs.ts";
import { NotTested } from "./support/recorder.ts";
import { TARGET_DEADLINES } from "./support/run-files.ts";
import { makeTarget, type Target } from "./support/target.ts";

/** What a dry run can say of a clause. */
export type PlanStatus = "testable" | "untestable" | "along-the-way" | "not-testable";

export interface PlannedClause {
  id: string;
  title: string;
  status: PlanStatus;
  /** Cases aimed at the clause, and how many of them this profile lets run. */
  cases: number;
  runnable: number;
  /** Why the cases that cannot run cannot (distinct reasons). */
  reasons: string[];
}

export interface SuitePlan {
  edition: string;
  authMode: string;
  /** The families planned, when not all of them (--only). */
  families?: string[];
  cases: { total: number; runnable: number };
  clauses: PlannedClause[];
  todo: TodoRow[];
}

/**
 * The plan of a target profile.
 * @throws HarnessError CCGW_PROFILE_INVALID when the profile has too few agents for the suite to finish
 */
export function planProfile(profile: TargetProfile, seed: number, families?: readonly string[]): SuitePlan {
  const target = makeTarget(profile, TARGET_DEADLINES);
  const checks = buildChecks(target, seed);
  // The suite's setup asks for the agents of every case, whichever families run.
  checkAgents(target, checks);
  if (!families) return planSuite(target, checks);
  const plan = planSuite(
    target,
    checks.filter((c) => families.includes(c.group)),
  );
  return { ...plan, families: [...families] };
}

/** The plan of every case of the suite against a target. */
export function planSuite(target: Target, checks: ReturnType<typeof buildChecks>): SuitePlan {
  const blocked: { id: string; clause: string; reason: string; needs?: NotTested["need"] }[] = [];
  for (const check of checks) {
    try {
      check.plan?.(target);
    } catch (error) {
      if (!(error instanceof NotTested)) throw error;
      blocked.push({
        id: check.id,
        clause: check.clause,
        reason: error.message,
        ...(error.need ? { needs: error.need } : {}),
      });
    }
  }
  // A clause no case aims at, that only calls of an outcome the profile lacks reach, cannot be tested either;
  // unless a number of the profile is pinned to no outcome: its calls may take any flow.
  const reachedBy: { clause: string; needs: ProfileNeed }[] = [];
  const unpinned = target.called.some((n) => n.outcome === undefined);
  const clauses = clausesOf(target.edition).map((c): PlannedClause => {
    const aimed = checks.filter((k) => k.clause === c.id);
    const stopped = blocked.filter((b) => b.clause === c.id);
    const runnable = aimed.length - stopped.length;
    const reasons = [...new Set(stopped.map((b) => b.reason))];
    const reached =
      aimed.length === 0 && c.testable !== false && !unpinned ? clauseNeed(target, c.id) : undefined;
    if (reached) {
      reachedBy.push({ clause: c.id, needs: reached.need });
      reasons.push(reached.reason);
    }
    const status: PlanStatus =
      c.testable === false
        ? "not-testable"
        : reached
          ? "untestable"
          : aimed.length === 0
            ? "along-the-way"
            : runnable > 0
              ? "testable"
              : "untestable";
    return { id: c.id, title: c.title, status, cases: aimed.length, runnable, reasons };
  });
  const untested = new Set(clauses.filter((c) => c.status === "untestable").map((c) => c.id));
  return {
    edition: target.edition,
    authMode: target.authMode,
    cases: { total: checks.length, runnable: checks.length - blocked.length },
    clauses,
    todo: todoOf(blocked, untested, reachedBy),
  };
}

const HEADINGS: Record<PlanStatus, string> = {
  testable: "testable (a case aimed at the clause can run)",
  untestable: "not testable with this profile",
  "along-the-way":
    "with no case aimed at them: judged within other cases' requests and events, when those show them",
  "not-testable": "beyond any request (platform settings, logs)",
};

/** The plan as text for a terminal: counts, the untestable clauses with their reasons, then the to-do list. */
export function formatSuitePlan(plan: SuitePlan): string {
  const by = (status: PlanStatus) => plan.clauses.filter((c) => c.status === status);
  const lines = [
    `suite plan: edition ${plan.edition}, ${plan.authMode} authentication${plan.families ? ` (families: ${plan.families.join(", ")})` : ""}; ${plan.cases.runnable} of ${plan.cases.total} cases can run with this profile`,
    ...(Object.keys(HEADINGS) as PlanStatus[]).map(
      (s) => `  ${String(by(s).length).padStart(3)} clauses ${HEADINGS[s]}`,
    ),
  ];
  const untestable = by("untestable");
  if (untestable.length > 0) {
    lines.push("", "not testable with this profile:");
    for (const c of untestable) lines.push(`  ${c.id}: ${c.reasons.join("; ")}`);
  }
  const partly = by("testable").filter((c) => c.runnable < c.cases);
  if (partly.length > 0) {
    lines.push("", "testable in part (some of their cases cannot run):");
    for (const c of partly) lines.push(`  ${c.id}: ${c.runnable} of ${c.cases} cases`);
  }
  if (plan.todo.length > 0) {
    lines.push("", "to test more, add to the profile:");
    for (const t of plan.todo) {
      const clauses = t.untested.length > 0 ? `, ${t.untested.length} clause(s) now untestable` : "";
      lines.push(`  ${t.field}: ${t.value} (${t.cases.length} case(s)${clauses})`);
    }
  }
  return lines.join("\n");
}
