/** The skip report names every skip with its reason, and fails a strict run on any skip, any run on a silent one. */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { TestModule } from "vitest/node";
import { SkipReport } from "./skip-report.ts";

/** A test module with tests of the given results, shaped as the reporter reads it. */
function moduleOf(results: { name: string; state: string; note?: string }[]): TestModule {
  const tests = results.map((r) => ({ fullName: r.name, result: () => ({ state: r.state, note: r.note }) }));
  return { children: { allTests: () => tests } } as unknown as TestModule;
}

const saved = process.exitCode;
afterEach(() => {
  process.exitCode = saved;
  vi.restoreAllMocks();
});

describe("skip report", () => {
  it("lists each skip with its reason and leaves a lenient run's verdict alone", () => {
    const out = vi.spyOn(process.stdout, "write").mockReturnValue(true);
    process.exitCode = 0;
    new SkipReport({ strict: false }).onTestRunEnd([
      moduleOf([
        { name: "a case", state: "skipped", note: "not tested: no number of 24 characters" },
        { name: "another", state: "passed" },
      ]),
    ]);
    expect(String(out.mock.calls.at(-1)?.[0])).toContain(
      "skipped: a case: not tested: no number of 24 characters",
    );
    expect(process.exitCode).toBe(0);
  });

  it("fails a run with a skip that gives no reason", () => {
    vi.spyOn(process.stdout, "write").mockReturnValue(true);
    vi.spyOn(process.stderr, "write").mockReturnValue(true);
    process.exitCode = 0;
    new SkipReport({ strict: false }).onTestRunEnd([moduleOf([{ name: "quiet", state: "skipped" }])]);
    expect(process.exitCode).toBe(1);
  });

  it("fails a strict run (the CI gate) on any skip", () => {
    vi.spyOn(process.stdout, "write").mockReturnValue(true);
    vi.spyOn(process.stderr, "write").mockReturnValue(true);
    process.exitCode = 0;
    new SkipReport({ strict: true }).onTestRunEnd([
      moduleOf([{ name: "x", state: "skipped", note: "a reason" }]),
    ]);
    expect(process.exitCode).toBe(1);
  });
});
