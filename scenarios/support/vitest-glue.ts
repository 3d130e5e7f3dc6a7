/**
 * Turns one family of cases into vitest tests: titles end with the clause in brackets, the clause is kept in
 * task.meta, each result is appended to the run's results file, a failing finding fails the test with its
 * clause named, a case that could not run is skipped with its reason, and a watchdog ends a run that stalls.
 */
import { afterAll, describe, inject, test } from "vitest";
import { applyBaseline } from "../../lib/baseline.ts";
import { redactText } from "../../lib/redact.ts";
import { openSuite } from "../suite.ts";
import { type Family, runCheck } from "./cases.ts";
import { fileTracker, recordResult } from "./run-files.ts";

declare module "vitest" {
  interface TaskMeta {
    clause?: string;
    verdict?: string;
  }
}

/** Declares the tests of one family of cases against the run's target. */
export function defineFamily(family: Family): void {
  const config = inject("ccgwSuite");
  const suite = openSuite({ ...config, ledgerDir: config.runDir }, fileTracker(config.runDir));
  const running = new Set<string>();
  const stalled: string[] = [];
  const { watchdogMs } = suite.target.deadlines;
  const timer = setTimeout(() => {
    stalled.push(...[...running].map((id) => `case ${id}`), ...suite.pool.waiting());
    suite.pool.stop();
  }, watchdogMs);
  timer.unref();
  afterAll(async () => {
    clearTimeout(timer);
    await suite.pool.close();
  });
  const checks = suite.checks.filter((c) => c.group === family);
  describe.concurrent(family, () => {
    for (const check of checks) {
      test(`${check.title} [${check.clause}]`, async ({ task, skip, annotate }) => {
        task.meta.clause = check.clause;
        running.add(check.id);
        const { baseline } = config;
        const ran = await runCheck(check, suite.ctx);
        const result = baseline ? applyBaseline(ran, baseline.entries, baseline.day) : ran;
        running.delete(check.id);
        if (suite.pool.signal.aborted)
          result.observed = `${result.observed}; still waiting: ${stalled.join("; ")}`;
        task.meta.verdict = result.verdict;
        recordResult(config.runDir, result);
        if (suite.pool.signal.aborted) {
          throw new Error(
            `the run's watchdog ended it after ${watchdogMs} ms; still waiting: ${stalled.join("; ") || "nothing named"}`,
          );
        }
        const failures = result.findings.filter((f) => f.verdict === "fail");
        if (failures.some((f) => !f.known)) {
          throw new Error(
            redactText(
              failures
                .filter((f) => !f.known)
                .map((f) => `[${f.clause}] ${f.message}`)
                .join("\n"),
              suite.target.secrets,
            ),
          );
        }
        if (failures.length > 0) {
          // Known failures only: skipped in JUnit, with the baseline's reason as the test's annotation.
          const why = failures
            .map((f) => `[${f.clause}] known until ${f.known?.expires}: ${f.known?.reason}; ${f.message}`)
            .join("\n");
          await annotate(redactText(why, suite.target.secrets), "known-failure");
          skip(`known failure (baseline): ${failures[0]?.known?.reason ?? ""}`);
        }
        if (result.verdict === "not-tested") skip(`not tested: ${result.observed ?? "no reason given"}`);
      });
    }
  });
}
