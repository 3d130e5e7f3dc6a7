/**
 * The embedded mock as the functional suite runs it (scenarios/setup/global-setup.ts, and the suite phase of
 * `npm start`): fast event scripts, short polls and Guid rotation, and a number of the profile at each length
 * limit of `called` so every valid boundary case has something to dial. The suite's knowledge of the mock, so
 * it lives with the suite's setup (which may start the mock); the scripts start the same mock from here.
 */
import { en, Faker } from "@faker-js/faker";
import { boundaryCases, contractsFor, type Edition } from "../../contracts/index.ts";
import type { AuthMode, TargetProfile } from "../../lib/target-profile.ts";
import {
  DEFAULT_CALLED,
  FAST_TIMING,
  mockProfile,
  type RunningGateway,
  type TimingConfig,
} from "../../mock/index.ts";

/**
 * Fast events, but an answered call rings for a moment: dialling and alerting are phases a second callout can
 * be sent in (the suite sends one in every phase of a call).
 */
const SUITE_TIMING: TimingConfig = {
  ...FAST_TIMING,
  customerAlerting: { kind: "fixed", ms: 150 },
  customerAnswer: { kind: "fixed", ms: 400 },
};

/** Lengths of the valid values of a body field of the callout, from the edition's boundary cases. */
function validLengths(edition: Edition, field: string): number[] {
  const cases = boundaryCases(contractsFor(edition), "voicecall/callout.request", {
    called: DEFAULT_CALLED[0]?.number ?? "1",
  });
  const lengths = cases
    .filter((c) => c.field === field && c.valid && typeof c.fieldValue === "string")
    .map((c) => String(c.fieldValue).length);
  return [...new Set(lengths)];
}

/** Options of the embedded mock for the suite. */
export function suiteMockOptions(
  edition: Edition,
  authMode: AuthMode,
  seed: number,
  defects: string[],
  alternateChoices: boolean | string[] = false,
) {
  // Numbers at the called-number length limits, so the valid boundary cases have a number of the profile to dial.
  const faker = new Faker({ locale: [en] });
  faker.seed(seed);
  const extra = validLengths(edition, "/called").map((n) => ({
    number: faker.string.numeric(n),
    outcome: "not-answered" as const,
  }));
  // A valid number with * and #, as labs have for IVR and feature codes.
  extra.push({
    number: `${faker.string.numeric({ length: 6, allowLeadingZeros: false })}*1#`,
    outcome: "not-answered",
  });
  return {
    edition,
    authMode,
    seed,
    timing: SUITE_TIMING,
    // Long enough against a busy machine to tell a poll answered on an event from one answered when its wait
    // ends (the polling family), short enough for the suite's deadlines.
    pollWaitMs: 300,
    guidRotationMs: 500,
    called: [...DEFAULT_CALLED, ...extra],
    defects,
    alternateChoices,
  };
}

/**
 * The profile the suite runs with against that mock: the mock's own, plus calling numbers at the lengths of
 * the valid caller boundaries (the suite presents only calling numbers of its profile).
 */
export function suiteProfile(gateway: RunningGateway, seed: number): TargetProfile {
  const faker = new Faker({ locale: [en] });
  faker.seed(seed + 2);
  // One of each valid length, and a short one as labs have (it also reads as a JSON number).
  const lengths = [...validLengths(gateway.options.edition, "/caller").filter((n) => n > 0), 8];
  const callers = lengths.map((n) => faker.string.numeric({ length: n, allowLeadingZeros: false }));
  return { ...mockProfile(gateway), callers };
}
