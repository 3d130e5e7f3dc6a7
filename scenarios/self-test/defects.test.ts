/**
 * The suite tests itself: against the mock with each defect of its catalog switched on, the same cases must
 * fail, and a failing clause row must name the defect's clause. The clean run is the suite itself
 * (scenarios/voicecall/*), plus a clean in-process run here in the other authentication mode.
 */
import { describe, expect, inject, it } from "vitest";
import { failingClauses } from "../../lib/report/conformance.ts";
import { profileAuthMode, profileEdition } from "../../lib/target-profile.ts";
import { DEFECT_CATALOG, runAgainstMock } from "../setup/mock-target.ts";

const config = inject("ccgwSuite");
const edition = profileEdition(config.profile);
const authMode = profileAuthMode(config.profile);
const otherMode = authMode === "dynamic" ? "static" : "dynamic";

describe.concurrent("defect sweep", () => {
  it(`a clean mock (${edition}, ${otherMode} authentication) fails no clause`, async () => {
    const report = await runAgainstMock({ edition, authMode: otherMode, seed: config.seed, defects: [] });
    expect(failingClauses(report)).toEqual([]);
    expect(report.cases.fail).toBe(0);
  });

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
      });
      const failing = failingClauses(report);
      expect(failing, `${defect.description} (failing clauses: ${failing.join(", ") || "none"})`).toContain(
        defect.clause,
      );
    });
  }
});
