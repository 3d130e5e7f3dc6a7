/**
 * The embedded mock as the functional suite runs it (scenarios/setup/global-setup.ts, and the suite phase of
 * `npm start`): instant event scripts, short polls and Guid rotation, and a number of the profile at each length
 * limit of `called` so every valid boundary case has something to dial. Here, not in scenarios/, so a script can
 * start the same mock without loading pactum.
 */
import { en, Faker } from "@faker-js/faker";
import { boundaryCases } from "../contracts/boundaries.ts";
import { contractsFor, type Edition } from "../contracts/index.ts";
import type { AuthMode } from "../lib/target-profile.ts";
import { DEFAULT_CALLED } from "./index.ts";

/** Options of the embedded mock for the suite. */
export function suiteMockOptions(edition: Edition, authMode: AuthMode, seed: number, defects: string[]) {
  // Numbers at the called-number length limits, so the valid boundary cases have a number of the profile to dial.
  const faker = new Faker({ locale: [en] });
  faker.seed(seed);
  const lengths = new Set(
    boundaryCases(contractsFor(edition), "voicecall/callout.request", {
      called: DEFAULT_CALLED[0]?.number ?? "1",
    })
      .filter((c) => c.field === "/called" && c.valid)
      .map((c) => String(c.fieldValue).length),
  );
  const extra = [...lengths].map((n) => ({
    number: faker.string.numeric(n),
    outcome: "not-answered" as const,
  }));
  return {
    edition,
    authMode,
    seed,
    timing: "fast" as const,
    pollWaitMs: 200,
    guidRotationMs: 500,
    called: [...DEFAULT_CALLED, ...extra],
    defects,
  };
}
