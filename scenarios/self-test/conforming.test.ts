/**
 * The suite against conforming gateways: the mock in every edition and authentication mode, the mock taking
 * the other option of every choice the pages leave open, and the mock described by a profile with the fewest
 * agents the suite needs. None may fail a clause or stall; the cases that cannot be tested are exactly the
 * expected ones; every open choice is recorded, with the option the gateway took.
 */
import { describe, expect, inject, it } from "vitest";
import { EDITIONS, OPEN_CHOICES } from "../../contracts/index.ts";
import { HarnessError } from "../../lib/errors.ts";
import { failingClauses } from "../../lib/report/conformance.ts";
import { type Agent, expandAgents, profileEdition, type TargetProfile } from "../../lib/target-profile.ts";
import { runAgainstMock } from "../setup/mock-target.ts";
import { buildChecks, openSuite } from "../suite.ts";
import { fewestAgents } from "../support/cases.ts";
import { MOCK_DEADLINES } from "../support/run-files.ts";
import { makeTarget } from "../support/target.ts";

const config = inject("ccgwSuite");
const edition = profileEdition(config.profile);

/** Cases the mock cannot test by design, by authentication mode. */
const UNTESTABLE: Record<string, string[]> = { static: ["auth-rotated-guid"], dynamic: [] };

/** The profile with exactly these agents. */
function withAgents(profile: TargetProfile, agents: Agent[]): TargetProfile {
  const { agentRange: _range, agents: _agents, ...rest } = profile;
  return { ...rest, agents } as TargetProfile;
}

/** Choices the mock's answers show without a switch of their own: measured values. */
const MEASURED = new Set(["empty-poll-hold"]);

describe.concurrent("conforming gateways", () => {
  for (const ed of EDITIONS) {
    for (const mode of ["static", "dynamic"] as const) {
      it(`the mock in edition ${ed}, ${mode} authentication: no clause fails, only the expected cases are untested`, async () => {
        const report = await runAgainstMock({ edition: ed, authMode: mode, seed: config.seed, defects: [] });
        expect(failingClauses(report)).toEqual([]);
        expect(report.stalled).toEqual([]);
        const untested = report.results
          .filter((r) => r.verdict === "not-tested")
          .map((r) => `${r.id}: ${r.observed}`);
        expect(untested.map((u) => u.split(":")[0])).toEqual(UNTESTABLE[mode]);
        expect(report.signedInAfter).toBe(0);
      });
    }
  }

  for (const alternate of [false, true]) {
    it(`every open choice is recorded, with the ${alternate ? "second" : "first"} option when the mock takes it`, async () => {
      const report = await runAgainstMock({
        edition,
        authMode: "dynamic",
        seed: config.seed,
        defects: [],
        alternateChoices: alternate,
      });
      expect(failingClauses(report)).toEqual([]);
      expect(report.choices.map((c) => c.id).sort()).toEqual(Object.keys(OPEN_CHOICES).sort());
      for (const choice of report.choices) {
        const seen = choice.observed.map((o) => o.option);
        expect(seen.length, `${choice.id} was not recorded`).toBeGreaterThan(0);
        if (MEASURED.has(choice.id)) continue;
        expect(seen, choice.id).toEqual([choice.options[alternate ? 1 : 0]]);
      }
    });
  }

  it("a profile with exactly the fewest agents the suite needs finishes, with the same verdicts", async () => {
    const full = await runAgainstMock({ edition, authMode: "dynamic", seed: config.seed, defects: [] });
    const probe = makeTarget(config.profile, MOCK_DEADLINES);
    const fewest = fewestAgents(buildChecks(probe, config.seed));
    const small = await runAgainstMock({
      edition,
      authMode: "dynamic",
      seed: config.seed,
      defects: [],
      profile: (p) => withAgents(p, expandAgents(p).slice(0, fewest)),
    });
    expect(small.stalled).toEqual([]);
    expect(failingClauses(small)).toEqual([]);
    expect(small.cases.notTested).toBe(full.cases.notTested);
    expect(small.cases.total).toBe(full.cases.total);
  });

  it("a slow, rate-capped run keeps its idle agents signed in: they poll before the gateway's heartbeat timeout", async () => {
    const report = await runAgainstMock({
      edition,
      authMode: "dynamic",
      seed: config.seed,
      defects: [],
      profile: (p) => ({ ...p, maxCallsPerSecond: 12 }),
      mock: { heartbeatTimeoutMs: 1_000 },
    });
    expect(report.signOutsByTimeout).toBe(0);
    const notes = report.clauses.filter((c) => c.verdict === "fail").flatMap((c) => c.notes);
    expect(failingClauses(report), notes.join("\n")).toEqual([]);
    expect(report.stalled).toEqual([]);
  });

  it("a gateway behind a load balancer (a cookie pins each agent to its node): no clause fails", async () => {
    const report = await runAgainstMock({
      edition,
      authMode: "dynamic",
      seed: config.seed,
      defects: [],
      mock: { stickyCookie: true },
    });
    expect(failingClauses(report)).toEqual([]);
    expect(report.stalled).toEqual([]);
    expect(report.signedInAfter).toBe(0);
  });

  it("a profile with fewer agents is refused at start, naming how many the suite needs", () => {
    const probe = makeTarget(config.profile, MOCK_DEADLINES);
    const fewest = fewestAgents(buildChecks(probe, config.seed));
    const profile = withAgents(config.profile, expandAgents(config.profile).slice(0, fewest - 1));
    expect(fewest).toBeGreaterThan(1);
    let refused: unknown;
    try {
      openSuite({ profile, seed: config.seed, deadlines: MOCK_DEADLINES, poolSize: 10 });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(HarnessError);
    expect((refused as HarnessError).code).toBe("CCGW_PROFILE_INVALID");
    expect((refused as HarnessError).message).toContain(`at least ${fewest} agents`);
  });
});
