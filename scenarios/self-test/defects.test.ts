/**
 * The suite tests itself against gateways it must fail: the mock with each defect of its catalog switched on
 * must fail the defect's clause, and a gateway whose answers cannot be read fails at once, without looping
 * over sign-ins and without hanging.
 */
import { describe, expect, inject, it } from "vitest";
import { failingClauses } from "../../lib/report/conformance.ts";
import { profileAuthMode, profileEdition } from "../../lib/target-profile.ts";
import { DEFECT_CATALOG, type MockRunResult, runAgainstMock } from "../setup/mock-target.ts";

const config = inject("ccgwSuite");
const edition = profileEdition(config.profile);
const authMode = profileAuthMode(config.profile);

describe.concurrent("defect sweep", () => {
  for (const defect of DEFECT_CATALOG) {
    it(`defect ${defect.name} is caught [${defect.clause}]`, async ({ task }) => {
      task.meta.clause = defect.clause;
      // Guid rotation only exists under dynamic authentication; every other defect runs in the suite's mode.
      const mode = defect.name === "dynamic-guid-not-honoured" ? "dynamic" : authMode;
      const report = await runAgainstMock({
        edition,
        authMode: mode,
        seed: config.seed,
        defects: [defect.name],
        ...(defect.showsWith ? { mock: defect.showsWith } : {}),
      });
      const failing = failingClauses(report);
      expect(failing, `${defect.description} (failing clauses: ${failing.join(", ") || "none"})`).toContain(
        defect.clause,
      );
      expect(report.stalled, "the run stalled").toEqual([]);
      expect(report.signedInAfter, "agents left signed in").toBe(0);
    });
  }
});

/** Sign-in requests (plain and forced) the mock received in a run. */
function signIns(report: MockRunResult): { plain: number; forced: number } {
  const sum = (byAnswer: Record<string, number> | undefined) =>
    Object.values(byAnswer ?? {}).reduce((a, b) => a + b, 0);
  return { plain: sum(report.requests.login), forced: sum(report.requests.forceLogin) };
}

describe.concurrent("gateways the suite cannot sign in to", () => {
  it("a refused password: one sign-in, then no other (accounts lock), every case says why", async () => {
    const report = await runAgainstMock({
      edition,
      authMode,
      seed: config.seed,
      defects: [],
      profile: (p) =>
        p.agentRange ? { ...p, agentRange: { ...p.agentRange, password: "not-the-password" } } : p,
    });
    expect(signIns(report)).toEqual({ plain: 1, forced: 0 });
    expect(report.stalled).toEqual([]);
    expect(report.cases.fail).toBe(0);
    for (const r of report.results) expect(r.observed, r.id).toMatch(/credentials|accounts lock/);
  });

  for (const defect of ["retcode-as-number", "html-answers"]) {
    it(`${defect}: the first sign-in fails the clause, no agent is signed in again, every other case says why`, async () => {
      const report = await runAgainstMock({ edition, authMode, seed: config.seed, defects: [defect] });
      expect(signIns(report)).toEqual({ plain: 1, forced: 0 });
      expect(report.stalled).toEqual([]);
      expect(report.cases.fail).toBeGreaterThanOrEqual(1);
      const untested = report.results.filter((r) => r.verdict === "not-tested");
      expect(untested.length).toBe(report.cases.total - report.cases.fail);
      for (const r of untested) expect(r.observed, r.id).toMatch(/cannot be read/);
    });
  }
});
