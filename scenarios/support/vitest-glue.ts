/**
 * Turns the cases of one group into vitest tests: titles end with the clause in brackets, the clause is kept in
 * task.meta, each result is appended to the run's results file, and a failing finding fails the test with
 * its clause named.
 */
import { afterAll, describe, inject, test } from "vitest";
import { redactText } from "../../lib/redact.ts";
import { type Check, runCheck } from "./checks.ts";
import { fileTracker, openSuite, recordResult } from "./suite.ts";

declare module "vitest" {
  interface TaskMeta {
    clause?: string;
    verdict?: string;
  }
}

/** Declares the tests of one group of cases against the run's target. */
export function defineGroup(group: Check["group"]): void {
  const config = inject("ccgwSuite");
  const suite = openSuite(config, fileTracker(config.runDir));
  afterAll(async () => {
    await suite.pool.close();
  });
  describe.concurrent(group, () => {
    for (const check of suite.checks.filter((c) => c.group === group)) {
      test(`${check.title} [${check.clause}]`, async ({ task, skip }) => {
        task.meta.clause = check.clause;
        const result = await runCheck(check, suite.ctx);
        task.meta.verdict = result.verdict;
        recordResult(config.runDir, result);
        const failures = result.findings.filter((f) => f.verdict === "fail");
        if (failures.length > 0) {
          throw new Error(
            redactText(failures.map((f) => `[${f.clause}] ${f.message}`).join("\n"), suite.target.secrets),
          );
        }
        if (result.verdict === "not-tested") skip(result.observed ?? "not tested");
      });
    }
  });
}
