/**
 * The suite against conforming gateways, on a machine where another process keeps a core busy: the mock in
 * every edition and authentication mode, the mock taking the other option of every choice the pages leave open,
 * the mock described by a profile with the fewest agents the suite needs, and the mock rotating the Guid on its
 * own clock (every 4 s, the previous one valid for 8 s: gateway settings whose vendor defaults are 60 s and
 * 120 s), three runs per edition over both sets of open choices, and one harsher. None may fail a clause,
 * stall, lose a session or get an answer about the session to a request that does not test it; the cases that
 * cannot be tested are exactly the expected ones; every open choice is recorded, with the option the gateway
 * took and never from an answer about the session; the same configuration repeated gives the same verdicts.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { clausesOf, EDITIONS, type Edition, OPEN_CHOICES, situation } from "../../contracts/index.ts";
import { HarnessError } from "../../lib/errors.ts";
import { failingClauses } from "../../lib/report/conformance.ts";
import { Roster } from "../../lib/roster.ts";
import { type Agent, profileEdition, type TargetProfile } from "../../lib/target-profile.ts";
import { type MockRunResult, runAgainstMock } from "../setup/mock-target.ts";
import { buildChecks, openSuite } from "../suite.ts";
import { fewestAgents } from "../support/cases.ts";
import { STALLED } from "../support/poll-judge.ts";
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

const FAST_ROTATION = { guidRotation: "clock", guidRotationMs: 4_000, guidValidityMs: 8_000 } as const;
/**
 * A suite run against the mock lasts seconds, less than 8 s of validity: a harsher setting besides (a new Guid
 * every second, valid for three) makes a client that leaves its poll closed for three seconds lose its session.
 */
const HARSH_ROTATION = { guidRotation: "clock", guidRotationMs: 1_000, guidValidityMs: 3_000 } as const;
/** Per edition: the first option of every open choice, the second, and the first again (a repeat). */
const RUNS = [false, true, false];
const SESSION_CODES = [...situation("not-signed-in").codes, ...situation("guid-wrong").codes];

let busy: ChildProcess | undefined;
beforeAll(() => {
  // Every conforming run of this file shares the machine with a process that keeps a core busy.
  busy = spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" });
});
afterAll(() => {
  busy?.kill("SIGKILL");
});

/**
 * Sessions lost but not while this process itself stalled: a loss during half a second of its own stalls in all
 * is neither the keeper's doing nor the gateway's (the Guid aged on the gateway's clock while nothing here ran).
 */
function sessionsLostUnexplained(report: MockRunResult): string[] {
  return report.sessionsLost.filter((lost) => !lost.endsWith(STALLED));
}

/**
 * Open choices recorded from an answer with a session code. Two choices are about such answers themselves and are
 * left out: the check order (an out-of-range id checked against the session first) and the HTTP status of a
 * failure envelope (any failure's, a session failure's too).
 */
const ABOUT_SESSION_ANSWERS = new Set(["check-order", "error-http-status"]);
function choicesFromSessionAnswers(report: MockRunResult): string[] {
  return report.choices
    .filter((c) => !ABOUT_SESSION_ANSWERS.has(c.id))
    .flatMap((c) => c.observed.map((o) => `${c.id}: ${o.option} (${o.example})`))
    .filter((text) => SESSION_CODES.some((code) => text.includes(code)));
}

/** The clean run of an edition and mode, made once and shared by the tests that compare with it. */
const cleanRuns = new Map<string, Promise<MockRunResult>>();
function cleanRun(ed: Edition, mode: "static" | "dynamic"): Promise<MockRunResult> {
  const key = `${ed}/${mode}`;
  let run = cleanRuns.get(key);
  if (!run) {
    run = runAgainstMock({ edition: ed, authMode: mode, seed: config.seed, defects: [] });
    cleanRuns.set(key, run);
  }
  return run;
}

/** Every open choice recorded, each with the option the mock takes (first, or with alternate the second). */
function expectEveryChoice(report: MockRunResult, ed: Edition, alternate: boolean): void {
  // The choices of this edition: those whose clause the edition's page has.
  const clauses = new Set(clausesOf(ed).map((c) => c.id));
  const choices = Object.values(OPEN_CHOICES).filter((c) => clauses.has(c["x-spec"]));
  const recorded = report.choices.filter((c) => c.observed.length > 0).map((c) => c.id);
  expect(recorded.sort()).toEqual(choices.map((c) => c.id).sort());
  for (const choice of report.choices.filter((c) => recorded.includes(c.id))) {
    const seen = choice.observed.map((o) => o.option);
    expect(seen.length, `${choice.id} was not recorded`).toBeGreaterThan(0);
    if (MEASURED.has(choice.id)) continue;
    expect(seen, choice.id).toEqual([choice.options[alternate ? 1 : 0]]);
  }
}

