/**
 * A vitest reporter that says why every skipped test was skipped (its note), at the end of the run. Strict
 * (the project's own CI gate): any skip fails the run, since .ci/run installs everything the tests need, and a
 * test that skips quietly checks nothing. Not strict (a contract run against a gateway): cases the profile
 * cannot support are listed with their reasons and the run is judged as usual.
 */
import type { Reporter, TestModule, Vitest } from "vitest/node";

export class SkipReport implements Reporter {
  private readonly strict: boolean;
  /** A run filtered by test name (-t): the tests left out are skipped by the filter, not by themselves. */
  private filtered = false;

  constructor(options: { strict: boolean }) {
    this.strict = options.strict;
  }

  onInit(vitest: Vitest): void {
    this.filtered = vitest.config.testNamePattern !== undefined;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const skipped: { name: string; note: string | undefined }[] = [];
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === "skipped") skipped.push({ name: test.fullName, note: result.note });
      }
    }
    if (skipped.length === 0 || this.filtered) return;
    const lines = skipped.map((s) => `  skipped: ${s.name}: ${s.note ?? "NO REASON GIVEN"}`);
    process.stdout.write(`\n${skipped.length} test(s) skipped:\n${lines.join("\n")}\n`);
    const unexplained = skipped.filter((s) => !s.note).length;
    if (this.strict || unexplained > 0) {
      const why = this.strict ? "the CI gate allows no skip" : `${unexplained} skip(s) without a reason`;
      process.stderr.write(`skip report: failing the run: ${why}\n`);
      process.exitCode = 1;
    }
  }
}
