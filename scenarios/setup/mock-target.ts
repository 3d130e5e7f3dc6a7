/**
 * Runs the suite's cases against an embedded mock started with given defects and open choices, in-process and
 * without vitest tests of its own: the self-test uses it to prove that each defect of the mock's catalog fails
 * its clause and that a conforming gateway, whichever open choices it takes, fails none.
 * Lives in scenarios/setup because only setup may import the mock.
 */
import { clausesOf, type Edition } from "../../contracts/index.ts";
import { buildReport, type ConformanceReport } from "../../lib/report/conformance.ts";
import type { AuthMode, TargetProfile } from "../../lib/target-profile.ts";
import {
  DEFECTS,
  type DefectDefinition,
  type GatewayOptions,
  runtimeOf,
  startGateway,
} from "../../mock/index.ts";
import { openSuite } from "../suite.ts";
import { runChecks } from "../support/cases.ts";
import { MOCK_DEADLINES } from "../support/run-files.ts";
import type { Deadlines } from "../support/target.ts";
import { suiteMockOptions, suiteProfile } from "./suite-mock.ts";

/** The mock's defect catalog: name, the clause the suite must fail on, and a setting that shows it if needed. */
export const DEFECT_CATALOG: readonly DefectDefinition[] = DEFECTS;

export interface MockRun {
  edition: Edition;
  authMode: AuthMode;
  seed: number;
  defects: string[];
  /** Open choices the mock takes the other option of (true: all). */
  alternateChoices?: boolean | string[];
  /** Changes to the suite's profile of the mock (fewer agents, say). */
  profile?: (profile: TargetProfile) => TargetProfile;
  /** Other options of the mock (a shorter heartbeat timeout, say). */
  mock?: Partial<GatewayOptions>;
  /** Other deadlines of the suite. */
  deadlines?: Partial<Deadlines>;
  concurrency?: number;
}

/** What a run against the mock gives: the report, what stalled, the mock's requests by operation and answer. */
export interface MockRunResult extends ConformanceReport {
  stalled: string[];
  requests: Record<string, Record<string, number>>;
  /** Agents the mock still had signed in after the suite closed. */
  signedInAfter: number;
  /** Agents the mock signed out because they did not poll in time. */
  signOutsByTimeout: number;
  /** Answers about the session to requests that did not test it (Target.sessionAnswers). */
  sessionAnswers: string[];
  /** Sessions whose polls the gateway refused (Target.sessionsLost). */
  sessionsLost: string[];
}

/** Runs every case against a fresh mock and returns the conformance report, with what stalled, if anything. */
export async function runAgainstMock(options: MockRun): Promise<MockRunResult> {
  const { edition, authMode, seed, defects, alternateChoices } = options;
  const gateway = await startGateway({
    ...suiteMockOptions(edition, authMode, seed, defects, alternateChoices),
    ...options.mock,
  });
  const started = new Date();
  try {
    const base = suiteProfile(gateway, options.seed);
    const profile = options.profile ? options.profile(base) : base;
    const deadlines = { ...MOCK_DEADLINES, ...options.deadlines };
    const suite = openSuite({ profile, seed: options.seed, deadlines, poolSize: 10 });
    const { results, stalled } = await runChecks(suite.checks, suite.ctx, options.concurrency ?? 10);
    await suite.pool.close();
    const finished = new Date();
    const report = buildReport(
      {
        runId: `self-test-${options.defects.join("+") || "clean"}`,
        edition: options.edition,
        authMode: options.authMode,
        target: { name: "embedded mock", baseUrl: gateway.url },
        seed: options.seed,
        startedAt: started.toISOString(),
        finishedAt: finished.toISOString(),
        durationMs: finished.getTime() - started.getTime(),
        defects: options.defects,
      },
      results,
      clausesOf(options.edition),
    );
    const store = runtimeOf(gateway.app).store;
    return {
      ...report,
      stalled,
      requests: structuredClone(store.counters.requests),
      signedInAfter: store.sessions.size,
      signOutsByTimeout: store.counters.signOutsByTimeout,
      sessionAnswers: suite.target.sessionAnswers,
      sessionsLost: suite.target.sessionsLost,
    };
  } finally {
    await gateway.close();
  }
}