function verdicts(report: MockRunResult): Record<string, string> {
  return Object.fromEntries(report.clauses.map((c) => [c.id, c.verdict]));
}

describe.concurrent("conforming gateways", () => {
  for (const ed of EDITIONS) {
    for (const mode of ["static", "dynamic"] as const) {
      it(`the mock in edition ${ed}, ${mode} authentication: no clause fails, only the expected cases are untested`, async () => {
        const report = await cleanRun(ed, mode);
        const notes = report.clauses
          .filter((c) => c.verdict === "fail")
          .flatMap((c) => c.notes.map((n) => n.text));
        expect(failingClauses(report), notes.join("\n")).toEqual([]);
        expect(report.stalled).toEqual([]);
        const untested = report.results
          .filter((r) => r.verdict === "not-tested")
          .map((r) => `${r.id}: ${r.observed}`);
        expect(untested.map((u) => u.split(":")[0])).toEqual(UNTESTABLE[mode]);
        expect(report.signedInAfter).toBe(0);
        expect(report.sessionAnswers).toEqual([]);
        expect(sessionsLostUnexplained(report)).toEqual([]);
      });
    }
  }

  it("a profile with exactly the fewest agents the suite needs finishes, with the same verdicts", async () => {
    const full = await cleanRun(edition, "dynamic");
    const probe = makeTarget(config.profile, MOCK_DEADLINES);
    const fewest = fewestAgents(buildChecks(probe, config.seed));
    const small = await runAgainstMock({
      edition,
      authMode: "dynamic",
      seed: config.seed,
      defects: [],
      profile: (p) => withAgents(p, new Roster(p).first().slice(0, fewest)),
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
      mock: { heartbeatTimeoutMs: 2_000 },
    });
    expect(report.signOutsByTimeout).toBe(0);
    const notes = report.clauses
      .filter((c) => c.verdict === "fail")
      .flatMap((c) => c.notes.map((n) => n.text));
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
    const profile = withAgents(config.profile, new Roster(config.profile).first().slice(0, fewest - 1));
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

  describe.concurrent("a gateway rotating its Guid on its own clock every 4 s, the previous one valid for 8 s", () => {
    for (const ed of EDITIONS) {
      it(`edition ${ed}: three runs over both sets of open choices; no clause fails, no session is lost, a repeat gives the same verdicts`, async () => {
        const reports: MockRunResult[] = [];
        for (const alternate of RUNS) {
          const report = await runAgainstMock({
            edition: ed,
            authMode: "dynamic",
            seed: config.seed,
            defects: [],
            alternateChoices: alternate,
            mock: FAST_ROTATION,
          });
          expectConforming(report, alternate);
          // Both sets of open choices, each recorded with the option the mock took, never from a session answer.
          expectEveryChoice(report, ed, alternate);
          reports.push(report);
        }
        const [first, , repeat] = reports;
        expect(first && verdicts(first)).toEqual(repeat && verdicts(repeat));
      });
    }

    it("a Guid every second, valid for three: a client that left its poll closed for three seconds would lose its session", async () => {
      const report = await runAgainstMock({
        edition,
        authMode: "dynamic",
        seed: config.seed,
        defects: [],
        mock: HARSH_ROTATION,
      });
      // A poll answer read a second late leaves a request with the Guid before: re-sent, never judged.
      expectConforming(report, false, { sessionAnswersAllowed: true });
    });
  });
});

/**
 * A run against a conforming gateway: no clause fails, nothing stalls, no agent is left signed in, loses its
 * session (but while this process stalled) or gets an answer about the session to a request that does not test it (the agents' Guids were always
 * current), no open choice comes from such an answer, and no case is untested but the out-of-range agent ids
 * of a gateway that checks the session first.
 */
function expectConforming(
  report: MockRunResult,
  alternate: boolean,
  options: { sessionAnswersAllowed?: boolean } = {},
): void {
  const notes = report.clauses.filter((c) => c.verdict === "fail").flatMap((c) => c.notes.map((n) => n.text));
  expect(failingClauses(report), notes.join("\n")).toEqual([]);
  expect(report.stalled).toEqual([]);
  expect(report.signedInAfter).toBe(0);
  expect(choicesFromSessionAnswers(report)).toEqual([]);
  if (!options.sessionAnswersAllowed) expect(report.sessionAnswers).toEqual([]);
  expect(sessionsLostUnexplained(report)).toEqual([]);
  const untested = report.results
    .filter((r) => r.verdict === "not-tested")
    .map((r) => `${r.id}: ${r.observed}`);
  expect(untested, "cases not tested against a conforming gateway").toEqual(
    alternate ? untested.filter((u) => u.startsWith("agentid-")) : [],
  );
}
