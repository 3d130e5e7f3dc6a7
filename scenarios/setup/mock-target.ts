/**
 * Runs the suite's cases against an embedded mock started with given defects, in-process and without vitest
 * tests of its own: the self-test uses it to prove that each defect of the mock's catalog fails its clause.
 * Lives in scenarios/setup because only setup may import the mock.
 */
import { clausesOf, type Edition } from "../../contracts/index.ts";
import { buildReport, type CaseResult, type ConformanceReport } from "../../lib/report/conformance.ts";
import type { AuthMode } from "../../lib/target-profile.ts";
import { DEFECTS, mockProfile, startGateway } from "../../mock/index.ts";
import { suiteMockOptions } from "../../mock/suite-options.ts";
import { runCheck } from "../support/checks.ts";
import { MOCK_DEADLINES, openSuite } from "../support/suite.ts";

/** The mock's defect catalog: name, and the clause the suite must fail on. */
export const DEFECT_CATALOG: readonly { name: string; clause: string; description: string }[] = DEFECTS;

/** Runs every case against a fresh mock with `defects` on and returns the conformance report. */
export async function runAgainstMock(options: {
  edition: Edition;
  authMode: AuthMode;
  seed: number;
  defects: string[];
  concurrency?: number;
}): Promise<ConformanceReport> {
  const gateway = await startGateway(
    suiteMockOptions(options.edition, options.authMode, options.seed, options.defects),
  );
  const started = new Date();
  try {
    const profile = mockProfile(gateway);
    const suite = openSuite({ profile, seed: options.seed, deadlines: MOCK_DEADLINES, poolSize: 8 });
    const results: CaseResult[] = [];
    const queue = [...suite.checks];
    const workers = Array.from({ length: options.concurrency ?? 8 }, async () => {
      for (let check = queue.shift(); check; check = queue.shift())
        results.push(await runCheck(check, suite.ctx));
    });
    await Promise.all(workers);
    await suite.pool.close();
    const finished = new Date();
    return buildReport(
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
  } finally {
    await gateway.close();
  }
}
