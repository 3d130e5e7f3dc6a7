/**
 * A case of the suite is data (id, family, title, clause, the agents it needs) plus one function. defineCase
 * builds it; runCheck leases the agents, runs the function, gives the agents back and turns what was recorded
 * into a CaseResult. The scaffolding around a case exists here once.
 */
import { en, Faker } from "@faker-js/faker";
import { HarnessError } from "../../lib/errors.ts";
import { type CaseResult, caseVerdict } from "../../lib/report/conformance.ts";
import type { AgentPool, Lease, Needs } from "./agent-pool.ts";
import { NotTested, Recorder } from "./recorder.ts";
import { SignInError } from "./sign-ins.ts";
import type { SuiteAgent } from "./suite-agent.ts";
import type { Target } from "./target.ts";

/** The families of cases, one file each beside the test file that runs it. */
export type Family =
  | "callout boundaries"
  | "callout authentication"
  | "callout state"
  | "callout phases"
  | "call flows"
  | "sign-in and sign-out"
  | "polling"
  | "hold";

export interface CheckContext {
  target: Target;
  /** The agents; pool.stop() is the run's watchdog. */
  pool: AgentPool;
  faker: Faker;
}

/** What a case's function gets: its agents (signed in), its spares (signed out), the recorder. */
export interface CaseRun {
  ctx: CheckContext;
  rec: Recorder;
  agents: SuiteAgent[];
  spares: SuiteAgent[];
}

/** One case of the suite. */
export interface Check {
  id: string;
  group: Family;
  title: string;
  clause: string;
  needs: Needs;
  /**
   * What the case needs of the target profile, checked before anything is sent (and by the dry run): throws
   * NotTested naming the profile field when the profile cannot support the case. Pure: no request.
   */
  plan?(target: Target): void;
  run(run: CaseRun): Promise<void>;
}

/** The data of a case; `needs` defaults to one signed-in agent. */
export interface CaseSpec {
  id: string;
  title: string;
  clause: string;
  needs?: Partial<Needs>;
  plan?(target: Target): void;
}

/** Builds a case of a family from its data and its function. */
export function defineCase(group: Family, spec: CaseSpec, run: (run: CaseRun) => Promise<void>): Check {
  const needs = { signedIn: spec.needs?.signedIn ?? 1, signedOut: spec.needs?.signedOut ?? 0 };
  return { ...spec, group, needs, run };
}

/** A seeded faker: same seed, same data. */
export function seededFaker(seed: number): Faker {
  const faker = new Faker({ locale: [en] });
  faker.seed(seed);
  return faker;
}

/** The fewest agents of a profile the cases need: as many as the case that needs the most. */
export function fewestAgents(checks: readonly Check[]): number {
  return Math.max(1, ...checks.map((c) => c.needs.signedIn + c.needs.signedOut));
}

/** Runs a case and turns what it recorded into a CaseResult; harness errors become failures of its clause. */
export async function runCheck(check: Check, ctx: CheckContext): Promise<CaseResult> {
  const rec = new Recorder();
  const started = Date.now();
  let notTested: string | undefined;
  let need: CaseResult["needs"];
  let lease: Lease | undefined;
  try {
    if (ctx.pool.signal.aborted) throw new NotTested("the run's watchdog had already stopped the run");
    check.plan?.(ctx.target);
    lease = await ctx.pool.acquire(check.needs, rec);
    await check.run({ ctx, rec, agents: lease.agents, spares: lease.spares });
  } catch (error) {
    notTested = notTestedReason(error);
    if (error instanceof NotTested) need = error.need;
    if (notTested === undefined) {
      rec.add(check.clause, "fail", `the case could not complete: ${(error as Error).message}`);
    }
  } finally {
    if (lease) await ctx.pool.giveBack(lease);
  }
  // Stopped by the watchdog: what the case saw after that is no evidence (a poll cut short is no lost event).
  const aborted = ctx.pool.signal.aborted;
  if (aborted) notTested = `stopped by the run's watchdog after ${ctx.target.deadlines.watchdogMs} ms`;
  const findings = aborted ? [] : rec.findings;
  // A case that failed something before it had to stop is a failure, not an untested case.
  const verdict =
    caseVerdict(findings) === "fail" || notTested === undefined ? caseVerdict(findings) : "not-tested";
  const observed = notTested ?? rec.observed;
  return {
    id: check.id,
    title: check.title,
    group: check.group,
    clause: check.clause,
    verdict,
    findings,
    evidence: rec.evidence,
    ...(observed ? { observed } : {}),
    ...(need && !aborted && verdict === "not-tested" ? { needs: need } : {}),
    durationMs: Date.now() - started,
  };
}

/** Why a case could not run against this target, or undefined when the error is a failure. */
function notTestedReason(error: unknown): string | undefined {
  if (error instanceof NotTested) return error.message;
  // An agent the gateway would not sign in (refused, or an answer that cannot be read): the pool heard of it.
  if (error instanceof SignInError) return error.message;
  // The safety rails refused the callout (number outside the list, budget spent): not run against this target.
  if (
    error instanceof HarnessError &&
    (error.code === "CCGW_NUMBER_NOT_ALLOWED" || error.code === "CCGW_BUDGET_EXCEEDED")
  ) {
    return error.message;
  }
  return undefined;
}

/**
 * Runs cases over the pool, `concurrency` at a time, under a watchdog: past watchdogMs the run is stopped,
 * every case still running or waiting ends as not tested, and `stalled` names what was still waiting.
 */
export async function runChecks(
  checks: readonly Check[],
  ctx: CheckContext,
  concurrency: number,
): Promise<{ results: CaseResult[]; stalled: string[] }> {
  const results: CaseResult[] = [];
  const queue = [...checks];
  const running = new Map<string, Promise<CaseResult>>();
  const stalled: string[] = [];
  const timer = setTimeout(() => {
    stalled.push(...[...running.keys()].map((id) => `case ${id}`), ...ctx.pool.waiting());
    ctx.pool.stop();
  }, ctx.target.deadlines.watchdogMs);
  const workers = Array.from({ length: Math.max(1, concurrency) }, async () => {
    for (let check = queue.shift(); check; check = queue.shift()) {
      const pending = runCheck(check, ctx);
      running.set(check.id, pending);
      results.push(await pending);
      running.delete(check.id);
    }
  });
  await Promise.all(workers);
  clearTimeout(timer);
  if (stalled.length > 0) {
    for (const r of results)
      if (r.verdict === "not-tested") r.observed = `${r.observed}; still waiting: ${stalled.join("; ")}`;
  }
  return { results, stalled };
}
